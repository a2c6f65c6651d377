"""Punches at a push terminal, as an event entity: the same events as pull terminals."""

from typing import override

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..punch import (
    ATTR_LATE,
    ATTR_TERMINAL,
    ATTR_TIMESTAMP,
    ATTR_USER_ID,
    ATTR_USER_NAME,
    ATTR_VERIFY,
    PUNCH_TYPES,
)
from .entity import PushEntity
from .punches import Punch
from .runtime import PushConfigEntry, PushRuntime

ATTR_SERIAL_NUMBER = "serial_number"


async def async_setup_event(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the punch event entity of a push terminal."""
    async_add_entities([PushPunchEvent(entry.runtime_data)])


class PushPunchEvent(PushEntity, EventEntity):
    """Fires check_in, check_out, ... with who punched, how and when; late for backlogs."""

    _attr_translation_key = "punch"
    _attr_event_types = list(PUNCH_TYPES)

    def __init__(self, runtime: PushRuntime) -> None:
        """The punch event of one push terminal."""
        super().__init__(runtime, "punch")

    @override
    async def async_added_to_hass(self) -> None:
        """Receive every delivered punch."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.punches.async_add_listener(self._async_punched))

    @callback
    def _async_punched(self, punch: Punch) -> None:
        self._trigger_event(
            punch.punch_type,
            {
                ATTR_USER_ID: punch.user_id,
                ATTR_USER_NAME: punch.user_name,
                ATTR_VERIFY: punch.verify,
                ATTR_TIMESTAMP: punch.timestamp.isoformat(),
                ATTR_TERMINAL: self._runtime.entry.title,
                ATTR_SERIAL_NUMBER: self._runtime.serial_number,
                ATTR_LATE: punch.late,
            },
        )
        self.async_write_ha_state()
