"""Schedules reading back a terminal's attendance log: one read at a time, retried on failure.

Requests come from several places (startup, live capture reconnecting, polls finding more
records); they collapse into one running catch-up, which runs once more if asked while
running. A failed read is retried with a growing delay, so held live events are not stuck
until the next poll, and a broken log is not read in a tight loop.
"""

import asyncio
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN
from ..zk.errors import TerminalError, TerminalLayoutUnknown
from .const import CATCH_UP_RETRY_MAX, CATCH_UP_RETRY_MIN, LOGGER
from .coordinator import TerminalCoordinator
from .delivery import PunchDelivery
from .issues import async_note_layout_known, async_note_unknown_layout


class CatchUpScheduler:
    """Runs PunchDelivery.async_catch_up on request, one at a time."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        delivery: PunchDelivery,
        coordinator: TerminalCoordinator,
    ) -> None:
        """Bind the scheduler to what it reads and where it delivers."""
        self._hass = hass
        self._entry = entry
        self._delivery = delivery
        self._coordinator = coordinator
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._failures = 0
        self._cancel_retry: CALLBACK_TYPE | None = None
        # The records counter when the log was last read: polling mode skips unchanged logs.
        self.records_caught_up: int | None = None

    @callback
    def request(self) -> None:
        """Catch up soon: now, or right after the catch-up that is running."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._stop_retry_timer()
        self._task = self._entry.async_create_background_task(
            self._hass, self._async_run(), f"{DOMAIN} attendance catch-up"
        )

    async def async_run(self) -> None:
        """Catch up and wait until done (after any catch-up already running)."""
        self.request()
        assert self._task is not None
        # A running catch-up loops once more for this request; shield it from our caller.
        await asyncio.shield(self._task)

    async def async_stop(self) -> None:
        """Stop retrying and cancel a running catch-up."""
        self._stop_retry_timer()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _async_run(self) -> None:
        while True:
            self._again = False
            records = self._coordinator.data.counts.records
            try:
                await self._delivery.async_catch_up()
            except TerminalLayoutUnknown as err:
                # Nothing of the log is delivered: a guess must never reach an automation.
                LOGGER.error("Attendance log of %s not delivered: %s", self._entry.title, err)
                async_note_unknown_layout(self._hass, self._entry, err)
                self._schedule_retry(err)
                return
            except TerminalError as err:
                if self._again:
                    continue  # asked again meanwhile: the link may be back already
                self._schedule_retry(err)
                return
            async_note_layout_known(self._hass, self._entry)
            self._failures = 0
            self.records_caught_up = records
            if not self._again:
                return

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
        self.request()

    def _stop_retry_timer(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None
