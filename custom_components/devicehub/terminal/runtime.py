"""Everything one terminal entry runs: its connection, poller, live capture and delivery.

A punch travels from the terminal's socket to the event entity in five steps:

1. LiveCapture (zk/live.py), on a thread of its own, reads the live socket, decodes each
   attendance event and hands it to the event loop with call_soon_threadsafe.
2. PunchDelivery.handle_live_event builds the punch's dedupe key once and puts it on the
   delivery queue; catch-up requests (startup, a reconnect, a poll after a gap or a grown
   log) go on the same queue.
3. The delivery's one consumer task takes the queue in order: after a gap it holds live
   events until a catch-up has read the attendance log back (in the executor, through
   AsyncTerminal) and delivered what was missed.
4. The attendance cursor (cursor.py) lets each punch through once, whichever way it came,
   and moves forward; the punch gets its user's name and becomes a Punch.
5. The delivery calls its listeners: the event entity (event.py) fires the punch, and the
   sensors and the lock show it.
"""

from datetime import datetime

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from ..access.feed import AccessFeed
from ..const import DOMAIN
from ..zk.access_events import TerminalAccessEvent
from ..zk.async_terminal import AsyncTerminal
from ..zk.errors import TerminalAuthFailed, TerminalError
from ..zk.live import LiveCapture
from ..zk.models import TerminalInfo
from .access import async_show_access_event, terminal_access_feed
from .const import LIVE_HEARTBEAT_SECONDS, LIVE_WATCHDOG_SECONDS, LOGGER
from .coordinator import TerminalCoordinator
from .cursor import AttendanceCursor
from .delivery import PunchDelivery
from .issues import async_delete_issues, async_note_unreachable
from .settings import TerminalSettings
from .users import UserDirectory

type TerminalConfigEntry = ConfigEntry[TerminalRuntime]


class TerminalRuntime:
    """The runtime data of a terminal entry.

    Setup connects and polls once; punch delivery and live capture only start once the
    entry is loaded, so that the entities are there to receive the first caught-up punch.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TerminalConfigEntry,
        settings: TerminalSettings,
        terminal: AsyncTerminal,
        info: TerminalInfo,
    ) -> None:
        """Assemble the parts; nothing runs until async_start."""
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.terminal = terminal
        self.info = info
        self.users = UserDirectory(terminal)
        self.cursor = AttendanceCursor(hass, entry.entry_id)
        self.coordinator = TerminalCoordinator(
            hass,
            entry,
            terminal,
            info=info,
            time_zone=settings.time_zone,
            poll_interval=settings.poll_interval,
        )
        self.delivery = PunchDelivery(
            hass,
            entry,
            terminal,
            cursor=self.cursor,
            users=self.users,
            time_zone=settings.time_zone,
            log_size=lambda: self.coordinator.data.counts.records,
        )
        self.live: LiveCapture | None = None
        # Access-control events arrive over live capture only.
        self.access: AccessFeed | None = (
            terminal_access_feed(hass, info.unique_id, entry.title, self.coordinator)
            if settings.live_capture
            else None
        )
        self._poll_failed = False
        self._polls_seen = 0

    @property
    def serial_number(self) -> str:
        """The terminal's serial number, its identity in Home Assistant."""
        return self.info.serial_number

    @property
    def live_connected(self) -> bool:
        """Whether live capture holds its link (the coordinator keeps the flag)."""
        return self.coordinator.live_connected

    @callback
    def async_start(self) -> None:
        """Start delivery with a catch-up and, if enabled, live capture."""
        self._polls_seen = self.coordinator.polls
        self.entry.async_on_unload(self.coordinator.async_add_listener(self._async_polled))
        # Punches caught up while Home Assistant starts wait until it has started: automations
        # only listen from then on, and would miss them.
        self.entry.async_on_unload(async_at_started(self.hass, self._async_start_delivery))
        self.request_catch_up()
        if self.settings.live_capture:
            self.live = LiveCapture(
                self.settings.config,
                self.hass.loop,
                on_event=self.delivery.handle_live_event,
                on_connection_change=self._async_live_connection_changed,
                watchdog_seconds=LIVE_WATCHDOG_SECONDS,
                heartbeat_seconds=LIVE_HEARTBEAT_SECONDS,
                on_invalid_event=self._async_invalid_live_event,
                on_access_event=self._async_access_event,
            )
            self.live.start()

    @callback
    def _async_start_delivery(self, _hass: HomeAssistant) -> None:
        self.delivery.async_start()

    @callback
    def _async_invalid_live_event(self, count: int) -> None:
        """A punch arrived live in a form not understood: read it back from the log."""
        LOGGER.debug("%s undecodable live event(s) from %s", count, self.entry.title)
        self.delivery.mark_gap()
        self.request_catch_up()

    @callback
    def _async_access_event(self, event: TerminalAccessEvent) -> None:
        if self.access is not None:
            async_show_access_event(self.access, self.users, event)

    async def async_stop(self) -> None:
        """Stop live capture, write the cursor and close the connection."""
        if self.access is not None:
            self.access.async_stop()
        if self.live is not None:
            # stop() joins the capture thread: not on the event loop.
            await self.hass.async_add_executor_job(self.live.stop)
            self.live = None
        await self.delivery.async_stop()
        await self.cursor.async_close()
        await self.terminal.close()

    async def async_sync_clock(self) -> datetime:
        """Set the terminal clock to Home Assistant's time, in the terminal's time zone."""
        now = dt_util.now(self.settings.time_zone).replace(microsecond=0, tzinfo=None)
        await self.terminal.set_time(now)
        await self.coordinator.async_refresh()
        return now

    async def async_restart(self) -> None:
        """Restart the terminal; its links drop, so punches are caught up when it is back."""
        await self.terminal.restart()
        self.delivery.mark_gap()

    @callback
    def request_catch_up(self) -> None:
        """Read the attendance log soon and deliver what is new."""
        self.delivery.request_catch_up()

    async def async_catch_up(self) -> None:
        """Catch up now and wait until done."""
        await self.delivery.async_catch_up()

    @callback
    def _async_polled(self) -> None:
        """After a poll: catch up after a gap, or in polling mode when the log grew."""
        if self.coordinator.polls == self._polls_seen:
            return  # only the live link changed
        self._polls_seen = self.coordinator.polls
        if not self.coordinator.last_update_success:
            self._poll_failed = True
            if not self.live_connected:
                self.delivery.mark_gap()
            return
        if self._poll_failed:
            # The terminal was away, maybe rebooted: live capture may not have noticed yet.
            self._poll_failed = False
            self.delivery.mark_gap()
        records = self.coordinator.data.counts.records
        if self.delivery.has_gap or (
            # A terminal that gives no record count (None) may have new punches at any poll.
            not self.live_connected
            and (records is None or records != self.delivery.records_caught_up)
        ):
            self.request_catch_up()

    @callback
    def _async_live_connection_changed(self, connected: bool) -> None:
        """Live capture connected or lost its link (called in the event loop)."""
        LOGGER.debug("Live capture of %s connected: %s", self.entry.title, connected)
        was_connected = self.live_connected
        self.coordinator.async_set_live_connected(connected)
        if connected:
            # Punches made before the link came up are in the log only.
            self.delivery.mark_gap()
            self.request_catch_up()
            if not self.coordinator.last_update_success:
                # The terminal answers again: its entities come back now, not at the next
                # poll (minutes away while live capture runs).
                self.entry.async_create_background_task(
                    self.hass, self.coordinator.async_refresh(), f"{DOMAIN} poll"
                )
            return
        if was_connected:
            # Punches from now until the reconnect may be missed.
            self.delivery.mark_gap()
        # Learn soon whether the whole terminal is gone, not just the live link; polling
        # takes over delivery meanwhile.
        self.entry.async_create_background_task(
            self.hass, self._async_poll_after_live_loss(was_connected), f"{DOMAIN} poll"
        )

    async def _async_poll_after_live_loss(self, was_connected: bool) -> None:
        if was_connected:
            # What broke the live link (a reboot forgets every session) likely broke the
            # call connection too: poll on a new one rather than time out on the old one.
            await self.terminal.reset()
        await self.coordinator.async_request_refresh()


async def async_setup_runtime(hass: HomeAssistant, entry: TerminalConfigEntry) -> None:
    """Connect to the terminal, read it once and set entry.runtime_data."""
    settings = await TerminalSettings.async_from_entry(hass, entry)
    terminal = AsyncTerminal(settings.config)
    try:
        runtime = await _async_connect(hass, entry, settings, terminal)
    except BaseException:
        await terminal.close()
        raise
    entry.runtime_data = runtime

    @callback
    def _async_state_changed() -> None:
        if entry.state is ConfigEntryState.LOADED:
            runtime.async_start()

    entry.async_on_unload(entry.async_on_state_change(_async_state_changed))

    async def _async_hass_stopping(_: Event) -> None:
        # Home Assistant does not unload entries when it stops: without this, Python's exit
        # would wait on the idle worker thread (up to 10 s) and sessions would be abandoned.
        await runtime.async_stop()
        LOGGER.debug("%s stopped on Home Assistant's stop", entry.title)

    # Not listen_once: removing a one-time listener that already ran logs an error.
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _async_hass_stopping))


async def _async_connect(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    settings: TerminalSettings,
    terminal: AsyncTerminal,
) -> TerminalRuntime:
    try:
        info = await terminal.get_info()
    except TerminalAuthFailed as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except TerminalError as err:
        async_note_unreachable(hass, entry)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"host": settings.config.host, "error": str(err)},
        ) from err
    if info.unique_id != entry.unique_id:
        # Another terminal answers at this address (DHCP); the right one may come back.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="wrong_terminal",
            translation_placeholders={"host": settings.config.host, "serial": info.unique_id},
        )
    runtime = TerminalRuntime(hass, entry, settings, terminal, info)
    await runtime.cursor.async_load()
    try:
        # Names are nice to have: a punch is still delivered when the user list cannot be
        # read.
        try:
            await runtime.users.async_refresh()
        except TerminalError as err:
            LOGGER.debug("Could not read the user list of %s: %s", entry.title, err)
        await runtime.coordinator.async_config_entry_first_refresh()
    except BaseException:
        await runtime.cursor.async_close()  # the next attempt opens its journal again
        raise
    return runtime


async def async_unload_runtime(hass: HomeAssistant, entry: TerminalConfigEntry) -> None:
    """Release what setup took; no thread of the terminal outlives this."""
    await entry.runtime_data.async_stop()
    async_delete_issues(hass, entry)
