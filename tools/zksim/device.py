"""The terminal's state (users, log, templates, options, power) and what it was asked to do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
import struct
import threading
import time

from .access_events import AccessEventPacket
from .attlog import AttendanceColumns, AttendanceLog
from .clock import DeviceClock
from .config import SimulatorConfig
from .protocol import DatasetKind
from .records import (
    AttendanceRecord,
    Template,
    User,
    encode_templates_dataset,
    encode_users_dataset,
)

FREE_SIZES: struct.Struct = struct.Struct("<20i3i")


class DeviceBusyError(RuntimeError):
    """A punch at a disabled terminal: refused, the screen shows "device busy"."""


class UserDisabledError(RuntimeError):
    """A punch by a user whose record has the disabled bit (privilege bit 0): refused."""


# Bit 0 of a user's privilege: the user may not punch.
PRIVILEGE_DISABLED = 0x01


@dataclass(frozen=True, slots=True)
class UnlockPulse:
    """A CMD_UNLOCK the terminal obeyed: the door relay pulse and how long it lasts."""

    seconds: float
    at: datetime
    session_id: int


@dataclass(frozen=True, slots=True)
class UserWrite:
    """A CMD_USER_WRQ as received: the user and the record layout (28 or 72 bytes) used."""

    user: User
    record_size: int
    session_id: int


class Device:
    """All terminal state behind one lock; safe to use from any thread."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock = DeviceClock(config.clock_offset)
        self._users: dict[int, User] = {}
        self._log = AttendanceLog(config.eight_byte_layout)
        self._templates: dict[tuple[int, int], Template] = {}
        self._options = config.option_table()
        self._users_dataset: bytes | None = None
        self.enabled = True
        self.boot_id = 0
        self._down_until = 0.0
        self.unlocks: list[UnlockPulse] = []
        self.time_sets: list[datetime] = []
        self.user_writes: list[UserWrite] = []
        self.voices: list[int] = []
        self.restarts = 0
        self.poweroffs = 0
        self.events_sent: list[tuple[int, AttendanceRecord]] = []
        self.access_events_sent: list[tuple[int, AccessEventPacket]] = []
        self.events_changed = threading.Condition(self.lock)

    # --- power -------------------------------------------------------------------------

    def reboot(self, down_for: float) -> None:
        """Forget every session (by a new boot id) and stay unreachable for down_for seconds."""
        with self.lock:
            self.boot_id += 1
            self._down_until = time.monotonic() + max(0.0, down_for)
            self.enabled = True

    def seconds_down(self) -> float:
        """Seconds until the device answers again (0 when it is up)."""
        return max(0.0, self._down_until - time.monotonic())

    def note_event_sent(self, session_id: int, record: AttendanceRecord) -> None:
        """Remember a realtime event that went out, waking anyone waiting for it."""
        with self.lock:
            self.events_sent.append((session_id, record))
            self.events_changed.notify_all()

    def note_access_event_sent(self, session_id: int, packet: AccessEventPacket) -> None:
        """Remember an access-control event that went out, waking anyone waiting for it."""
        with self.lock:
            self.access_events_sent.append((session_id, packet))
            self.events_changed.notify_all()

    # --- users -------------------------------------------------------------------------

    def users(self) -> list[User]:
        """Enrolled users by uid."""
        with self.lock:
            return [self._users[uid] for uid in sorted(self._users)]

    def user_by_pin(self, user_id: str) -> User | None:
        """The user with this PIN, if enrolled."""
        with self.lock:
            return next((u for u in self._users.values() if u.user_id == user_id), None)

    def put_users(self, users: Iterable[User]) -> None:
        """Add or replace users (by uid)."""
        with self.lock:
            for user in users:
                self._users[user.uid] = user
            self._users_dataset = None

    def delete_user(self, uid: int) -> bool:
        """Remove a user and its templates; False if no such uid."""
        with self.lock:
            if self._users.pop(uid, None) is None:
                return False
            for key in [key for key in self._templates if key[0] == uid]:
                del self._templates[key]
            self._users_dataset = None
            return True

    def next_uid(self) -> int:
        """The lowest uid above every enrolled one."""
        with self.lock:
            return max(self._users, default=0) + 1

    # --- attendance --------------------------------------------------------------------

    def records(self) -> list[AttendanceRecord]:
        """The attendance log, oldest first."""
        with self.lock:
            return self._log.records()

    def record_count(self) -> int:
        """Number of punches in the log."""
        with self.lock:
            return len(self._log)

    def last_record(self) -> AttendanceRecord | None:
        """The newest punch, if any."""
        with self.lock:
            return self._log.record(-1) if len(self._log) else None

    def add_records(self, columns: AttendanceColumns) -> None:
        """Append punches in bulk."""
        with self.lock:
            self._log.extend(columns)

    def append_record(self, record: AttendanceRecord) -> None:
        """Append one punch."""
        with self.lock:
            self._log.append(record)

    def set_enabled(self, enabled: bool) -> None:
        """CMD_ENABLEDEVICE / CMD_DISABLEDEVICE: whether the terminal takes punches."""
        with self.lock:
            self.enabled = enabled

    def accept_punch(self, record: AttendanceRecord) -> None:
        """Log a punch made at the terminal; a disabled one refuses it (DeviceBusyError).

        Under the lock, so once a disable is acknowledged no punch gets into the log.
        """
        with self.lock:
            if not self.enabled:
                raise DeviceBusyError(f"punch by {record.user_id} refused: the terminal is busy")
            user = self._users.get(record.uid)
            if user is not None and user.privilege & PRIVILEGE_DISABLED:
                raise UserDisabledError(f"punch by {record.user_id} refused: user disabled")
            self._log.append(record)

    def clear_records(self) -> None:
        """Empty the attendance log."""
        with self.lock:
            self._log.clear()

    # --- templates ---------------------------------------------------------------------

    def templates(self) -> list[Template]:
        """Fingerprint templates by (uid, fid)."""
        with self.lock:
            return [self._templates[key] for key in sorted(self._templates)]

    def template(self, uid: int, fid: int) -> Template | None:
        """One template, if stored."""
        with self.lock:
            return self._templates.get((uid, fid))

    def put_templates(self, templates: Iterable[Template]) -> None:
        """Add or replace templates."""
        with self.lock:
            for template in templates:
                self._templates[template.uid, template.fid] = template

    def delete_template(self, uid: int, fid: int) -> bool:
        """Remove one template; False if absent."""
        with self.lock:
            return self._templates.pop((uid, fid), None) is not None

    def clear_all(self) -> None:
        """CMD_CLEAR_DATA: users, punches and templates all go."""
        with self.lock:
            self._users.clear()
            self._templates.clear()
            self._log.clear()
            self._users_dataset = None

    # --- options and datasets ----------------------------------------------------------

    def option(self, key: str) -> str | None:
        """An option's value; None when the terminal does not know the key."""
        with self.lock:
            return self._options.get(key)

    def set_option(self, key: str, value: str) -> None:
        """CMD_OPTIONS_WRQ."""
        with self.lock:
            self._options[key] = value

    def free_sizes(self, records_skew: int = 0) -> bytes:
        """The 92-byte CMD_GET_FREE_SIZES reply: counts, capacities and free space."""
        cfg = self.config
        with self.lock:
            users = len(self._users)
            records = len(self._log) + records_skew
            fingers = len(self._templates)
            admins = sum(1 for user in self._users.values() if user.privilege & 0x0E)
        user_cap = max(cfg.user_capacity, users)
        record_cap = max(cfg.record_capacity, records)
        finger_cap = max(cfg.finger_capacity, fingers)
        fields = [0] * 23
        fields[4] = users
        fields[6] = fingers
        fields[8] = records
        fields[12] = admins
        fields[14] = finger_cap
        fields[15] = user_cap
        fields[16] = record_cap
        fields[17] = finger_cap - fingers
        fields[18] = user_cap - users
        fields[19] = record_cap - records
        fields[20] = 0  # faces
        fields[22] = cfg.face_capacity
        # Some firmware (AK3750WIFI_TFT) answers with only the first 4 bytes.
        return FREE_SIZES.pack(*fields)[: cfg.counters_bytes]

    def dataset(self, kind: DatasetKind, invalid_dates_every: int = 0) -> bytes:
        """A bulk-read dataset; cached until its data changes."""
        cfg = self.config
        with self.lock:
            if kind is DatasetKind.ATTENDANCE:
                return self._log.dataset(cfg.record_size, invalid_dates_every)
            if kind is DatasetKind.USERS:
                if self._users_dataset is None:
                    users = [self._users[uid] for uid in sorted(self._users)]
                    self._users_dataset = encode_users_dataset(users, cfg.user_size, cfg.encoding)
                return self._users_dataset
            return encode_templates_dataset(self.templates())
