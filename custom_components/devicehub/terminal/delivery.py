"""Delivers each punch of a terminal exactly once, live or caught up from the attendance log.

Punches reach Home Assistant two ways: live events while live capture is connected, and the
attendance log read back after a gap (startup, a lost connection, polling mode). Both go
through one lock and one cursor, so a punch seen both ways is delivered once. While the
stream has a gap, live events are held until the log has been caught up: delivering them
first would move the cursor past the punches that were missed.
"""

import asyncio
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from ..punch import punch_type, verify_method
from ..zk.async_terminal import AsyncTerminal
from ..zk.models import AttendanceBatch, AttendanceRecord, LiveEvent
from .const import LOGGER
from .cursor import AttendanceCursor, CursorPosition, PunchKey
from .users import UserDirectory

# Live events held while catching up; older ones are still in the log and get caught up.
MAX_HELD_EVENTS = 500


class UndeliveredRecordsError(Exception):
    """The log holds punches not delivered yet; clearing it would lose them."""

    def __init__(self, count: int) -> None:
        """Keep how many."""
        super().__init__(f"{count} records not delivered yet")
        self.count = count


@dataclass(frozen=True, slots=True)
class Punch:
    """A delivered punch, ready for entities and automations."""

    user_id: str
    user_name: str | None
    timestamp: datetime  # tz-aware, in the terminal's time zone
    punch_type: str
    verify: str
    # Read back from the log after HA or the link was down, rather than seen live.
    late: bool


def punch_key(item: AttendanceRecord | LiveEvent) -> PunchKey:
    """The dedupe key of a record or live event."""
    return PunchKey(item.user_id, item.timestamp.replace(microsecond=0), item.punch)


class PunchDelivery:
    """Exactly-once delivery of one terminal's punches to its listeners."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        terminal: AsyncTerminal,
        *,
        cursor: AttendanceCursor,
        users: UserDirectory,
        time_zone: tzinfo,
    ) -> None:
        """Wire the delivery to its terminal; the stream starts with a gap to catch up."""
        self._hass = hass
        self._entry = entry
        self._terminal = terminal
        self._cursor = cursor
        self._users = users
        self._time_zone = time_zone
        self._lock = asyncio.Lock()
        self._listeners: list[Callable[[Punch], None]] = []
        self._has_gap = True
        self._held: deque[LiveEvent] = deque(maxlen=MAX_HELD_EVENTS)
        # Live events that arrived and wait for the lock: a catch-up finding them in the log
        # delivers them as live, not late.
        self._live_waiting: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self.last_punch: Punch | None = None
        self.invalid_records = 0

    @property
    def has_gap(self) -> bool:
        """Whether punches may have been missed since the last catch-up."""
        return self._has_gap

    @callback
    def mark_gap(self) -> None:
        """Note that the punch stream was interrupted; hold live events until caught up."""
        self._has_gap = True

    @callback
    def async_add_listener(self, listener: Callable[[Punch], None]) -> CALLBACK_TYPE:
        """Call listener with every delivered punch, in order."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def handle_live_event(self, event: LiveEvent) -> None:
        """Take a live event from live capture (called in the event loop)."""
        self._live_waiting[punch_key(event).ident] += 1
        task = self._entry.async_create_background_task(
            self._hass, self._async_handle_live_event(event), "devicehub live punch"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def async_stop(self) -> None:
        """Drop live events not yet delivered; they are in the log for the next start."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _async_handle_live_event(self, event: LiveEvent) -> None:
        ident = punch_key(event).ident
        # asyncio.Lock wakes waiters in arrival order, so live events keep their order.
        async with self._lock:
            self._live_waiting[ident] -= 1
            if self._live_waiting[ident] <= 0:
                del self._live_waiting[ident]
            if self._has_gap:
                self._held.append(event)
                return
            await self._async_deliver_live(event)

    async def _async_deliver_live(self, event: LiveEvent) -> None:
        key = punch_key(event)
        if not self._cursor.is_new_live(key):
            LOGGER.debug("Live punch already delivered: %s", key.ident)
            return
        name = await self._users.async_resolve(event.user_id)
        self._deliver(key, event.verify, name, late=False)

    async def async_catch_up(self) -> None:
        """Deliver every punch of the log after the cursor; raises TerminalError.

        On the very first run the cursor is placed at the terminal's present instead: its
        history is not news.
        """
        async with self._lock:
            late = self._has_gap
            batch = await self._terminal.get_attendance()
            self.invalid_records = batch.invalid
            if self._cursor.position is None:
                await self._async_start_cursor(batch.records)
            else:
                live = {punch_key(event).ident for event in self._held}
                live.update(self._live_waiting)
                new = [r for r in batch.records if self._cursor.is_new(punch_key(r))]
                # Stable sort: punches within one second keep their order in the log.
                new.sort(key=lambda record: record.timestamp)
                for record in new:
                    key = punch_key(record)
                    name = await self._users.async_resolve(record.user_id)
                    self._deliver(key, record.verify, name, late=late and key.ident not in live)
            self._has_gap = False
            held = list(self._held)
            self._held.clear()
            for event in held:
                await self._async_deliver_live(event)

    async def async_clear_log(self) -> int:
        """Clear the terminal's attendance log if every record in it was delivered.

        Returns how many records were cleared; raises UndeliveredRecordsError otherwise.
        The check and the clear are one call of the terminal's client, with the terminal
        disabled throughout (it refuses punches meanwhile, so none made between the check
        and the clear is lost), and under the delivery lock, so no catch-up comes between.
        """
        async with self._lock:
            position = self._cursor.position
            result = await self._terminal.clear_attendance_if(
                lambda batch: _undelivered(batch, position) == 0
            )
        if not result.cleared:
            raise UndeliveredRecordsError(_undelivered(result.batch, position))
        return len(result.batch.records) + result.batch.invalid

    async def _async_start_cursor(self, records: list[AttendanceRecord]) -> None:
        device_now = (await self._terminal.get_time()).replace(microsecond=0)
        keys = [punch_key(record) for record in records]
        newest = max((key.timestamp for key in keys), default=device_now)
        self._cursor.start_at(max(newest, device_now), keys)
        LOGGER.debug("Attendance cursor starts at %s", max(newest, device_now))

    def _deliver(self, key: PunchKey, verify: int, name: str | None, *, late: bool) -> None:
        self._cursor.advance(key)
        punch = Punch(
            user_id=key.user_id,
            user_name=name,
            timestamp=key.timestamp.replace(tzinfo=self._time_zone),
            punch_type=punch_type(key.punch),
            verify=verify_method(verify),
            late=late,
        )
        self.last_punch = punch
        for listener in list(self._listeners):
            listener(punch)


def _undelivered(batch: AttendanceBatch, position: CursorPosition | None) -> int:
    """How many records of the log are after the position, so never delivered."""
    return sum(
        1 for record in batch.records if position is None or position.is_new(punch_key(record))
    )
