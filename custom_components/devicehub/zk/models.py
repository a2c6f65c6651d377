"""Typed values returned by the terminal client layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TerminalInfo:
    """Identity of a terminal.

    Only the serial number or, when the terminal refuses it, the MAC address is sure to be
    there (``unique_id``); the other fields are "" when the terminal does not answer them.
    """

    serial_number: str
    model: str
    platform: str
    firmware_version: str
    mac: str
    device_name: str

    @property
    def unique_id(self) -> str:
        """What identifies the terminal: its serial number, else its MAC address."""
        return self.serial_number or self.mac.lower()

    @property
    def family_hint(self) -> str:
        """Everything the terminal said about its make, for telling its layouts apart."""
        return " ".join(
            text for text in (self.platform, self.device_name, self.firmware_version) if text
        )


@dataclass(frozen=True, slots=True)
class TerminalCounts:
    """Memory usage counters of a terminal; None where its counters reply is too short.

    Some firmware answers with 4 bytes instead of 80 or 92: its counts are unknown, not 0.
    """

    users: int | None
    fingerprints: int | None
    faces: int | None
    records: int | None
    records_capacity: int | None
    users_capacity: int | None
    fingerprints_capacity: int | None


@dataclass(frozen=True, slots=True)
class User:
    """A user enrolled on a terminal.

    ``uid`` is the terminal's internal sequence number; ``user_id`` is the PIN people know.
    """

    uid: int
    user_id: str
    name: str
    privilege: int
    password: str
    group_id: str
    card: int
    # The user's time-zone settings as the terminal stores them (72-byte records: 8 bytes
    # at offset 40, 28-byte records: the u16 zone), kept so that a rewrite leaves them as
    # they were. Not part of equality: they are opaque to us.
    time_zones: bytes = field(default=b"", compare=False)


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """One punch from the attendance log. ``timestamp`` is naive, in the terminal's local time."""

    uid: int
    user_id: str
    timestamp: datetime
    verify: int
    punch: int


@dataclass(frozen=True, slots=True)
class AttendanceBatch:
    """The attendance log; ``invalid`` counts records skipped (bad dates, truncated bytes)."""

    records: list[AttendanceRecord]
    invalid: int


@dataclass(frozen=True, slots=True)
class ClearResult:
    """What a checked clear of the attendance log found and did.

    ``batch`` is the log as read with the terminal disabled; ``records_before`` and
    ``records_after`` are the terminal's records counter then and just before erasing.
    """

    batch: AttendanceBatch
    cleared: bool
    records_before: int | None
    records_after: int | None


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """A realtime punch. ``timestamp`` is naive, in the terminal's local time."""

    user_id: str
    timestamp: datetime
    verify: int
    punch: int
