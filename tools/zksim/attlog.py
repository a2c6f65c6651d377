"""The attendance log, stored column-wise so 100k+ punches encode in milliseconds."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
import struct
from typing import Final, Literal

from .protocol import decode_time, encode_time, encode_time_fields
from .records import AttendanceRecord, RecordSize, pin_number

type EightByteLayout = Literal["pyzk", "firmware"]

RECORD40: Final = struct.Struct("<H24sBIB8s")
# Newer face terminals (SpeedFace-V5L, MB560-VL 2022): the 40-byte record and 9 more bytes.
RECORD49: Final = struct.Struct("<H24sBIB8s9s")
RECORD16: Final = struct.Struct("<IIBB2sI")
# What pyzk 0.9 parses: uid, status, time at offset 3, punch. No terminal sends this.
RECORD8_PYZK: Final = struct.Struct("<HBIB")
# What ZEM500-era firmware sends: uid, punch in the high nibble and verify in the low one,
# a zero byte, time at offset 4 (pyzk 0.9 misreads it: dates decades off).
RECORD8_FIRMWARE: Final = struct.Struct("<HBxI")
# Trailing 8 bytes of a 40-byte record as real TFT firmware fills them.
RECORD40_RESERVED: Final = b"\x00\x00\x00\x00\xff\x00\x00\x00"
# The 9 bytes a 49-byte record adds: their meaning is not published; zeros here.
RECORD49_TAIL: Final = bytes(9)
TIME_OFFSET: Final[dict[int, int]] = {49: 27, 40: 27, 16: 4, 8: 3}
# 31 February (of the record's year), the impossible date the invalid-dates fault writes.
INVALID_DAY: Final = (2, 31)


def _nibbles(punch: int, verify: int) -> int:
    """The 8-byte record's state byte: punch in the high nibble, verify in the low one."""
    return (punch & 0x0F) << 4 | (verify & 0x0F)


@dataclass(slots=True)
class AttendanceColumns:
    """Punches column by column: the cheap form for bulk generation and encoding."""

    uids: array[int] = field(default_factory=lambda: array("H"))
    user_ids: list[str] = field(default_factory=list)
    times: array[int] = field(default_factory=lambda: array("I"))  # device-encoded
    verifies: bytearray = field(default_factory=bytearray)
    punches: bytearray = field(default_factory=bytearray)

    def __len__(self) -> int:
        return len(self.times)

    def check(self) -> None:
        """Raise ValueError unless every column has the same length."""
        lengths = {
            len(self.uids),
            len(self.user_ids),
            len(self.times),
            len(self.verifies),
            len(self.punches),
        }
        if len(lengths) != 1:
            raise ValueError(f"attendance columns of unequal lengths {sorted(lengths)}")

    @classmethod
    def from_records(cls, records: Iterable[AttendanceRecord]) -> AttendanceColumns:
        """Columns holding the given records."""
        columns = cls()
        for record in records:
            columns.uids.append(record.uid)
            columns.user_ids.append(record.user_id)
            columns.times.append(encode_time(record.timestamp))
            columns.verifies.append(record.verify)
            columns.punches.append(record.punch)
        return columns


class AttendanceLog:
    """The terminal's punches with a cache of their encoded dataset (not thread-safe alone)."""

    def __init__(self, eight_byte_layout: EightByteLayout = "firmware") -> None:
        self._columns = AttendanceColumns()
        self._eight_byte_layout: EightByteLayout = eight_byte_layout
        self._cache_key: tuple[int, int] | None = None
        self._cache = b""
        self._pin_fields: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._columns)

    def append(self, record: AttendanceRecord) -> None:
        """Add one punch at the end."""
        self.extend(AttendanceColumns.from_records((record,)))

    def extend(self, columns: AttendanceColumns) -> None:
        """Add many punches at the end."""
        columns.check()
        mine = self._columns
        mine.uids.extend(columns.uids)
        mine.user_ids.extend(columns.user_ids)
        mine.times.extend(columns.times)
        mine.verifies.extend(columns.verifies)
        mine.punches.extend(columns.punches)
        self._invalidate()

    def clear(self) -> None:
        """Forget every punch."""
        self._columns = AttendanceColumns()
        self._invalidate()

    def record(self, index: int) -> AttendanceRecord:
        """One punch as a record (negative indexes count from the end)."""
        c = self._columns
        return AttendanceRecord(
            uid=c.uids[index],
            user_id=c.user_ids[index],
            timestamp=decode_time(c.times[index]),
            verify=c.verifies[index],
            punch=c.punches[index],
        )

    def records(self) -> list[AttendanceRecord]:
        """Every punch as a record, oldest first."""
        c = self._columns
        return [
            AttendanceRecord(uid, user_id, decode_time(time), verify, punch)
            for uid, user_id, time, verify, punch in zip(
                c.uids, c.user_ids, c.times, c.verifies, c.punches, strict=True
            )
        ]

    def dataset(self, record_size: RecordSize, invalid_every: int = 0) -> bytes:
        """The attendance dataset (u32 byte count + records), cached until the log changes.

        invalid_every > 0 rewrites every n-th record's time to 31 February.
        """
        key = (record_size, invalid_every)
        if self._cache_key != key:
            body = bytearray(self._encode(record_size))
            if invalid_every > 0:
                self._corrupt_dates(body, record_size, invalid_every)
            self._cache = struct.pack("<I", len(body)) + body
            self._cache_key = key
        return self._cache

    def _invalidate(self) -> None:
        self._cache_key = None
        self._cache = b""

    def _pin_field(self, user_id: str) -> bytes:
        # The 24-byte PIN field; PINs repeat across punches so each is encoded once.
        encoded = self._pin_fields.get(user_id)
        if encoded is None:
            encoded = user_id.encode("ascii", errors="replace")[:24].ljust(24, b"\x00")
            self._pin_fields[user_id] = encoded
        return encoded

    def _encode(self, record_size: RecordSize) -> bytes:
        c = self._columns
        # map() with several iterables drives struct packing from C, one call per record.
        if record_size == 40:
            pins = map(self._pin_field, c.user_ids)
            return b"".join(
                map(
                    RECORD40.pack,
                    c.uids,
                    pins,
                    c.verifies,
                    c.times,
                    c.punches,
                    repeat(RECORD40_RESERVED),
                )
            )
        if record_size == 49:
            pins = map(self._pin_field, c.user_ids)
            return b"".join(
                map(
                    RECORD49.pack,
                    c.uids,
                    pins,
                    c.verifies,
                    c.times,
                    c.punches,
                    repeat(RECORD40_RESERVED),
                    repeat(RECORD49_TAIL),
                )
            )
        if record_size == 16:
            numbers = map(pin_number, c.user_ids)
            return b"".join(
                map(
                    RECORD16.pack,
                    numbers,
                    c.times,
                    c.verifies,
                    c.punches,
                    repeat(b"\x00\x00"),
                    repeat(0),
                )
            )
        if self._eight_byte_layout == "pyzk":
            return b"".join(
                map(RECORD8_PYZK.pack, c.uids, c.verifies, c.times, c.punches, strict=True)
            )
        states = map(_nibbles, c.punches, c.verifies, strict=True)
        return b"".join(map(RECORD8_FIRMWARE.pack, c.uids, states, c.times, strict=True))

    def _corrupt_dates(self, body: bytearray, record_size: RecordSize, every: int) -> None:
        offset = (
            TIME_OFFSET[record_size] if record_size != 8 or self._eight_byte_layout == "pyzk" else 4
        )
        for index in range(every - 1, len(self._columns), every):
            moment = decode_time(self._columns.times[index])
            impossible = encode_time_fields(
                moment.year,
                *INVALID_DAY,
                hour=moment.hour,
                minute=moment.minute,
                second=moment.second,
            )
            struct.pack_into("<I", body, index * record_size + offset, impossible)
