"""What a terminal stores (users, punches, templates) and the byte layouts it speaks them in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import struct
from typing import Final, Literal

from .protocol import encode_timehex

type UserSize = Literal[28, 72]
type RecordSize = Literal[8, 16, 40, 49]

USER_SIZES: Final[tuple[UserSize, ...]] = (28, 72)
RECORD_SIZES: Final[tuple[RecordSize, ...]] = (8, 16, 40, 49)

# 72-byte user (TFT firmware): uid, privilege, password, name, card, group (the byte at
# offset 39), 8 bytes of time-zone settings, PIN. pyzk 0.9 writes 00 at 39 and its group
# text at 40: on a real terminal (and here) that text lands in the time-zone bytes.
USER72: Final = struct.Struct("<HB8s24sIB8s24s")
# 28-byte user (old black&white firmware): ..., pad, group, u16 time zone, numeric PIN.
USER28: Final = struct.Struct("<HB5s8sIxB2sI")
USER72_NAME_BYTES: Final = 24
USER28_NAME_BYTES: Final = 8
USER72_ZONE_BYTES: Final = 8
USER28_ZONE_BYTES: Final = 2

EVENT32: Final = struct.Struct("<24sBB6s")
EVENT12: Final = struct.Struct("<IBB6s")
# 10 and 14 bytes (ZEM560, ZEM300; pyzk issue 164): a u16 PIN, verify, punch, time (+4).
EVENT10: Final = struct.Struct("<HBB6s")
EVENT14_TAIL: Final = 4
# A batched packet carries events of this length back to back.
BATCHED_EVENT_SIZE: Final = 52

TEMPLATE_ENTRY: Final = struct.Struct("<HHbb")


@dataclass(frozen=True, slots=True)
class User:
    """One enrolled user. uid is the terminal's internal number, user_id the PIN people know."""

    uid: int
    user_id: str
    name: str = ""
    privilege: int = 0
    password: str = ""
    group_id: str = "1"
    card: int = 0
    # Time-zone settings as stored (8 bytes in 72-byte records, 2 in 28-byte ones; b"" is
    # all zeros). Opaque, so not part of equality: compare them explicitly.
    time_zones: bytes = field(default=b"", compare=False)


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """One punch: verify is how identity was proved (pyzk: status), punch the state (in/out)."""

    uid: int
    user_id: str
    timestamp: datetime
    verify: int = 1
    punch: int = 0


@dataclass(frozen=True, slots=True)
class Template:
    """One fingerprint template (opaque bytes)."""

    uid: int
    fid: int
    data: bytes
    valid: int = 1


def pin_number(user_id: str) -> int:
    """The PIN as the u32 that numeric-only layouts carry (0 when it is not a number)."""
    try:
        value = int(user_id)
    except ValueError:
        return 0
    return value if 0 <= value <= 0xFFFFFFFF else 0


def fit_text(text: str, encoding: str, limit: int) -> bytes:
    """Encode text, cut at a character boundary so it fits in limit bytes."""
    encoded = text.encode(encoding, errors="replace")
    if len(encoded) <= limit:
        return encoded
    kept = text
    while kept and len(kept.encode(encoding, errors="replace")) > limit:
        kept = kept[:-1]
    return kept.encode(encoding, errors="replace")


def decode_text(raw: bytes, encoding: str) -> str:
    """A NUL-terminated text field as the device would show it."""
    return raw.split(b"\x00", 1)[0].decode(encoding, errors="replace").strip()


def encode_user(user: User, size: UserSize, encoding: str) -> bytes:
    """A user in the layout get_users reads."""
    if size == 72:
        return USER72.pack(
            user.uid,
            user.privilege,
            user.password.encode("ascii", errors="replace")[:8],
            fit_text(user.name, encoding, USER72_NAME_BYTES),
            user.card & 0xFFFFFFFF,
            pin_number(user.group_id) & 0xFF,
            user.time_zones[:USER72_ZONE_BYTES],
            user.user_id.encode("ascii", errors="replace")[:24],
        )
    return USER28.pack(
        user.uid,
        user.privilege,
        user.password.encode("ascii", errors="replace")[:5],
        fit_text(user.name, encoding, USER28_NAME_BYTES),
        user.card & 0xFFFFFFFF,
        pin_number(user.group_id) & 0xFF,
        user.time_zones[:USER28_ZONE_BYTES],
        pin_number(user.user_id),
    )


def decode_user(payload: bytes, encoding: str) -> User:
    """A CMD_USER_WRQ payload (28 or 72 bytes, told apart by length) as a User."""
    if len(payload) >= USER72.size:
        uid, privilege, password, name, card, group, zones, pin = USER72.unpack_from(payload)
        return User(
            uid=uid,
            user_id=decode_text(pin, "ascii"),
            name=decode_text(name, encoding),
            privilege=privilege,
            password=decode_text(password, "ascii"),
            group_id=str(group),
            card=card,
            time_zones=zones,
        )
    if len(payload) >= USER28.size:
        uid, privilege, password, name, card, group, zone, pin_value = USER28.unpack_from(payload)
        return User(
            uid=uid,
            user_id=str(pin_value),
            name=decode_text(name, encoding),
            privilege=privilege,
            password=decode_text(password, "ascii"),
            group_id=str(group),
            card=card,
            time_zones=zone,
        )
    raise ValueError(f"user record of {len(payload)} bytes (expected 28 or 72)")


def encode_users_dataset(users: list[User], size: UserSize, encoding: str) -> bytes:
    """The users dataset: u32 byte count then the records."""
    body = b"".join(encode_user(user, size, encoding) for user in users)
    return struct.pack("<I", len(body)) + body


def encode_templates_dataset(templates: list[Template]) -> bytes:
    """The templates dataset: u32 byte count then (size, uid, fid, valid, template) entries."""
    body = b"".join(
        TEMPLATE_ENTRY.pack(len(t.data) + TEMPLATE_ENTRY.size, t.uid, t.fid, t.valid) + t.data
        for t in templates
    )
    return struct.pack("<I", len(body)) + body


def encode_event(record: AttendanceRecord, size: int) -> bytes:
    """A realtime attendance event payload of the given length.

    12 carries the PIN as a u32, 10 and 14 as a u16; 32 is the TFT layout; longer layouts
    (36, 37, 52, ...) append zeros to it and shorter unusual ones are a cut 32-byte layout.
    """
    stamp = encode_timehex(record.timestamp)
    if size == EVENT12.size:
        return EVENT12.pack(pin_number(record.user_id), record.verify, record.punch, stamp)
    if size in {EVENT10.size, EVENT10.size + EVENT14_TAIL}:
        short = EVENT10.pack(
            pin_number(record.user_id) & 0xFFFF, record.verify, record.punch, stamp
        )
        return short.ljust(size, b"\x00")
    full = EVENT32.pack(
        record.user_id.encode("ascii", errors="replace")[:24], record.verify, record.punch, stamp
    )
    return full[:size].ljust(size, b"\x00")


def encode_event_batch(records: list[AttendanceRecord]) -> bytes:
    """Several punches in one event packet, 52 bytes each, back to back."""
    return b"".join(encode_event(record, BATCHED_EVENT_SIZE) for record in records)


@dataclass(frozen=True, slots=True)
class TemplateUpload:
    """What a client's buffered upload (save_user_template) carried."""

    users: list[User]
    templates: list[Template]


def decode_template_upload(buffer: bytes, encoding: str) -> TemplateUpload:
    """Parse the buffer pyzk uploads before CMD 110: header, users, finger table, templates."""
    users_len, table_len, templates_len = struct.unpack_from("<III", buffer)
    offset = 12
    users_blob = buffer[offset : offset + users_len]
    table = buffer[offset + users_len : offset + users_len + table_len]
    blob = buffer[offset + users_len + table_len : offset + users_len + table_len + templates_len]
    # Each user starts with a 0x02 marker and is 29 or 73 bytes long.
    stride = 73 if users_len % 73 == 0 and users_len else 29
    users = [
        decode_user(users_blob[i + 1 : i + stride], encoding)
        for i in range(0, len(users_blob) - stride + 1, stride)
    ]
    templates: list[Template] = []
    for i in range(0, len(table) - 7, 8):
        _kind, uid, finger_code, start = struct.unpack_from("<bHbI", table, i)
        (length,) = struct.unpack_from("<H", blob, start)
        data = blob[start + 2 : start + 2 + length]
        templates.append(Template(uid=uid, fid=finger_code - 0x10, data=data))
    return TemplateUpload(users=users, templates=templates)
