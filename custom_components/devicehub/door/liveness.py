"""Whether a door is there: its last will, its heartbeat and its registration.

The heartbeat watch is one timer per door, armed once per window rather than once per
message: a message only notes when it came, and the timer, when it fires, re-arms for what
is left of the window since the last message (or marks the heartbeat missed). Re-creating a
timer on every message cost about an eighth of a door message's handling (issue 17).
"""

from collections.abc import Callable
from datetime import datetime
import logging

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..mqtt_door.models import Availability
from .const import HEARTBEAT_GRACE

_LOGGER = logging.getLogger(__name__)


class Liveness:
    """Available unless offline, silent past its heartbeat window, or unregistered."""

    def __init__(
        self,
        hass: HomeAssistant,
        device_id: str,
        *,
        heartbeat: float | None,
        registered: bool,
        on_change: Callable[[], None],
    ) -> None:
        """Start as available: retained topics tell otherwise right after subscribing."""
        self._hass = hass
        self._device_id = device_id
        self._heartbeat = heartbeat
        self._on_change = on_change
        self.registered = registered
        self.availability: Availability | None = None
        self.heartbeat_missed = False
        self.last_seen: datetime | None = None
        # Since when the silence is counted: the last message, or the watch being armed.
        self._silent_since: datetime | None = None
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._was_available = self.available

    @property
    def available(self) -> bool:
        """Tell whether the door's entities are available."""
        return (
            self.registered
            and self.availability is not Availability.OFFLINE
            and not self.heartbeat_missed
        )

    @property
    def window(self) -> float | None:
        """Seconds of silence after which a door with a heartbeat is unavailable."""
        return None if self._heartbeat is None else 2 * self._heartbeat + HEARTBEAT_GRACE

    @callback
    def start(self) -> None:
        """Arm the heartbeat watch, so a door that never speaks goes unavailable."""
        self._arm()

    @callback
    def stop(self) -> None:
        """Cancel the heartbeat watch."""
        if self._cancel_timer:
            self._cancel_timer()
            self._cancel_timer = None

    @callback
    def seen(self) -> None:
        """Any message from the door counts as a heartbeat: noted, no timer touched."""
        self.last_seen = self._silent_since = dt_util.utcnow()
        if self.heartbeat_missed:
            self.heartbeat_missed = False
            self._arm()
            self._notify()

    @callback
    def set_heartbeat(self, heartbeat: float | None) -> None:
        """Follow a heartbeat period declared by a new hand_shake."""
        if heartbeat != self._heartbeat:
            self._heartbeat = heartbeat
            self._arm()

    @callback
    def set_availability(self, availability: Availability) -> None:
        """Follow the door's `availability` topic."""
        self.availability = availability
        self._notify()

    @callback
    def set_registered(self, registered: bool) -> None:
        """Follow the door's registration (hand_shake / empty hand_shake)."""
        self.registered = registered
        self._notify()

    def _arm(self) -> None:
        """Watch a whole window of silence from now."""
        self.stop()
        self._silent_since = dt_util.utcnow()
        if (window := self.window) is not None:
            self._cancel_timer = async_call_later(self._hass, window, self._window_ended)

    @callback
    def _window_ended(self, now: datetime) -> None:
        """Re-arm for the rest of the window if the door spoke meanwhile; else missed."""
        self._cancel_timer = None
        since = self._silent_since or now
        left = (self.window or 0.0) - (now - since).total_seconds()
        if left > 0:
            self._cancel_timer = async_call_later(self._hass, left, self._window_ended)
            return
        self.heartbeat_missed = True
        self._notify()

    def _notify(self) -> None:
        available = self.available
        if available == self._was_available:
            return
        self._was_available = available
        if available:
            _LOGGER.info("Door %s is available again", self._device_id)
        else:
            _LOGGER.info(
                "Door %s is unavailable (availability %s, heartbeat missed %s, registered %s)",
                self._device_id,
                self.availability,
                self.heartbeat_missed,
                self.registered,
            )
        self._on_change()
