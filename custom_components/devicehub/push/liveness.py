"""Whether a push terminal is online, from when its requests arrive.

The terminal polls every `Delay` seconds, so it counts as online while its requests keep
arriving within twice that plus a margin. Going offline and coming back are logged once
each (info). Silent for an hour, it gets a repair issue, which goes away with its next request.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from .const import ISSUE_SILENT, LOGGER, SILENT_ISSUE_AFTER


def silent_issue_id(entry_id: str) -> str:
    """The issue id of a push terminal that stopped calling."""
    return f"{ISSUE_SILENT}_{entry_id}"


class Liveness:
    """Online while requests arrive within the window; an issue after a long silence."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        window: timedelta,
        on_change: Callable[[], None],
    ) -> None:
        """Start offline, with no contact yet."""
        self._hass = hass
        self._entry = entry
        self._window = window
        self._on_change = on_change
        self.online = False
        self.last_contact: datetime | None = None
        self.online_since: datetime | None = None
        self._cancel_offline: CALLBACK_TYPE | None = None
        self._cancel_silent: CALLBACK_TYPE | None = None
        self._started_at = dt_util.utcnow()

    @callback
    def async_start(self) -> None:
        """Count the silence from now: the terminal may never call after a restart."""
        self._started_at = dt_util.utcnow()
        self._cancel_silent = async_call_later(
            self._hass, SILENT_ISSUE_AFTER, self._async_silent_too_long
        )

    @callback
    def async_note_contact(self) -> None:
        """A request of the terminal arrived."""
        now = dt_util.utcnow()
        self.last_contact = now
        self._cancel()
        self._cancel_offline = async_call_later(self._hass, self._window, self._async_offline)
        self._cancel_silent = async_call_later(
            self._hass, SILENT_ISSUE_AFTER, self._async_silent_too_long
        )
        if not self.online:
            if self.online_since is not None:
                LOGGER.info("%s is calling again", self._entry.title)
            self.online = True
            self.online_since = now
            ir.async_delete_issue(self._hass, DOMAIN, silent_issue_id(self._entry.entry_id))
            self._on_change()

    @callback
    def _async_offline(self, _now: datetime) -> None:
        self._cancel_offline = None
        self.online = False
        LOGGER.info(
            "%s stopped calling: no request within %s; commands wait until it calls again",
            self._entry.title,
            self._window,
        )
        self._on_change()

    @callback
    def _async_silent_too_long(self, _now: datetime) -> None:
        self._cancel_silent = None
        since = self.last_contact or self._started_at
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            silent_issue_id(self._entry.entry_id),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_SILENT,
            translation_placeholders={
                "name": self._entry.title,
                "since": dt_util.as_local(since).isoformat(timespec="minutes"),
            },
        )

    @callback
    def _cancel(self) -> None:
        if self._cancel_offline is not None:
            self._cancel_offline()
            self._cancel_offline = None
        if self._cancel_silent is not None:
            self._cancel_silent()
            self._cancel_silent = None

    @callback
    def async_stop(self) -> None:
        """Stop the timers and drop the issue (the entry unloads)."""
        self._cancel()
        ir.async_delete_issue(self._hass, DOMAIN, silent_issue_id(self._entry.entry_id))
