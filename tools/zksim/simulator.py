"""The public face of the simulator: start/stop, data, punches, observations, faults."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
import logging
import random
import threading
from types import TracebackType
from typing import Self

from .access_events import AccessEventPacket
from .attlog import AttendanceColumns
from .clock import DeviceClock
from .config import SimulatorConfig
from .datagen import generate_attendance, generate_users
from .device import Device, DeviceBusyError, UnlockPulse, UserDisabledError, UserWrite
from .faults import Faults
from .protocol import DatasetKind
from .records import AttendanceRecord, Template, User
from .server import SimulatorServer
from .session import SessionRegistry

_LOGGER = logging.getLogger(__name__)


class TerminalSimulator:
    """A ZKTeco terminal on loopback that unmodified pyzk 0.9 talks to over TCP and UDP.

    Usable as a context manager. Every method is safe to call from any thread.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.config.validate()
        # Data comes from its own generator so runtime randomness never shifts it.
        self._data_rng = random.Random(self.config.seed)
        self._runtime_rng = random.Random(f"runtime-{self.config.seed}")
        self.faults = Faults()
        self._device = Device(self.config)
        self._registry = SessionRegistry(self._runtime_rng)
        self._server = SimulatorServer(
            self.config, self._device, self.faults, self._registry, self._runtime_rng
        )
        self._stop = threading.Event()
        self._punch_timer: threading.Thread | None = None
        self._running = False
        self.generate_users(self.config.users)
        if self.config.records:
            self.generate_records(self.config.records, self.config.records_last_day)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving; returns self."""
        if self._running:
            return self
        self._server.start()
        self._running = True
        if self.config.punch_every:
            self._punch_timer = threading.Thread(
                target=self._punch_periodically, name=f"zksim-punch-{self.port}", daemon=True
            )
            self._punch_timer.start()
        return self

    def stop(self) -> None:
        """Stop serving; joins every thread and closes every socket."""
        self._stop.set()
        if self._punch_timer is not None:
            self._punch_timer.join()
            self._punch_timer = None
        self._server.stop()
        self._running = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """The address served."""
        return self.config.host

    @property
    def port(self) -> int:
        """The port served (TCP and UDP alike); 0 before start()."""
        return self._server.port

    # --- data ----------------------------------------------------------------------------

    @property
    def users(self) -> list[User]:
        """Enrolled users by uid."""
        return self._device.users()

    def user(self, user_id: str) -> User | None:
        """The user with this PIN, if enrolled."""
        return self._device.user_by_pin(user_id)

    def add_users(self, users: Iterable[User]) -> None:
        """Enroll (or replace, by uid) users."""
        self._device.put_users(users)

    def generate_users(self, count: int) -> list[User]:
        """Enroll count more seeded users (uids after the highest, unused PINs)."""
        taken = {user.user_id for user in self._device.users()}
        users = generate_users(
            self._data_rng,
            count,
            encoding=self.config.encoding,
            first_uid=self._device.next_uid(),
            exclude_pins=taken,
        )
        self._device.put_users(users)
        return users

    @property
    def records(self) -> list[AttendanceRecord]:
        """The attendance log, oldest first."""
        return self._device.records()

    @property
    def record_count(self) -> int:
        """Number of punches in the log (cheaper than len(records))."""
        return self._device.record_count()

    def add_records(self, records: Iterable[AttendanceRecord]) -> None:
        """Append punches in bulk (no realtime events)."""
        self._device.add_records(AttendanceColumns.from_records(records))

    def generate_records(self, count: int, last_day: date | None = None) -> None:
        """Append count seeded punches by enrolled users, on workdays ending last_day.

        last_day defaults to the device's yesterday.
        """
        day = last_day or (self._device.clock.now() - timedelta(days=1)).date()
        columns = generate_attendance(self._data_rng, self._device.users(), count, day)
        self._device.add_records(columns)

    def attendance_dataset(self) -> bytes:
        """The attendance dataset exactly as a bulk read sends it (built once, then cached)."""
        return self._device.dataset(DatasetKind.ATTENDANCE, self.faults.invalid_dates_every)

    def clear_records(self) -> None:
        """Empty the log behind the clients' backs ("cleared by someone else")."""
        self._device.clear_records()

    @property
    def templates(self) -> list[Template]:
        """Fingerprint templates by (uid, fid)."""
        return self._device.templates()

    def add_template(self, uid: int, fid: int, data: bytes, valid: int = 1) -> Template:
        """Store a fingerprint template."""
        template = Template(uid=uid, fid=fid, data=data, valid=valid)
        self._device.put_templates([template])
        return template

    # --- live behaviour ------------------------------------------------------------------

    def inject_punch(
        self, user_id: str | int, punch: int = 0, verify: int = 1, when: datetime | None = None
    ) -> AttendanceRecord:
        """Someone punches: log it and push it to every session registered for events.

        An unknown PIN punches with uid 0 (pyzk then falls back to int(user_id)). A terminal
        a client disabled (CMD_DISABLEDEVICE) refuses the punch: DeviceBusyError, nothing
        logged or sent, like the "device busy" screen of a real one. A user whose record is
        disabled (privilege bit 0) is refused the same way: UserDisabledError.
        """
        pin = str(user_id)
        user = self._device.user_by_pin(pin)
        stamp = (when or self._device.clock.now()).replace(microsecond=0, tzinfo=None)
        record = AttendanceRecord(
            uid=user.uid if user else 0, user_id=pin, timestamp=stamp, verify=verify, punch=punch
        )
        self._device.accept_punch(record)
        self._registry.broadcast(record)
        return record

    def inject_access_event(self, flag: int, payload: bytes) -> int:
        """The terminal reports an access-control event (EF_ALARM, EF_VERIFY, ...): it goes to
        every session registered for its class; returns how many sessions queued it.

        ``payload`` is sent as given, so a test may send bytes that fit no layout; the
        helpers of tools.zksim.access_events build the manual's layouts.
        """
        return self._registry.broadcast_access(AccessEventPacket(flag, payload))

    def wait_for_access_events_sent(self, count: int, timeout: float = 5.0) -> bool:
        """Block until count access-control events in total have gone out."""
        device = self._device
        with device.lock:
            return device.events_changed.wait_for(
                lambda: len(device.access_events_sent) >= count, timeout
            )

    @property
    def access_events_sent(self) -> list[tuple[int, AccessEventPacket]]:
        """(session id, event) of every access-control event sent, oldest first."""
        with self._device.lock:
            return list(self._device.access_events_sent)

    def reboot(self, down_for: float = 0.0) -> None:
        """Reboot: every session is silently forgotten (no more events, no replies on old
        TCP connections); new connections are reset and UDP ignored for down_for seconds."""
        self._server.reboot(down_for)

    def wait_until_up(self, timeout: float = 10.0) -> bool:
        """Block until a reboot's down time is over."""
        remaining = self._device.seconds_down()
        if remaining > timeout:
            return False
        self._stop.wait(remaining)
        return self._device.seconds_down() == 0

    def wait_for_listeners(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Block until count sessions have registered for realtime events."""
        return self._registry.wait_for_listeners(count, timeout)

    def wait_for_events_sent(self, count: int, timeout: float = 5.0) -> bool:
        """Block until count realtime events in total have gone out."""
        device = self._device
        with device.lock:
            return device.events_changed.wait_for(lambda: len(device.events_sent) >= count, timeout)

    @property
    def event_size(self) -> int:
        """Payload length of realtime events (12, 32, 36, 52 or anything, to test)."""
        return self._server.event_size

    @event_size.setter
    def event_size(self, size: int) -> None:
        if size < 1:
            raise ValueError("event size must be positive")
        self._server.event_size = size

    @property
    def session_count(self) -> int:
        """Sessions currently connected (this boot)."""
        return len(self._registry.sessions())

    # --- observations --------------------------------------------------------------------

    @property
    def clock(self) -> DeviceClock:
        """The device clock: now(), set(), jump(), offset."""
        return self._device.clock

    @property
    def unlocks(self) -> list[UnlockPulse]:
        """Every door pulse requested, oldest first."""
        with self._device.lock:
            return list(self._device.unlocks)

    @property
    def time_sets(self) -> list[datetime]:
        """Every time a client set the clock to, oldest first."""
        with self._device.lock:
            return list(self._device.time_sets)

    @property
    def user_writes(self) -> list[UserWrite]:
        """Every CMD_USER_WRQ received, oldest first."""
        with self._device.lock:
            return list(self._device.user_writes)

    @property
    def voices(self) -> list[int]:
        """Every test_voice index played."""
        with self._device.lock:
            return list(self._device.voices)

    @property
    def events_sent(self) -> list[tuple[int, AttendanceRecord]]:
        """(session id, punch) of every realtime event sent."""
        with self._device.lock:
            return list(self._device.events_sent)

    @property
    def restarts(self) -> int:
        """CMD_RESTART count."""
        return self._device.restarts

    @property
    def poweroffs(self) -> int:
        """CMD_POWEROFF count."""
        return self._device.poweroffs

    @property
    def enabled(self) -> bool:
        """False between a client's disable_device and enable_device (punches are refused)."""
        return self._device.enabled

    def _punch_periodically(self) -> None:
        period = self.config.punch_every or 0.0
        while not self._stop.wait(period):
            users = self._device.users()
            if not users:
                continue
            user = self._runtime_rng.choice(users)
            try:
                record = self.inject_punch(
                    user.user_id,
                    punch=self._runtime_rng.choice((0, 1)),
                    verify=self._runtime_rng.choice((1, 15, 4)),
                )
            except (DeviceBusyError, UserDisabledError) as err:
                _LOGGER.info("%s", err)
                continue
            _LOGGER.info("punch: %s (%s) at %s", user.name, user.user_id, record.timestamp)
