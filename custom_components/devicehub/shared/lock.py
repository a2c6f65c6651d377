"""A terminal's door relay as a lock that opens for a pulse and re-locks by itself.

Unlocking asks the terminal to open its relay for the configured seconds; the lock shows
unlocked (or open) for that long, then locked again. The relay re-locks by itself, so locking
is a no-op. One pulse at a time: a second request while the first is pending or the door is
still open would open the door again after the first, so it is ignored.
"""

from abc import abstractmethod
from datetime import datetime
import hmac
import logging
from typing import Any, Final, Protocol, override

from homeassistant.components.lock import LockEntity
from homeassistant.components.lock.const import LockEntityFeature
from homeassistant.const import ATTR_CODE
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN
from ..punch import Punch

LOGGER = logging.getLogger(__package__)

CHANGED_BY_HOME_ASSISTANT: Final = "Home Assistant"


class LockSettings(Protocol):
    """The options a terminal's lock follows."""

    @property
    def unlock_seconds(self) -> int:
        """How long the relay stays open."""

    @property
    def code(self) -> str | None:
        """The code asked before opening, if any."""


class LockRuntime(Protocol):
    """A terminal's runtime, as far as its lock is concerned."""

    @property
    def settings(self) -> LockSettings:
        """The terminal's options."""


class PulseLockEntity[RuntimeT: LockRuntime](LockEntity):
    """The terminal's door: the device's main entity.

    Options changes reload the entry, so the code and seconds are read once, when created.
    """

    _attr_name = None
    _attr_translation_key = "door"
    _attr_supported_features = LockEntityFeature.OPEN
    _attr_is_locked = True
    # Show `unlocking` while the terminal has been asked and has not confirmed yet (push
    # terminals confirm at their next poll; pull terminals answer at once).
    _shows_unlocking = False

    # Set by the family's own base entity.
    _runtime: RuntimeT
    # Set from the moment the relay is asked until the pulse ends: one pulse at a time.
    _pulsing = False
    _cancel_relock: CALLBACK_TYPE | None = None

    @abstractmethod
    async def _async_pulse_relay(self) -> None:
        """Ask the terminal to open the relay; raise a translated error if it does not."""

    @property
    @override
    def code_format(self) -> str | None:
        """Digits only for a numeric code, so the frontend shows a keypad; None: no code."""
        if (code := self._runtime.settings.code) is None:
            return None
        return r"^\d+$" if code.isdigit() else r"^.+$"

    @override
    async def async_added_to_hass(self) -> None:
        """Stop the re-lock timer when the entity goes."""
        await super().async_added_to_hass()
        self.async_on_remove(self._async_stop_relock_timer)

    @callback
    def _async_punched(self, punch: Punch) -> None:
        """Tell who opened the door last."""
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
        """Open the door for the configured seconds; unlocked meanwhile."""
        await self._async_pulse(kwargs.get(ATTR_CODE), show_open=False)

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Open the door for the configured seconds; open meanwhile."""
        await self._async_pulse(kwargs.get(ATTR_CODE), show_open=True)

    async def _async_pulse(self, code: str | None, *, show_open: bool) -> None:
        self._check_code(code)
        if self._pulsing:
            LOGGER.debug("%s is opening or open; not asking the terminal again", self.entity_id)
            return
        self._pulsing = True
        if self._shows_unlocking:
            self._attr_is_unlocking = True
            self.async_write_ha_state()
        try:
            await self._async_pulse_relay()
        except BaseException:
            self._pulsing = False
            if self._shows_unlocking:
                self._attr_is_unlocking = False
                self.async_write_ha_state()
            raise
        if self._shows_unlocking:
            self._attr_is_unlocking = False
        self._attr_is_locked = False
        self._attr_is_open = show_open
        self._attr_changed_by = CHANGED_BY_HOME_ASSISTANT
        self._cancel_relock = async_call_later(
            self.hass, self._runtime.settings.unlock_seconds, self._async_relocked
        )
        self.async_write_ha_state()

    def _check_code(self, code: str | None) -> None:
        if (expected := self._runtime.settings.code) is None:
            return
        if code is None or not hmac.compare_digest(code.encode(), expected.encode()):
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
