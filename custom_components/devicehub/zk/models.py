"""Typed values returned by the terminal client layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TerminalInfo:
    """Identity of a terminal."""

    serial_number: str
    model: str
    platform: str
    firmware_version: str
    mac: str
    device_name: str


@dataclass(frozen=True, slots=True)
class TerminalCounts:
    """Memory usage counters of a terminal."""

    users: int
    fingerprints: int
    faces: int
    records: int
    records_capacity: int
    users_capacity: int
    fingerprints_capacity: int


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
    records_before: int
    records_after: int


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """A realtime punch. ``timestamp`` is naive, in the terminal's local time."""

    user_id: str
    timestamp: datetime
    verify: int
    punch: int
