"""Punches at a terminal, as an event entity: one event per punch, exactly once."""

from typing import Any, override

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from custom_components.devicehub.punch import (
    ATTR_LATE,
    ATTR_TERMINAL,
    ATTR_TIMESTAMP,
    ATTR_USER_ID,
    ATTR_USER_NAME,
    ATTR_VERIFY,
    PUNCH_TYPES,
)

from .delivery import Punch
from .entity import TerminalEntity
from .runtime import TerminalRuntime

ATTR_SERIAL_NUMBER = "serial_number"


async def async_setup_event(
    hass: HomeAssistant, entry: Any, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the punch event entity of a terminal."""
    async_add_entities([TerminalPunchEvent(entry.runtime_data)])


class TerminalPunchEvent(TerminalEntity, EventEntity):
    """Fires check_in, check_out, ... with who punched, how, and when."""

    _attr_translation_key = "punch"
    _attr_event_types = list(PUNCH_TYPES)

    def __init__(self, runtime: TerminalRuntime) -> None:
        """Bind the entity to the terminal's punch delivery."""
        super().__init__(runtime.coordinator, "punch")
        self._runtime = runtime

    @property
    @override
    def available(self) -> bool:
        """Available while punches can arrive, by polling or by live capture."""
        return super().available or self._runtime.live_connected

    @override
    async def async_added_to_hass(self) -> None:
        """Receive every delivered punch."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.delivery.async_add_listener(self._async_punched))
        # Punches keep coming while live capture is connected, even if polls fail.
        self.async_on_remove(self._runtime.async_add_live_listener(self.async_write_ha_state))

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
