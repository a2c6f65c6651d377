"""The door relay of a terminal, as a lock.

Unlocking pulses the relay for the configured seconds; the lock shows unlocked (or open)
for that long, then locked again. The relay re-locks by itself, so locking is a no-op.
"""

from datetime import datetime
import hmac
from typing import Any, override

from homeassistant.components.lock import LockEntity
from homeassistant.components.lock.const import LockEntityFeature
from homeassistant.const import ATTR_CODE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN
from .const import CHANGED_BY_HOME_ASSISTANT, LOGGER
from .delivery import Punch
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


class TerminalLock(TerminalEntity, LockEntity):
    """The terminal's door: the device's main entity."""

    _attr_name = None
    _attr_translation_key = "door"
    _attr_supported_features = LockEntityFeature.OPEN
    _attr_is_locked = True

    def __init__(self, runtime: TerminalRuntime) -> None:
        """Take the pulse length and the optional code from the options."""
        super().__init__(runtime.coordinator, "lock")
        self._runtime = runtime
        self._code = runtime.settings.code
        if self._code is not None:
            self._attr_code_format = r"^\d+$" if self._code.isdigit() else r"^.+$"
        # Set from the moment the relay is asked until the pulse ends: one pulse at a time.
        self._pulsing = False
        self._cancel_relock: CALLBACK_TYPE | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Follow punches, to tell who opened the door last."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.delivery.async_add_listener(self._async_punched))
        self.async_on_remove(self._async_stop_relock_timer)

    @callback
    def _async_punched(self, punch: Punch) -> None:
        # Only a punch happening now can be what opened the door.
        if punch.late:
            return
        self._attr_changed_by = punch.user_name or punch.user_id
        self.async_write_ha_state()

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        """Do nothing: the relay re-locks by itself when its pulse ends."""

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        """Pulse the door relay; the lock shows unlocked during the pulse."""
        await self._async_pulse(kwargs.get(ATTR_CODE), show_open=False)

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Pulse the door relay; the lock shows open during the pulse."""
        await self._async_pulse(kwargs.get(ATTR_CODE), show_open=True)

    async def _async_pulse(self, code: str | None, *, show_open: bool) -> None:
        self._check_code(code)
        if self._pulsing:
            # A second pulse would queue behind the first on the terminal: ignore it.
            LOGGER.debug("%s is already unlocked; not pulsing the relay again", self.entity_id)
            return
        self._pulsing = True
        try:
            await self._async_pulse_relay()
        except BaseException:
            self._pulsing = False
            raise
        self._attr_is_locked = False
        self._attr_is_open = show_open
        self._attr_changed_by = CHANGED_BY_HOME_ASSISTANT
        self._cancel_relock = async_call_later(
            self.hass, self._runtime.settings.unlock_seconds, self._async_relocked
        )
        self.async_write_ha_state()

    @terminal_action
    async def _async_pulse_relay(self) -> None:
        await self._runtime.terminal.unlock(self._runtime.settings.unlock_seconds)

    def _check_code(self, code: str | None) -> None:
        if self._code is None:
            return
        if code is None or not hmac.compare_digest(code.encode(), self._code.encode()):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_code")

    @callback
    def _async_relocked(self, _now: datetime) -> None:
        self._cancel_relock = None
        self._pulsing = False
        self._attr_is_locked = True
        self._attr_is_open = False
        self.async_write_ha_state()

    @callback
    def _async_stop_relock_timer(self) -> None:
        if self._cancel_relock is not None:
            self._cancel_relock()
            self._cancel_relock = None
