"""Parsers for the terminal's bulk datasets (users, attendance log), in linear time.

A dataset is ``u32 total_bytes`` followed by fixed-size records. The record size is not sent:
it is total_bytes divided by the count the terminal reports in its free-sizes reply. That count
may be stale by a punch or two (it is read just before the log), so the size is chosen as the
known size that fits best rather than trusted blindly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from struct import Struct

from .models import AttendanceBatch, AttendanceRecord, User
from .timecodec import TimeDecoder

USER_RECORD_SIZES = (72, 28)
ATTENDANCE_RECORD_SIZES = (40, 16, 8)

_TOTAL = Struct("<I")
# uid, privilege, password, name, card, group_id, user_id (TFT firmware)
_USER_72 = Struct("<HB8s24sIx7sx24s")
# uid, privilege, password, name, card, group_id, timezone, numeric user_id (old firmware)
_USER_28 = Struct("<HB5s8sIxBhI")
# uid, user_id, verify, time, punch (TFT firmware)
_ATTENDANCE_40 = Struct("<H24sBIB8x")
# numeric user_id, time, verify, punch, workcode
_ATTENDANCE_16 = Struct("<IIBB2xI")
# uid, verify, time, punch: pyzk 0.9's layout (what it and the simulator exchange)
_ATTENDANCE_8 = Struct("<HBIB")

type Buffer = bytes | bytearray | memoryview

# AttendanceRecord is a frozen slotted dataclass: its __init__ stores each field through
# object.__setattr__, a fifth of the time to parse a big log. The 40-byte parser (TFT
# firmware: the big logs) stores them through the slots' own descriptors instead: the same
# object, equal and hashing the same, at a fraction of the cost.
_NEW_RECORD = object.__new__
_SET_RECORD_FIELD = {
    field.name: getattr(AttendanceRecord, field.name).__set__ for field in fields(AttendanceRecord)
}


def dataset_body(dataset: Buffer) -> memoryview:
    """The records part of a dataset: after the u32 prefix, cut to the announced total."""
    view = memoryview(dataset).cast("B")
    if len(view) < _TOTAL.size:
        return view[0:0]
    (total,) = _TOTAL.unpack_from(view)
    return view[_TOTAL.size : _TOTAL.size + total]


def choose_record_size(body_bytes: int, count: int, sizes: Sequence[int]) -> int:
    """Pick the record size for ``body_bytes`` holding about ``count`` records."""
    for size in sizes:
        if count > 0 and size * count == body_bytes:
            return size
    fitting = [size for size in sizes if body_bytes % size == 0] or list(sizes)
    return min(fitting, key=lambda size: (abs(body_bytes / size - count), sizes.index(size)))


def attendance_record_size(dataset: Buffer, count: int) -> int:
    """Record size (40, 16 or 8) of an attendance dataset."""
    return choose_record_size(len(dataset_body(dataset)), count, ATTENDANCE_RECORD_SIZES)


def c_string(raw: bytes, encoding: str = "ascii") -> str:
    """Decode a NUL-terminated, NUL-padded field; undecodable bytes become U+FFFD."""
    return raw.split(b"\0", 1)[0].decode(encoding, "replace")


def _whole_records(body: memoryview, size: int) -> tuple[memoryview, int]:
    """The part of body made of whole records, and 1 if a partial record trails it."""
    whole = len(body) - len(body) % size
    return body[:whole], int(whole != len(body))


def parse_users(dataset: Buffer, count: int, encoding: str = "utf-8") -> list[User]:
    """Parse a users dataset; names are decoded with the terminal's ``encoding``."""
    body = dataset_body(dataset)
    if not body:
        return []
    size = choose_record_size(len(body), count, USER_RECORD_SIZES)
    records, _partial = _whole_records(body, size)
    if size == 72:
        return [
            User(
                uid=uid,
                user_id=c_string(user_id, "utf-8"),
                name=c_string(name, encoding).strip(),
                privilege=privilege,
                password=c_string(password, "utf-8"),
                group_id=c_string(group_id, "utf-8").strip(),
                card=card,
            )
            for uid, privilege, password, name, card, group_id, user_id in _USER_72.iter_unpack(
                records
            )
        ]
    return [
        User(
            uid=uid,
            user_id=str(user_id),
            name=c_string(name, encoding).strip(),
            privilege=privilege,
            password=c_string(password, "utf-8"),
            group_id=str(group_id),
            card=card,
        )
        for uid, privilege, password, name, card, group_id, _zone, user_id in _USER_28.iter_unpack(
            records
        )
    ]


def user_record_size(dataset: Buffer, count: int) -> int:
    """Record size (72 or 28) of a users dataset; 72 when there is none to tell."""
    body = dataset_body(dataset)
    if not body:
        return USER_RECORD_SIZES[0]
    return choose_record_size(len(body), count, USER_RECORD_SIZES)


def parse_attendance(
    dataset: Buffer, count: int, users: Iterable[User] = (), *, record_size: int | None = None
) -> AttendanceBatch:
    """Parse an attendance dataset in one pass.

    ``users`` is only needed for 16-byte records (to find the uid of a user_id) and 8-byte
    records (to find the user_id of a uid). Records with impossible dates, and a trailing
    partial record, are skipped and counted in ``invalid``.

    The garbage collector is left running. Pausing it is one switch for the whole Home
    Assistant process: every other thread would lose its collections meanwhile, and a pause
    ended by whoever began it can end another thread's own pause early. It saves about a
    sixth of the parse on a 200,000-record log, in the executor, and nothing measurable on
    a 10,000-record one (bench/attendance_sync.py).
    """
    return _parse_attendance(dataset, count, users, record_size)


def _parse_attendance(
    dataset: Buffer, count: int, users: Iterable[User], record_size: int | None
) -> AttendanceBatch:
    body = dataset_body(dataset)
    if not body:
        return AttendanceBatch(records=[], invalid=0)
    size = record_size or choose_record_size(len(body), count, ATTENDANCE_RECORD_SIZES)
    records_view, invalid = _whole_records(body, size)
    decode = TimeDecoder().decode
    out: list[AttendanceRecord] = []
    append = out.append
    if size == 40:
        user_ids: dict[bytes, str] = {}
        set_uid, set_user_id, set_timestamp, set_verify, set_punch = (
            _SET_RECORD_FIELD[name] for name in ("uid", "user_id", "timestamp", "verify", "punch")
        )
        for uid, raw_user_id, verify, raw_time, punch in _ATTENDANCE_40.iter_unpack(records_view):
            timestamp = decode(raw_time)
            if timestamp is None:
                invalid += 1
                continue
            user_id = user_ids.get(raw_user_id)
            if user_id is None:
                user_id = user_ids[raw_user_id] = c_string(raw_user_id, "utf-8")
            record = _NEW_RECORD(AttendanceRecord)
            set_uid(record, uid)
            set_user_id(record, user_id)
            set_timestamp(record, timestamp)
            set_verify(record, verify)
            set_punch(record, punch)
            append(record)
    elif size == 16:
        uid_of = {user.user_id: user.uid for user in users}
        for number, raw_time, verify, punch, _workcode in _ATTENDANCE_16.iter_unpack(records_view):
            timestamp = decode(raw_time)
            if timestamp is None:
                invalid += 1
                continue
            user_id = str(number)
            append(AttendanceRecord(uid_of.get(user_id, 0), user_id, timestamp, verify, punch))
    else:
        user_id_of = {user.uid: user.user_id for user in users}
        for uid, verify, raw_time, punch in _ATTENDANCE_8.iter_unpack(records_view):
            timestamp = decode(raw_time)
            if timestamp is None:
                invalid += 1
                continue
            append(AttendanceRecord(uid, user_id_of.get(uid) or str(uid), timestamp, verify, punch))
    return AttendanceBatch(records=out, invalid=invalid)


def fit_text(text: str, encoding: str, max_bytes: int) -> bytes:
    """Encode text, dropping whole characters from the end until it fits ``max_bytes``.

    pyzk cuts encoded names at a byte count, which can split a multi-byte character.
    """
    encoded = text.encode(encoding, "replace")
    while len(encoded) > max_bytes:
        text = text[:-1]
        encoded = text.encode(encoding, "replace")
    return encoded
