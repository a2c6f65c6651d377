"""Delivers each punch of a terminal exactly once, live or caught up from the attendance log.

Punches reach Home Assistant two ways: live events while live capture is connected, and the
attendance log read back after a gap (startup, a lost connection, polling mode). Both go
into one queue, worked off in order by one consumer task against one cursor, so a punch seen
both ways is delivered once. While the stream has a gap, live events are held until the log
has been read back: delivering them first would move the cursor past the punches missed.

Each punch is recorded in the cursor's journal right before it is announced (a memory write
that survives a kill; the Store follows in the background): a crash right after a delivery
then cannot announce it again after the restart, and a kill before it leaves the punch new.
bench/durable_delivery.py measures the price per punch.

The consumer runs while the queue holds work and ends when it is empty (the next item starts
it again): a background task that never ends would keep every wait for background tasks
(hass.async_block_till_done(wait_background_tasks=True)) from returning.
"""

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN
from ..punch import Punch, punch_type, verify_method
from ..zk.async_terminal import AsyncTerminal
from ..zk.errors import TerminalError, TerminalLayoutUnknown
from ..zk.models import AttendanceBatch, AttendanceRecord, LiveEvent
from .const import CATCH_UP_RETRY_MAX, CATCH_UP_RETRY_MIN, LOGGER
from .cursor import AttendanceCursor, CursorPosition, PunchKey
from .issues import async_note_layout_known, async_note_unknown_layout
from .users import UserDirectory

# Live events held while catching up; older ones are still in the log and get caught up.
MAX_HELD_EVENTS = 500


class UndeliveredRecordsError(Exception):
    """The log holds punches not delivered yet; clearing it would lose them."""

    def __init__(self, count: int) -> None:
        """Keep how many."""
        super().__init__(f"{count} records not delivered yet")
        self.count = count


def punch_key(item: AttendanceRecord | LiveEvent) -> PunchKey:
    """The dedupe key of a record or live event."""
    return PunchKey(item.user_id, item.timestamp.replace(microsecond=0), item.punch)


@dataclass(frozen=True, slots=True)
class _Live:
    """A live event on the queue, with its key built once."""

    key: PunchKey
    verify: int


@dataclass(slots=True)
class _CatchUp:
    """A request to read the log back; its waiters learn when a read after it has run."""

    waiters: list[asyncio.Future[None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _ClearLog:
    """A request to clear the log; answered with how many records went."""

    result: asyncio.Future[int]


type _Item = _Live | _CatchUp | _ClearLog


class PunchDelivery:
    """Exactly-once delivery of one terminal's punches to its listeners, by one consumer."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        terminal: AsyncTerminal,
        *,
        cursor: AttendanceCursor,
        users: UserDirectory,
        time_zone: tzinfo,
        log_size: Callable[[], int | None],
    ) -> None:
        """Wire the delivery to its terminal; the stream starts with a gap to catch up.

        log_size tells the records counter of the latest poll: polling mode skips a log
        that has not grown since it was last read.
        """
        self._hass = hass
        self._entry = entry
        self._terminal = terminal
        self._cursor = cursor
        self._users = users
        self._time_zone = time_zone
        self._log_size = log_size
        self._queue: deque[_Item] = deque()
        self._consumer: asyncio.Task[None] | None = None
        self._running = False
        self._listeners: list[Callable[[Punch], None]] = []
        self._has_gap = True
        # Live events seen during a gap, delivered once the log has been read back.
        self._held: deque[_Live] = deque(maxlen=MAX_HELD_EVENTS)
        # The catch-up request still on the queue: later requests join it.
        self._pending_catch_up: _CatchUp | None = None
        self._failures = 0
        self._cancel_retry: CALLBACK_TYPE | None = None
        # The records counter when the log was last read: polling mode skips unchanged logs.
        self.records_caught_up: int | None = None
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
    def async_start(self) -> None:
        """Start working off the queue; what was queued before runs first."""
        self._running = True
        self._wake_consumer()

    async def async_stop(self) -> None:
        """Stop the consumer; live events not delivered yet are in the log for next time."""
        self._running = False
        self._stop_retry_timer()
        if self._consumer is not None:
            self._consumer.cancel()
            await asyncio.gather(self._consumer, return_exceptions=True)
            self._consumer = None
        while self._queue:
            match self._queue.popleft():
                case _CatchUp(waiters=waiters):
                    for waiter in waiters:
                        waiter.cancel()
                case _ClearLog(result=result):
                    result.cancel()
                case _Live():
                    pass

    @callback
    def handle_live_event(self, event: LiveEvent) -> None:
        """Take a live event from live capture (called in the event loop)."""
        self._put(_Live(punch_key(event), event.verify))

    @callback
    def request_catch_up(self) -> None:
        """Read the log back soon: after what is queued, joining a request not yet begun."""
        self._request_catch_up()

    async def async_catch_up(self) -> None:
        """Catch up and wait until a read of the log begun after this call has run.

        A failed read does not raise: it is retried later, like any other.
        """
        waiter: asyncio.Future[None] = self._hass.loop.create_future()
        self._request_catch_up(waiter)
        await waiter

    async def async_clear_log(self) -> int:
        """Clear the terminal's attendance log if every record in it was delivered.

        Returns how many records were cleared; raises UndeliveredRecordsError otherwise.
        The check and the clear are one call of the terminal's client, with the terminal
        disabled throughout (it refuses punches meanwhile, so none made between the check
        and the clear is lost), and run by the consumer, so no catch-up comes between.
        """
        result: asyncio.Future[int] = self._hass.loop.create_future()
        self._put(_ClearLog(result))
        return await result

    def _request_catch_up(self, waiter: asyncio.Future[None] | None = None) -> None:
        self._stop_retry_timer()
        request = self._pending_catch_up
        queued = request is not None
        if request is None:
            request = self._pending_catch_up = _CatchUp()
        if waiter is not None:
            request.waiters.append(waiter)
        if not queued:
            self._put(request)  # last: the consumer may start and take it right away

    def _put(self, item: _Item) -> None:
        self._queue.append(item)
        self._wake_consumer()

    def _wake_consumer(self) -> None:
        if self._running and self._queue and self._consumer is None:
            consumer = self._entry.async_create_background_task(
                self._hass, self._async_consume(), f"{DOMAIN} punch delivery"
            )
            # Started eagerly, it may have worked off the whole queue already.
            self._consumer = None if consumer.done() else consumer

    async def _async_consume(self) -> None:
        """Work off the queue in order, then end."""
        try:
            while self._queue:
                await self._async_handle(self._queue.popleft())
        finally:
            self._consumer = None

    async def _async_handle(self, item: _Item) -> None:
        match item:
            case _Live() as live if self._has_gap:
                self._held.append(live)
            case _Live() as live:
                await self._async_deliver_live(live)
            case _CatchUp() as request:
                self._pending_catch_up = None
                await self._async_run_catch_up(request.waiters)
            case _ClearLog(result=result):
                await self._async_clear_log(result)

    async def _async_run_catch_up(self, waiters: list[asyncio.Future[None]]) -> None:
        """Read the log back; on failure retry later, or soon if asked again meanwhile."""
        records = self._log_size()
        try:
            await self._async_catch_up()
        except TerminalLayoutUnknown as err:
            # Nothing of the log is delivered: a guess must never reach an automation.
            LOGGER.error("Attendance log of %s not delivered: %s", self._entry.title, err)
            async_note_unknown_layout(self._hass, self._entry, err)
            self._schedule_retry(err)
        except TerminalError as err:
            if (again := self._pending_catch_up) is not None:
                # Asked again meanwhile (the link may be back): its read answers ours too.
                again.waiters.extend(waiters)
                return
            self._schedule_retry(err)
        except asyncio.CancelledError:
            for waiter in waiters:
                waiter.cancel()
            raise
        else:
            async_note_layout_known(self._hass, self._entry)
            self._failures = 0
            self.records_caught_up = records
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _async_catch_up(self) -> None:
        """Deliver every punch of the log after the cursor; raises TerminalError.

        On the very first run the cursor is placed at the terminal's present instead: its
        history is not news.
        """
        late = self._has_gap
        batch = await self._terminal.get_attendance()
        self.invalid_records = batch.invalid
        if self._cursor.position is None:
            await self._async_start_cursor(batch.records)
        else:
            self._hold_queued_live_events()
            live = {held.key.ident for held in self._held}
            log = [punch_key(record) for record in batch.records]
            new = [(log[index], batch.records[index]) for index in self._cursor.new_in(log)]
            if not self._cursor.fits(log):
                # Found by time: stable sort, punches within one second keep their log order.
                new.sort(key=lambda pair: pair[1].timestamp)
            for key, record in new:
                name = await self._users.async_resolve(record.user_id)
                await self._async_deliver(
                    key, record.verify, name, late=late and key.ident not in live
                )
            self._cursor.anchor(log)
            await self._cursor.async_flush()
        self._has_gap = False
        held = list(self._held)
        self._held.clear()
        for event in held:
            await self._async_deliver_live(event)

    def _hold_queued_live_events(self) -> None:
        """Hold the live events that came in while the log was read: they are not late.

        Other requests go back on the queue in their order; they were all queued before
        anything that comes in from now on, so nothing overtakes them.
        """
        others: list[_Item] = []
        while self._queue:
            match self._queue.popleft():
                case _Live() as live:
                    self._held.append(live)
                case other:
                    others.append(other)
        self._queue.extend(others)

    async def _async_deliver_live(self, event: _Live) -> None:
        if not self._cursor.is_new_live(event.key):
            LOGGER.debug("Live punch already delivered: %s", event.key.ident)
            return
        name = await self._users.async_resolve(event.key.user_id)
        await self._async_deliver(event.key, event.verify, name, late=False)

    async def _async_clear_log(self, result: asyncio.Future[int]) -> None:
        position = self._cursor.position
        try:
            cleared = await self._terminal.clear_attendance_if(
                lambda batch: _undelivered(batch, position) == 0
            )
        except TerminalError as err:
            if not result.done():
                result.set_exception(err)
            return
        except asyncio.CancelledError:
            result.cancel()
            raise
        if result.done():
            return
        if cleared.cleared:
            self._cursor.log_cleared()
            await self._cursor.async_flush()
            result.set_result(len(cleared.batch.records) + cleared.batch.invalid)
        else:
            result.set_exception(UndeliveredRecordsError(_undelivered(cleared.batch, position)))

    async def _async_start_cursor(self, records: list[AttendanceRecord]) -> None:
        device_now = (await self._terminal.get_time()).replace(microsecond=0)
        keys = [punch_key(record) for record in records]
        newest = max((key.timestamp for key in keys), default=device_now)
        await self._cursor.async_start_at(max(newest, device_now), keys)
        LOGGER.debug("Attendance cursor starts at %s", max(newest, device_now))

    async def _async_deliver(
        self, key: PunchKey, verify: int, name: str | None, *, late: bool
    ) -> None:
        punch = Punch(
            user_id=key.user_id,
            user_name=name,
            timestamp=key.timestamp.replace(tzinfo=self._time_zone),
            punch_type=punch_type(key.punch),
            verify=verify_method(verify),
            late=late,
        )
        await self._cursor.async_make_room()
        # Durable before announced, and nothing awaited between: a kill either comes before
        # the journal holds the punch (it is new again after the restart) or after its
        # announcement.
        self._cursor.record_delivery(key)
        self.last_punch = punch
        for listener in list(self._listeners):
            listener(punch)

    def _schedule_retry(self, err: TerminalError) -> None:
        self._failures += 1
        delay = min(CATCH_UP_RETRY_MIN * 2 ** (self._failures - 1), CATCH_UP_RETRY_MAX)
        # Quiet: the poller logs when the terminal goes away and when it is back.
        LOGGER.debug(
            "Could not read the attendance log of %s (%s); retrying in %s s",
            self._entry.title,
            err,
            delay,
        )
        self._cancel_retry = async_call_later(self._hass, delay, self._async_retry)

    @callback
    def _async_retry(self, _now: datetime) -> None:
        self._cancel_retry = None
        self._request_catch_up()

    def _stop_retry_timer(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None


def _undelivered(batch: AttendanceBatch, position: CursorPosition | None) -> int:
    """How many records of the log are after the position, so never delivered."""
    if position is None:
        return len(batch.records)
    return len(position.new_in([punch_key(record) for record in batch.records]))
