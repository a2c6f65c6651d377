"""Parsers for the terminal's bulk datasets (users, attendance log), in linear time.

A dataset is ``u32 total_bytes`` followed by fixed-size records. The record size is not sent;
layouts.py decides it from the evidence (count, firmware, plausible values) and hands it to
these parsers. Without a size they fall back on the count alone (choose_record_size).

Layouts, as real firmware sends them (zk-firmware-facts):
* attendance 40 bytes (TFT): uid, 24-byte user_id, verify, time, punch, 8 reserved; newer
  face terminals send 49 bytes (or another stride) that start with the same 40 bytes;
* attendance 16 bytes (black-and-white): numeric user_id, time, verify, punch, workcode;
* attendance 8 bytes (ZEM500 era): uid, punch<<4 | verify, 0, time at offset 4;
* users 72 bytes: ..., card, group (u8 at offset 39), 8 bytes of time-zone settings, user_id;
* users 28 bytes: ..., card, pad, group, u16 time zone, numeric user_id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from functools import cache
from struct import Struct

from .models import AttendanceBatch, AttendanceRecord, User
from .timecodec import INTO_HOUR, SECONDS_PER_HOUR, TimeDecoder, encode_time

USER_RECORD_SIZES = (72, 28)
ATTENDANCE_RECORD_SIZES = (40, 16, 8, 49)
# Records at least this long are the TFT layout followed by more bytes (49 on face terminals).
TFT_HEAD = 40
# Where the u32 time sits in an attendance record: a catch-up scan reads only that field.
_TFT_TIME_OFFSET = 27
_SHORT_TIME_OFFSETS = {16: 4, 8: 4}

_TOTAL = Struct("<I")
_U32 = Struct("<I")
# uid, privilege, password, name, card, group, time-zone settings, user_id (TFT firmware)
_USER_72 = Struct("<HB8s24sIB8s24s")
# uid, privilege, password, name, card, group, time zone, numeric user_id (old firmware)
_USER_28 = Struct("<HB5s8sIxB2sI")
# numeric user_id, time, verify, punch, workcode
_ATTENDANCE_16 = Struct("<IIBB2xI")
# uid, punch (high nibble) | verify (low nibble), a zero byte, time: ZEM500-era firmware.
# (pyzk 0.9 reads the time at offset 3 and gets dates decades off.)
_ATTENDANCE_8 = Struct("<HBxI")

type Buffer = bytes | bytearray | memoryview

# AttendanceRecord is a frozen slotted dataclass: its __init__ stores each field through
# object.__setattr__, a fifth of the time to parse a big log. The parsers store them
# through the slots' own descriptors instead: the same object, equal and hashing the same,
# at a fraction of the cost.
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


@cache
def tft_record(stride: int) -> Struct:
    """uid, user_id, verify, time, punch of a TFT record ``stride`` bytes long (>= 40)."""
    if stride < TFT_HEAD:
        raise ValueError(f"a TFT record has at least {TFT_HEAD} bytes, not {stride}")
    return Struct(f"<H24sBIB{stride - 32}x")


def time_offset(stride: int) -> int:
    """Where the u32 time starts in an attendance record ``stride`` bytes long."""
    if stride >= TFT_HEAD:
        return _TFT_TIME_OFFSET
    if (offset := _SHORT_TIME_OFFSETS.get(stride)) is not None:
        return offset
    raise ValueError(f"no attendance layout of {stride} bytes")


@cache
def _byte_codes(threshold_byte: int) -> bytes:
    """translate() table: 0 for a byte below ``threshold_byte``, 1 equal, 2 above."""
    return bytes(
        2 if value > threshold_byte else int(value == threshold_byte) for value in range(256)
    )


def times_at_or_after(
    source: bytes | bytearray, start: int, count: int, size: int, threshold: int
) -> bytes:
    """One byte per record: 1 where its raw u32 time is at least ``threshold``, else 0.

    ``count`` records of ``size`` bytes begin at ``start`` in ``source``. No object per
    record: the top two bytes of every time are cut out at once (strided slices), coded by
    translate() and combined as whole-log integers, which decides every record but those
    in the threshold's own 18 hours (same top two bytes); only those few are read whole.
    """
    offset = start + time_offset(size)
    end = start + count * size
    top = threshold.to_bytes(4, "little")
    high, low = (
        int.from_bytes(
            source[offset + place : end : size].translate(_byte_codes(top[place])), "little"
        )
        for place in (3, 2)
    )
    ones = ((1 << (8 * count)) - 1) // 0xFF  # 0x01 in every byte
    later = ((high >> 1) | (high & (low >> 1))) & ones
    same_hours = high & low & ones
    marks = bytearray(later.to_bytes(count, "little"))
    if same_hours:
        read_time = _U32.unpack_from
        flags = same_hours.to_bytes(count, "little")
        index = flags.find(1)
        while index >= 0:
            if read_time(source, offset + index * size)[0] >= threshold:
                marks[index] = 1
            index = flags.find(1, index + 1)
    return bytes(marks)


def choose_record_size(body_bytes: int, count: int | None, sizes: Sequence[int]) -> int:
    """Pick the record size for ``body_bytes`` holding about ``count`` records.

    The count alone: layouts.py weighs the rest of the evidence before trusting a size.
    """
    count = count or 0
    for size in sizes:
        if count > 0 and size * count == body_bytes:
            return size
    fitting = [size for size in sizes if body_bytes % size == 0] or list(sizes)
    return min(fitting, key=lambda size: (abs(body_bytes / size - count), sizes.index(size)))


def attendance_record_size(dataset: Buffer, count: int | None) -> int:
    """Record size (40, 16, 8 or 49) of an attendance dataset, from the count alone."""
    return choose_record_size(len(dataset_body(dataset)), count, ATTENDANCE_RECORD_SIZES)


def c_string(raw: bytes, encoding: str = "ascii") -> str:
    """Decode a NUL-terminated, NUL-padded field; undecodable bytes become U+FFFD."""
    return raw.split(b"\0", 1)[0].decode(encoding, "replace")


def _whole_records(body: memoryview, size: int) -> tuple[memoryview, int]:
    """The part of body made of whole records, and 1 if a partial record trails it."""
    whole = len(body) - len(body) % size
    return body[:whole], int(whole != len(body))


def parse_users(
    dataset: Buffer, count: int | None, encoding: str = "utf-8", *, record_size: int | None = None
) -> list[User]:
    """Parse a users dataset; names are decoded with the terminal's ``encoding``."""
    body = dataset_body(dataset)
    if not body:
        return []
    size = record_size or choose_record_size(len(body), count, USER_RECORD_SIZES)
    records, _partial = _whole_records(body, size)
    if size == 72:
        return [
            User(
                uid=uid,
                user_id=c_string(user_id, "utf-8"),
                name=c_string(name, encoding).strip(),
                privilege=privilege,
                password=c_string(password, "utf-8"),
                group_id=str(group),
                card=card,
                time_zones=zones,
            )
            for uid, privilege, password, name, card, group, zones, user_id in _USER_72.iter_unpack(
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
            group_id=str(group),
            card=card,
            time_zones=zone,
        )
        for uid, privilege, password, name, card, group, zone, user_id in _USER_28.iter_unpack(
            records
        )
    ]


def encode_user(user: User, size: int, name: bytes) -> bytes:
    """A user record as the terminal stores it (CMD_USER_WRQ payload), ``name`` encoded.

    The group goes where the firmware reads it and the time-zone settings are written back
    as they were read (zeros for a new user), so a rewrite changes nothing else.
    """
    group = int(user.group_id or 0)
    if size == 72:
        return _USER_72.pack(
            user.uid,
            user.privilege,
            user.password.encode("ascii"),
            name,
            user.card,
            group,
            user.time_zones[:8],
            user.user_id.encode("ascii"),
        )
    return _USER_28.pack(
        user.uid,
        user.privilege,
        user.password.encode("ascii"),
        name,
        user.card,
        group,
        user.time_zones[:2],
        int(user.user_id),
    )


def user_record_size(dataset: Buffer, count: int | None) -> int:
    """Record size (72 or 28) of a users dataset; 72 when there is none to tell."""
    body = dataset_body(dataset)
    if not body:
        return USER_RECORD_SIZES[0]
    return choose_record_size(len(body), count, USER_RECORD_SIZES)


def parse_attendance(
    dataset: Buffer,
    count: int | None,
    users: Iterable[User] = (),
    *,
    record_size: int | None = None,
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


def parse_attendance_after(
    dataset: Buffer,
    count: int | None,
    users: Iterable[User] = (),
    *,
    record_size: int | None = None,
    after: datetime,
) -> AttendanceBatch:
    """The records from the first one timed at or after ``after`` (device-local) to the
    end of the log, in log order: a catch-up of a long log with a few new punches.

    New punches are appended to the log, so everything after the first record past the
    cursor is read too: a record whose date cannot be decoded there is counted in
    ``invalid`` as the whole parse counts it, and one timed earlier (the clock was set back)
    is the caller's to judge against its cursor. One scan reads the time field alone
    (times_at_or_after: no object per record); records are built only for that tail. The
    terminal's time encoding keeps the order of times (years 2000-2099), so the compare on
    raw values is the compare on times; a time outside those years reads the whole log.
    """
    body = dataset_body(dataset)
    if not body:
        return AttendanceBatch(records=[], invalid=0)
    size = record_size or choose_record_size(len(body), count, ATTENDANCE_RECORD_SIZES)
    records_view, partial = _whole_records(body, size)
    try:
        threshold = encode_time(after)
    except ValueError:
        return _parse_records(records_view, size, users, partial)
    source = dataset if isinstance(dataset, bytes | bytearray) else bytes(dataset)
    marks = times_at_or_after(source, _TOTAL.size, len(records_view) // size, size, threshold)
    first = marks.find(1)
    if first < 0:
        return AttendanceBatch(records=[], invalid=partial)
    return _parse_records(records_view[first * size :], size, users, partial)


def _parse_attendance(
    dataset: Buffer, count: int | None, users: Iterable[User], record_size: int | None
) -> AttendanceBatch:
    body = dataset_body(dataset)
    if not body:
        return AttendanceBatch(records=[], invalid=0)
    size = record_size or choose_record_size(len(body), count, ATTENDANCE_RECORD_SIZES)
    records_view, invalid = _whole_records(body, size)
    return _parse_records(records_view, size, users, invalid)


def _parse_records(
    records_view: memoryview, size: int, users: Iterable[User], invalid: int
) -> AttendanceBatch:
    """Whole records of ``size`` bytes; ``invalid`` counts those already skipped.

    Times are decoded inline (TimeDecoder.decode's steps without its call): the start of
    the record's hour from the decoder's cache, plus the offset into the hour.
    """
    decoder = TimeDecoder()
    hour_starts, hour_start = decoder.hours, decoder.hour_start
    out: list[AttendanceRecord] = []
    append = out.append
    set_uid, set_user_id, set_timestamp, set_verify, set_punch = (
        _SET_RECORD_FIELD[name] for name in ("uid", "user_id", "timestamp", "verify", "punch")
    )
    if size >= TFT_HEAD:
        user_ids: dict[bytes, str] = {}
        for uid, raw_user_id, verify, raw_time, punch in tft_record(size).iter_unpack(records_view):
            hour_number, into_hour = divmod(raw_time, SECONDS_PER_HOUR)
            try:
                start = hour_starts[hour_number]
            except KeyError:
                start = hour_start(hour_number)
            if start is None:
                invalid += 1
                continue
            timestamp = start + INTO_HOUR[into_hour]
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
        # Numbers repeat across punches: each becomes its (user_id, uid) once.
        known: dict[int, tuple[str, int]] = {}
        for number, raw_time, verify, punch, _workcode in _ATTENDANCE_16.iter_unpack(records_view):
            hour_number, into_hour = divmod(raw_time, SECONDS_PER_HOUR)
            try:
                start = hour_starts[hour_number]
            except KeyError:
                start = hour_start(hour_number)
            if start is None:
                invalid += 1
                continue
            timestamp = start + INTO_HOUR[into_hour]
            who = known.get(number)
            if who is None:
                user_id = str(number)
                who = known[number] = (user_id, uid_of.get(user_id, 0))
            record = _NEW_RECORD(AttendanceRecord)
            set_uid(record, who[1])
            set_user_id(record, who[0])
            set_timestamp(record, timestamp)
            set_verify(record, verify)
            set_punch(record, punch)
            append(record)
    elif size == 8:
        user_id_of = {user.uid: user.user_id for user in users}
        named: dict[int, str] = {}
        for uid, states, raw_time in _ATTENDANCE_8.iter_unpack(records_view):
            hour_number, into_hour = divmod(raw_time, SECONDS_PER_HOUR)
            try:
                start = hour_starts[hour_number]
            except KeyError:
                start = hour_start(hour_number)
            if start is None:
                invalid += 1
                continue
            timestamp = start + INTO_HOUR[into_hour]
            user_id = named.get(uid)
            if user_id is None:
                user_id = named[uid] = user_id_of.get(uid) or str(uid)
            record = _NEW_RECORD(AttendanceRecord)
            set_uid(record, uid)
            set_user_id(record, user_id)
            set_timestamp(record, timestamp)
            set_verify(record, states & 0x0F)
            set_punch(record, states >> 4)
            append(record)
    else:
        raise ValueError(f"no attendance layout of {size} bytes")
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
