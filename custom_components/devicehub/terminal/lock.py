"""The door relay of a terminal, as a lock that opens for a pulse (shared/lock.py)."""

from typing import override

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..shared.lock import PulseLockEntity
from .entity import TerminalEntity
from .helpers import terminal_action
from .runtime import TerminalConfigEntry, TerminalRuntime


async def async_setup_lock(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the door lock of a terminal."""
    async_add_entities([TerminalLock(entry.runtime_data)])


class TerminalLock(TerminalEntity, PulseLockEntity[TerminalRuntime]):
    """The terminal's door: the device's main entity."""

    def __init__(self, runtime: TerminalRuntime) -> None:
        """Take the pulse length and the optional code from the options."""
        super().__init__(runtime.coordinator, "lock")
        self._runtime = runtime

    @override
    async def async_added_to_hass(self) -> None:
        """Follow punches, to tell who opened the door last."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.delivery.async_add_listener(self._async_punched))

    @override
    @terminal_action
    async def _async_pulse_relay(self) -> None:
        await self._runtime.terminal.unlock(self._runtime.settings.unlock_seconds)
