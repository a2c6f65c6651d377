"""What a terminal reported about its door: contact, alarms, access attempts, exit button.

The feed keeps the state and tells the entities; it knows nothing of any wire protocol.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from ..door.access_event import access_event_data
from ..mqtt_door.access_control import AccessAttempt, AccessResult, AlarmKind
from ..punch import ATTR_TERMINAL, ATTR_TIMESTAMP

# Event entity keys of the feed.
EVENT_ACCESS: Final = "access"
EVENT_EXIT_BUTTON: Final = "exit_button"
EVENT_TYPE_PRESSED: Final = "pressed"

type EventListener = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessCapabilities:
    """Which entities a family offers: what its wire can say at all."""

    alarms: tuple[AlarmKind, ...]
    access_results: tuple[AccessResult, ...]
    exit_button: bool = True
    # Seconds an alarm stays on when the wire never says it is over (None: it does say).
    alarm_hold: float | None = None


def _remover[T](listeners: list[T], listener: T) -> CALLBACK_TYPE:
    """A remover that may be called more than once."""

    def remove() -> None:
        if listener in listeners:
            listeners.remove(listener)

    return remove


class AccessFeed:
    """The access-control state of one terminal, shared by its access entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        serial_number: str,
        name: str,
        capabilities: AccessCapabilities,
        available: Callable[[], bool],
        add_availability_listener: Callable[[CALLBACK_TYPE], CALLBACK_TYPE],
    ) -> None:
        """Start with nothing reported."""
        self.hass = hass
        self.serial_number = serial_number
        self.name = name
        self.capabilities = capabilities
        self.available = available
        self.add_availability_listener = add_availability_listener
        self.contact_open: bool | None = None
        self.alarms: dict[AlarmKind, bool] = {}
        self.alarm_since: dict[AlarmKind, datetime] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._contact_listeners: list[CALLBACK_TYPE] = []
        self._event_listeners: dict[str, list[EventListener]] = {}
        self._alarm_timers: dict[AlarmKind, CALLBACK_TYPE] = {}

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call listener when the contact or an alarm changes."""
        self._listeners.append(listener)
        return _remover(self._listeners, listener)

    @callback
    def async_add_contact_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call listener at the first door-state report (when the contact entity is made)."""
        self._contact_listeners.append(listener)
        return _remover(self._contact_listeners, listener)

    @callback
    def async_add_event_listener(self, key: str, listener: EventListener) -> CALLBACK_TYPE:
        """Call listener with (event type, data) at each event of the entity ``key``."""
        listeners = self._event_listeners.setdefault(key, [])
        listeners.append(listener)
        return _remover(listeners, listener)

    @callback
    def async_set_contact(self, *, is_open: bool) -> None:
        """The door reported open or closed."""
        first = self.contact_open is None
        self.contact_open = is_open
        if first:
            for listener in list(self._contact_listeners):
                listener()
        self._changed()

    @callback
    def async_set_alarm(self, kind: AlarmKind, *, active: bool, when: datetime) -> None:
        """The terminal reported an alarm on or off."""
        if active and not self.alarms.get(kind):
            self.alarm_since[kind] = when
        self.alarms[kind] = active
        self._changed()

    @callback
    def async_raise_alarm(self, kind: AlarmKind, when: datetime) -> None:
        """An alarm without an end on the wire: on now, off after the capability's hold."""
        self.async_set_alarm(kind, active=True, when=when)
        if (cancel := self._alarm_timers.pop(kind, None)) is not None:
            cancel()  # a repeated alarm holds it on from now

        @callback
        def _clear(now: datetime) -> None:
            self._alarm_timers.pop(kind, None)
            self.async_set_alarm(kind, active=False, when=now)

        if (hold := self.capabilities.alarm_hold) is not None:
            self._alarm_timers[kind] = async_call_later(self.hass, hold, _clear)

    @callback
    def async_fire(self, key: str, event_type: str, data: dict[str, Any]) -> None:
        """An event for the event entity ``key``."""
        for listener in list(self._event_listeners.get(key, ())):
            listener(event_type, data)

    @callback
    def async_report_access(self, attempt: AccessAttempt) -> None:
        """A granted or denied attempt, for the access event entity."""
        self.async_fire(EVENT_ACCESS, attempt.result.value, access_event_data(attempt, self.name))

    @callback
    def async_press_exit_button(self, when: datetime) -> None:
        """Someone pressed the exit (request-to-exit) button."""
        self.async_fire(
            EVENT_EXIT_BUTTON,
            EVENT_TYPE_PRESSED,
            {ATTR_TIMESTAMP: when.isoformat(), ATTR_TERMINAL: self.name},
        )

    @callback
    def async_stop(self) -> None:
        """Cancel the alarm timers."""
        for cancel in self._alarm_timers.values():
            cancel()
        self._alarm_timers.clear()

    @callback
    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
