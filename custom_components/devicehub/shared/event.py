"""Event entities of a terminal: every event names the terminal it came from.

`TerminalEventEntity` is the base for any kind of terminal event (punches here; access
events such as a doorbell, a refused credential or an alarm add their own event types and
data the same way). `PunchEventEntity` fires the punch events pull terminals, push
terminals and MQTT doors share, so one automation serves them all.
"""

from typing import Any, Protocol

from homeassistant.components.event import EventEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback

from ..punch import (
    ATTR_LATE,
    ATTR_PERSON,
    ATTR_TERMINAL,
    ATTR_TIMESTAMP,
    ATTR_USER_ID,
    ATTR_USER_NAME,
    ATTR_VERIFY,
    PUNCH_TYPES,
    Punch,
)

ATTR_SERIAL_NUMBER = "serial_number"


class TerminalIdentity(Protocol):
    """What events name their terminal by; both families' runtimes have it."""

    @property
    def entry(self) -> ConfigEntry[Any]:
        """The terminal's config entry; its title is the name the user gave it."""

    @property
    def serial_number(self) -> str:
        """The terminal's serial number."""


class TerminalEventEntity[RuntimeT: TerminalIdentity](EventEntity):
    """An event entity whose every event carries the terminal's name and serial number."""

    # Set by the family's own base entity.
    _runtime: RuntimeT

    @callback
    def _async_fire(self, event_type: str, data: dict[str, Any]) -> None:
        """Fire one event with the terminal's name and serial number added to its data."""
        self._trigger_event(
            event_type,
            {
                **data,
                ATTR_TERMINAL: self._runtime.entry.title,
                ATTR_SERIAL_NUMBER: self._runtime.serial_number,
            },
        )
        self.async_write_ha_state()


class PunchEventEntity[RuntimeT: TerminalIdentity](TerminalEventEntity[RuntimeT]):
    """Fires check_in, check_out, ... with who punched, how and when; late when caught up."""

    _attr_translation_key = "punch"
    _attr_event_types = list(PUNCH_TYPES)

    def _person_of(self, user_id: str) -> str | None:
        """The person entity this terminal user is linked to, if any."""
        return None

    @callback
    def _async_fire_punch(self, punch: Punch) -> None:
        """Fire the event of one delivered punch."""
        data: dict[str, Any] = {
            ATTR_USER_ID: punch.user_id,
            ATTR_USER_NAME: punch.user_name,
            ATTR_VERIFY: punch.verify,
            ATTR_TIMESTAMP: punch.timestamp.isoformat(),
            ATTR_LATE: punch.late,
        }
        if (person := self._person_of(punch.user_id)) is not None:
            data[ATTR_PERSON] = person
        self._async_fire(punch.punch_type, data)
