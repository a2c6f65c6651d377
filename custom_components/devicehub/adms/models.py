"""Typed values of the push protocol: requests, uploaded lines, device info, results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType


class RequestKind(StrEnum):
    """What a terminal asks for, from its method and path."""

    HANDSHAKE = "handshake"  # GET /iclock/cdata?SN=..&options=all
    UPLOAD = "upload"  # POST /iclock/cdata?SN=..&table=..
    POLL = "poll"  # GET /iclock/getrequest?SN=..
    COMMAND_RESULT = "command_result"  # POST /iclock/devicecmd?SN=..
    REGISTRY = "registry"  # POST /iclock/registry?SN=.. (push v3)
    PUSH = "push"  # GET or POST /iclock/push?SN=.. (push v3)
    PING = "ping"  # GET /iclock/ping?SN=.. (push v3, heartbeat during long uploads)
    QUERY_DATA = "query_data"  # POST /iclock/querydata?SN=.. (push v3 query answers)
    UNKNOWN = "unknown"  # a known endpoint called with a method it does not take


class Table(StrEnum):
    """Upload tables named in the specifications; anything else is kept as text."""

    ATTLOG = "ATTLOG"
    OPERLOG = "OPERLOG"
    ATTPHOTO = "ATTPHOTO"
    BIODATA = "BIODATA"
    USERINFO = "USERINFO"
    OPTIONS = "options"
    RTLOG = "rtlog"
    RTSTATE = "rtstate"


@dataclass(frozen=True, slots=True, kw_only=True)
class AdmsRequest:
    """A parsed terminal request; ``query`` keeps every query parameter as sent."""

    kind: RequestKind
    serial: str
    table: str | None = None
    stamp: str | None = None
    push_version: str | None = None
    language: str | None = None
    options: str | None = None
    info: str | None = None  # getrequest's INFO=... (firmware and counters, comma separated)
    query: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def known_table(self) -> Table | None:
        """The table as a Table member, matched without regard to case."""
        if self.table is None:
            return None
        lowered = self.table.lower()
        return next((table for table in Table if table.value.lower() == lowered), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class HandshakeOptions:
    """What the handshake tells a terminal.

    ``delay`` is the poll interval in seconds (how long a queued command waits at most),
    ``error_delay`` the retry interval after a failed request, ``realtime`` asks for each
    punch at once (otherwise at ``trans_interval`` minutes and the ``trans_times``).
    Stamps are the terminal's own upload markers; ``None`` (the text) asks for everything.
    ``time_zone_minutes`` is the offset from UTC the terminal applies to the ``Date``
    header of every reply to set its clock; None leaves the terminal's own zone alone.
    """

    delay: int = 10
    error_delay: int = 30
    realtime: bool = True
    trans_interval: int = 1
    trans_times: tuple[str, ...] = ("00:00", "14:05")
    trans_flag: tuple[str, ...] = ("TransData AttLog", "OpLog", "AttPhoto", "EnrollUser", "ChgUser")
    attlog_stamp: str = "None"
    operlog_stamp: str = "None"
    attphoto_stamp: str = "None"
    time_zone_minutes: int | None = None
    encrypt: int = 0
    server_version: str = "2.4.1"
    push_protocol_version: str = "2.4.1"


@dataclass(frozen=True, slots=True, kw_only=True)
class PushOptions:
    """What the v3 ``/iclock/push`` answer tells a terminal (same meanings as the handshake)."""

    request_delay: int = 10
    error_delay: int = 30
    realtime: bool = True
    trans_interval: int = 1
    trans_tables: tuple[str, ...] = ("User", "Transaction")
    timeout_seconds: int = 10
    session_id: str | None = None
    server_name: str = "devicehub"
    server_version: str = "3.1.2"
    push_version: str = "3.1.2"


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendanceLine:
    """One punch of an ATTLOG upload; ``time`` is naive, in the terminal's local time."""

    user_id: str
    time: datetime
    status: int
    verify: int
    work_code: str = "0"

    @property
    def key(self) -> str:
        """What makes a punch unique (user, time, status): a resent batch repeats the
        same keys. A string, so a set of a whole backlog's keys costs the garbage
        collector nothing (tuples of them would be tracked and promoted)."""
        return punch_key(self.user_id, self.time, self.status)


def punch_key(user_id: str, time: datetime, status: int) -> str:
    """The duplicate key of a punch: ``<user>\t<yyyy-mm-dd hh:mm:ss>\t<status>``."""
    return f"{user_id}\t{time.isoformat(sep=' ')}\t{status}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedLines[T]:
    """Records read from a body; malformed lines are counted and skipped, never fatal."""

    records: tuple[T, ...]
    malformed: int = 0
    first_malformed_reason: str | None = None

    @property
    def total(self) -> int:
        """Lines read: good ones plus skipped ones (what ``OK: <n>`` acknowledges)."""
        return len(self.records) + self.malformed


@dataclass(frozen=True, slots=True, kw_only=True)
class UserLine:
    """A ``USER PIN=..`` line of an OPERLOG upload (or a USERINFO query answer)."""

    user_id: str
    name: str = ""
    privilege: int = 0
    password: str | None = None
    card: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OperLog:
    """An OPERLOG upload: user lines, how many operation lines, and what was skipped."""

    users: tuple[UserLine, ...]
    operations: int = 0
    others: int = 0  # fingerprint/face template lines and other known kinds, not read
    malformed: int = 0
    first_malformed_reason: str | None = None

    @property
    def total(self) -> int:
        """Lines read in all."""
        return len(self.users) + self.operations + self.others + self.malformed


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendancePhoto:
    """An ATTPHOTO upload: the picture's name (time and PIN) and its bytes."""

    name: str
    size: int
    image: bytes
    user_id: str | None = None
    time: datetime | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceInfo:
    """Key=value facts a terminal reports (INFO result, registry body, options upload)."""

    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, *keys: str) -> str | None:
        """Return the first of these keys that is present (terminals differ in spelling)."""
        return next((self.values[key] for key in keys if key in self.values), None)

    @property
    def device_name(self) -> str | None:
        """The model name, e.g. SpeedFace-V5L-RFID[TI]."""
        return self.get("DeviceName")

    @property
    def firmware(self) -> str | None:
        """The firmware version, e.g. ZAM180-NF-Ver1.1.17."""
        return self.get("FWVersion", "FirmVer", "FirmwareVersion")

    @property
    def serial(self) -> str | None:
        """The serial number, when the terminal repeats it."""
        return self.get("SerialNumber", "SN")

    @property
    def mac(self) -> str | None:
        """The MAC address."""
        return self.get("MAC", "MACAddress")

    @property
    def platform(self) -> str | None:
        """The hardware platform, e.g. ZAM180_TFT."""
        return self.get("Platform")

    def count(self, *keys: str) -> int | None:
        """A counter (UserCount, AttLogCount...) as an int, None if absent or not a number."""
        value = self.get(*keys)
        return int(value) if value is not None and value.isdigit() else None


@dataclass(frozen=True, slots=True, kw_only=True)
class PollInfo:
    """The ``INFO=`` parameter of a v2 ``getrequest``: firmware and counters."""

    firmware: str
    users: int | None = None
    fingerprints: int | None = None
    records: int | None = None
    ip_address: str | None = None
    raw: tuple[str, ...] = ()


class ReturnMeaning(StrEnum):
    """What a command's ``Return=`` code means (the specification's appendix 1)."""

    SUCCESS = "success"  # 0 (and positive counts)
    BAD_PARAMETER = "bad_parameter"  # -1; real firmware also answers -1 for "no data"
    SIZE_MISMATCH = "size_mismatch"  # -2 photo, -9 template data not matching Size
    READ_WRITE_ERROR = "read_write_error"  # -3
    USER_NOT_FOUND = "user_not_found"  # -10
    BAD_TEMPLATE = "bad_template"  # -11, -12
    CAPACITY = "capacity"  # -1001
    UNSUPPORTED = "unsupported"  # -1002: the device does not support the command
    TIMEOUT = "timeout"  # -1003
    NOT_CONFIGURED = "not_configured"  # -1004: data does not fit the device configuration
    BUSY = "busy"  # -1005
    TOO_LONG = "too_long"  # -1006
    MEMORY_ERROR = "memory_error"  # -1007
    SERVER_DATA_FAILED = "server_data_failed"  # -1008
    ERROR = "error"  # any other negative code


_MEANINGS: dict[int, ReturnMeaning] = {
    -1: ReturnMeaning.BAD_PARAMETER,
    -2: ReturnMeaning.SIZE_MISMATCH,
    -3: ReturnMeaning.READ_WRITE_ERROR,
    -9: ReturnMeaning.SIZE_MISMATCH,
    -10: ReturnMeaning.USER_NOT_FOUND,
    -11: ReturnMeaning.BAD_TEMPLATE,
    -12: ReturnMeaning.BAD_TEMPLATE,
    -1001: ReturnMeaning.CAPACITY,
    -1002: ReturnMeaning.UNSUPPORTED,
    -1003: ReturnMeaning.TIMEOUT,
    -1004: ReturnMeaning.NOT_CONFIGURED,
    -1005: ReturnMeaning.BUSY,
    -1006: ReturnMeaning.TOO_LONG,
    -1007: ReturnMeaning.MEMORY_ERROR,
    -1008: ReturnMeaning.SERVER_DATA_FAILED,
}


def return_meaning(code: int) -> ReturnMeaning:
    """Map a ``Return=`` code onto its meaning."""
    if code >= 0:
        return ReturnMeaning.SUCCESS
    return _MEANINGS.get(code, ReturnMeaning.ERROR)


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandResult:
    """One ``ID=..&Return=..&CMD=..`` result; ``data`` holds key=value lines that follow it
    (an INFO result carries the device facts there). ``command_id`` is the id the server
    gave the command (letters and digits, up to 16)."""

    command_id: str
    return_code: int
    command: str = ""
    data: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def meaning(self) -> ReturnMeaning:
        """What the return code means."""
        return return_meaning(self.return_code)

    @property
    def succeeded(self) -> bool:
        """Tell whether the terminal carried the command out."""
        return self.meaning is ReturnMeaning.SUCCESS
