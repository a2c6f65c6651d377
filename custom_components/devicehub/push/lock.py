"""The door of a push terminal, opened by a queued command.

Access control models (they register as such) get `CONTROL DEVICE` with the configured
seconds; attendance models with a lock output get `AC_UNLOCK`, which opens it for the
terminal's own lock time. The command waits for the terminal's next poll, so the lock shows
`unlocking` until the terminal confirms it; then unlocked (or open) for the configured
seconds, then locked. The relay re-locks by itself, so locking is a no-op.
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

from ..adms import AcUnlock, Command, ControlDevice
from ..const import DOMAIN
from .const import CHANGED_BY_HOME_ASSISTANT, LOGGER
from .entity import PushOnlineEntity
from .helpers import async_run_command
from .punches import Punch
from .runtime import PushConfigEntry, PushRuntime


async def async_setup_lock(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the door lock of a push terminal."""
    async_add_entities([PushLock(entry.runtime_data)])


class PushLock(PushOnlineEntity, LockEntity):
    """The terminal's door: the device's main entity."""

    _attr_name = None
    _attr_translation_key = "door"
    _attr_supported_features = LockEntityFeature.OPEN
    _attr_is_locked = True

    def __init__(self, runtime: PushRuntime) -> None:
        """Take the pulse length and the optional code from the options."""
        super().__init__(runtime, "lock")
        self._code = runtime.settings.code
        if self._code is not None:
            self._attr_code_format = r"^\d+$" if self._code.isdigit() else r"^.+$"
        self._busy = False
        self._cancel_relock: CALLBACK_TYPE | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Follow punches, to tell who opened the door last."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.punches.async_add_listener(self._async_punched))
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
        """Do nothing: the relay re-locks by itself when its time is up."""

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        """Open the door for the configured seconds; unlocked meanwhile."""
        await self._async_open_door(kwargs.get(ATTR_CODE), show_open=False)

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Open the door for the configured seconds; open meanwhile."""
        await self._async_open_door(kwargs.get(ATTR_CODE), show_open=True)

    async def _async_open_door(self, code: str | None, *, show_open: bool) -> None:
        self._check_code(code)
        if self._busy:
            # A second command would open the door again after the first: ignore it.
            LOGGER.debug("%s is already opening; not queueing another", self.entity_id)
            return
        self._busy = True
        self._attr_is_unlocking = True
        self.async_write_ha_state()
        seconds = self._runtime.settings.unlock_seconds
        try:
            command: Command = (
                ControlDevice(door=1, seconds=seconds)
                if self._runtime.is_access_model
                else AcUnlock()
            )
            await async_run_command(
                self._runtime, command, not_confirmed_key="unlock_not_confirmed"
            )
        except BaseException:
            self._busy = False
            self._attr_is_unlocking = False
            self.async_write_ha_state()
            raise
        self._attr_is_unlocking = False
        self._attr_is_locked = False
        self._attr_is_open = show_open
        self._attr_changed_by = CHANGED_BY_HOME_ASSISTANT
        self._cancel_relock = async_call_later(self.hass, seconds, self._async_relocked)
        self.async_write_ha_state()

    def _check_code(self, code: str | None) -> None:
        if self._code is None:
            return
        if code is None or not hmac.compare_digest(code.encode(), self._code.encode()):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_code")

    @callback
    def _async_relocked(self, _now: datetime) -> None:
        self._cancel_relock = None
        self._busy = False
        self._attr_is_locked = True
        self._attr_is_open = False
        self.async_write_ha_state()

    @callback
    def _async_stop_relock_timer(self) -> None:
        if self._cancel_relock is not None:
            self._cancel_relock()
            self._cancel_relock = None
