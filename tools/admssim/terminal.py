"""The terminal's own data: clock, users, attendance log and what is still to upload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

TERMINAL_TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Punch:
    """A punch in the terminal's log; ``seq`` is the terminal's record number (its stamp)."""

    seq: int
    user_id: str
    time: datetime  # naive, terminal local time
    status: int = 0
    verify: int = 1
    work_code: str = "0"

    def line(self) -> str:
        """The ATTLOG upload line: PIN, time, status, verify, work code, two reserved."""
        when = self.time.strftime(TERMINAL_TIME)
        return f"{self.user_id}\t{when}\t{self.status}\t{self.verify}\t{self.work_code}\t0\t0"


@dataclass(slots=True)
class SimUser:
    """A user enrolled on the simulated terminal."""

    user_id: str
    name: str = ""
    privilege: int = 0
    password: str = ""
    card: str = ""
    group: str = "1"

    def line(self) -> str:
        """The OPERLOG ``USER`` line."""
        return (
            f"USER PIN={self.user_id}\tName={self.name}\tPri={self.privilege}\t"
            f"Passwd={self.password}\tCard={self.card}\tGrp={self.group}\t"
            "TZ=0000000100000000\tVerify=0"
        )


@dataclass(slots=True)
class TerminalClock:
    """The terminal clock: host UTC plus the terminal's zone, its skew and any set time."""

    utc_offset: timedelta
    skew: timedelta = timedelta()
    now_utc: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        """Terminal local time, naive, to the second (as terminals store it)."""
        local = self.now_utc() + self.utc_offset + self.skew
        return local.replace(tzinfo=None, microsecond=0)

    def set(self, local: datetime) -> None:
        """Set the clock (a SET OPTION DateTime): the skew becomes the difference."""
        true_local = (self.now_utc() + self.utc_offset).replace(tzinfo=None)
        self.skew = local - true_local


@dataclass(slots=True)
class TerminalData:
    """Users, the attendance log, and the queues of lines not yet acknowledged."""

    users: dict[str, SimUser] = field(default_factory=dict)
    log: list[Punch] = field(default_factory=list)
    pending_punches: list[Punch] = field(default_factory=list)
    pending_operlog: list[str] = field(default_factory=list)

    def add_punch(self, user_id: str, time: datetime, status: int, verify: int) -> Punch:
        """Log a punch and queue it for upload."""
        punch = Punch(len(self.log) + 1, user_id, time, status, verify)
        self.log.append(punch)
        self.pending_punches.append(punch)
        return punch
