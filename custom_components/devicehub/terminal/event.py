"""Punches at a terminal, as an event entity: one event per punch, exactly once."""

from typing import Any, override

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..punch import (
    ATTR_LATE,
    ATTR_PERSON,
    ATTR_TERMINAL,
    ATTR_TIMESTAMP,
    ATTR_USER_ID,
    ATTR_USER_NAME,
    ATTR_VERIFY,
    PUNCH_TYPES,
)
from .delivery import Punch
from .entity import TerminalPunchEntity
from .runtime import TerminalConfigEntry, TerminalRuntime

ATTR_SERIAL_NUMBER = "serial_number"


async def async_setup_event(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the punch event entity of a terminal."""
    async_add_entities([TerminalPunchEvent(entry.runtime_data)])


class TerminalPunchEvent(TerminalPunchEntity, EventEntity):
    """Fires check_in, check_out, ... with who punched, how, and when."""

    _attr_translation_key = "punch"
    _attr_event_types = list(PUNCH_TYPES)

    def __init__(self, runtime: TerminalRuntime) -> None:
        """The punch event of one terminal."""
        super().__init__(runtime, "punch")

    @callback
    @override
    def _async_punched(self, punch: Punch) -> None:
        data: dict[str, Any] = {
            ATTR_USER_ID: punch.user_id,
            ATTR_USER_NAME: punch.user_name,
            ATTR_VERIFY: punch.verify,
            ATTR_TIMESTAMP: punch.timestamp.isoformat(),
            ATTR_TERMINAL: self._runtime.entry.title,
            ATTR_SERIAL_NUMBER: self._runtime.serial_number,
            ATTR_LATE: punch.late,
        }
        if (link := self._runtime.settings.people.get(punch.user_id)) is not None:
            data[ATTR_PERSON] = link.person
        self._trigger_event(punch.punch_type, data)
        self.async_write_ha_state()
