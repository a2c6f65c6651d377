"""The door of a push terminal, opened by a queued command.

Access control models (they register as such) get `CONTROL DEVICE` with the configured
seconds; attendance models with a lock output get `AC_UNLOCK`, which opens it for the
terminal's own lock time. The command waits for the terminal's next poll, so the lock shows
`unlocking` until the terminal confirms it; then unlocked (or open) for the configured
seconds, then locked (shared/lock.py).
"""

from typing import override

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..adms import AcUnlock, Command, ControlDevice
from ..shared.lock import PulseLockEntity
from .entity import PushOnlineEntity
from .helpers import async_run_command
from .runtime import PushConfigEntry, PushRuntime


async def async_setup_lock(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the door lock of a push terminal."""
    async_add_entities([PushLock(entry.runtime_data)])


class PushLock(PushOnlineEntity, PulseLockEntity[PushRuntime]):
    """The terminal's door: the device's main entity."""

    _shows_unlocking = True

    def __init__(self, runtime: PushRuntime) -> None:
        """Take the pulse length and the optional code from the options."""
        super().__init__(runtime, "lock")

    @override
    async def async_added_to_hass(self) -> None:
        """Follow punches, to tell who opened the door last."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.punches.async_add_listener(self._async_punched))

    @override
    async def _async_pulse_relay(self) -> None:
        command: Command = (
            ControlDevice(door=1, seconds=self._runtime.settings.unlock_seconds)
            if self._runtime.is_access_model
            else AcUnlock()
        )
        await async_run_command(self._runtime, command, not_confirmed_key="unlock_not_confirmed")
