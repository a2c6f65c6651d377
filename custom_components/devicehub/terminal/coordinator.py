"""Polls a terminal's counters and clock; tracks when it goes away and comes back."""

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..zk.async_terminal import AsyncTerminal
from ..zk.errors import TerminalAuthFailed, TerminalBusy, TerminalError
from ..zk.models import TerminalCounts, TerminalInfo
from .const import LIVE_POLL_INTERVAL, LOGGER
from .issues import async_check_clock, async_note_reachable, async_note_unreachable


@dataclass(frozen=True, slots=True)
class TerminalData:
    """What a poll reads from a terminal."""

    counts: TerminalCounts
    # The terminal's clock, read as its local time in its time zone.
    device_time: datetime
    # Terminal clock minus Home Assistant's clock; positive when the terminal is ahead.
    clock_offset: timedelta


class TerminalCoordinator(DataUpdateCoordinator[TerminalData]):
    """Reads counters and clock at a modest pace; punches arrive by push, not through here.

    Without a live connection (live capture off, refused, or down) it polls at the entry's
    polling interval instead, so a lost terminal is noticed and caught up quickly.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        terminal: AsyncTerminal,
        *,
        info: TerminalInfo,
        time_zone: tzinfo,
        poll_interval: timedelta,
    ) -> None:
        """Poll at the fallback interval until live capture connects."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"terminal {entry.title}",
            update_interval=poll_interval,
        )
        self.terminal = terminal
        self.info = info
        self.time_zone = time_zone
        self._poll_interval = poll_interval
        # Whether live capture holds its link: punches keep coming while it does.
        self.live_connected = False
        # Polls finished so far; tells a poll's result from a change of the live link.
        self.polls = 0

    @callback
    def async_set_live_connected(self, connected: bool) -> None:
        """Note the live link; slow down while it delivers punches, speed up when it stops."""
        self.live_connected = connected
        self.update_interval = LIVE_POLL_INTERVAL if connected else self._poll_interval
        self.async_update_listeners()

    @override
    async def _async_update_data(self) -> TerminalData:
        """Read the counters and the clock."""
        try:
            return await self._async_poll()
        finally:
            self.polls += 1

    async def _async_poll(self) -> TerminalData:
        try:
            counts = await self.terminal.get_counts()
            device_time = await self.terminal.get_time()
        except TerminalAuthFailed as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except TerminalBusy as err:
            async_note_unreachable(self.hass, self.config_entry)
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="terminal_busy") from err
        except TerminalError as err:
            async_note_unreachable(self.hass, self.config_entry)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="communication_error",
                translation_placeholders={"error": str(err)},
            ) from err
        async_note_reachable(self.hass, self.config_entry)
        device_time = device_time.replace(microsecond=0, tzinfo=self.time_zone)
        # Whole seconds on both sides: the terminal clock has no finer resolution.
        offset = device_time - dt_util.utcnow().replace(microsecond=0)
        async_check_clock(self.hass, self.config_entry, offset)
        return TerminalData(counts=counts, device_time=device_time, clock_offset=offset)
