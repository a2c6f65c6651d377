"""The door's lock: commands on `command`, state from `state`."""

import asyncio
from collections.abc import Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import hmac
from typing import Any

from homeassistant.components.lock import LockEntity
from homeassistant.components.lock.const import LockEntityFeature
from homeassistant.const import ATTR_CODE
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.restore_state import RestoreEntity

from ..const import DOMAIN
from ..mqtt_door.models import DoorCommand, DoorFeature, LockState
from .const import CONF_COMMAND_TIMEOUT, CONF_UNLOCK_CODE, DEFAULT_COMMAND_TIMEOUT
from .entity import DoorEntity
from .runtime import DoorConfigEntry, DoorRuntime

# command -> (the state that confirms it, the state shown until then)
_COMMAND_STATES = {
    DoorCommand.LOCK: (LockState.LOCKED, LockState.LOCKING),
    DoorCommand.UNLOCK: (LockState.UNLOCKED, LockState.UNLOCKING),
    DoorCommand.OPEN: (LockState.OPEN, LockState.OPENING),
}
# What an optimistic door is assumed to be after each command (an opened door relatches).
_ASSUMED_STATES = {
    DoorCommand.LOCK: LockState.LOCKED,
    DoorCommand.UNLOCK: LockState.UNLOCKED,
    DoorCommand.OPEN: LockState.UNLOCKED,
}
_RESTORABLE = {LockState.LOCKED.value, LockState.UNLOCKED.value}
# When the action being carried out was asked for (set before it waits for its turn).
_REQUESTED_AT: ContextVar[float] = ContextVar("devicehub_door_command_requested_at")
# Any digits: Home Assistant checks the format, the door's code is checked here.
CODE_FORMAT = r"^\d*$"


class _Outcome(StrEnum):
    CONFIRMED = "confirmed"
    JAMMED = "jammed"
    TIMEOUT = "timeout"
    SUPERSEDED = "superseded"


@dataclass(slots=True)
class _Pending:
    command: DoorCommand
    confirmed_by: LockState
    shown: LockState
    outcome: asyncio.Future[_Outcome]


async def async_setup_lock(
    hass: HomeAssistant, entry: DoorConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the lock of a door that declares lock or open."""
    runtime = entry.runtime_data
    if runtime.hand_shake.has_lock:
        async_add_entities([DoorLock(runtime)])


class DoorLock(DoorEntity, LockEntity, RestoreEntity):
    """The door's main entity."""

    _attr_name = None

    def __init__(self, runtime: DoorRuntime) -> None:
        """Set features, optimism and the unlock code from the declaration and options."""
        super().__init__(runtime, "lock")
        features = runtime.hand_shake.features
        if DoorFeature.OPEN in features:
            self._attr_supported_features = LockEntityFeature.OPEN
        # Without a state topic nothing would ever confirm a command. A door that
        # publishes its state without declaring it is followed from its first report.
        self._optimistic = DoorFeature.STATE not in features and runtime.lock_state is None
        self._attr_assumed_state = self._optimistic
        options = runtime.entry.options
        self._code: str | None = options.get(CONF_UNLOCK_CODE) or None
        self._attr_code_format = CODE_FORMAT if self._code else None
        self._timeout: float = options.get(CONF_COMMAND_TIMEOUT, DEFAULT_COMMAND_TIMEOUT)
        self._door_state: LockState | None = runtime.lock_state
        self._pending: _Pending | None = None
        # The last command that ended: which, when (loop time) and how.
        self._last_command: tuple[DoorCommand, float, _Outcome] | None = None

    @property
    def _shown(self) -> LockState | None:
        return self._pending.shown if self._pending else self._door_state

    @property
    def is_locked(self) -> bool | None:
        """Locked, or None while the state is unknown."""
        return None if self._shown is None else self._shown is LockState.LOCKED

    @property
    def is_locking(self) -> bool:
        """Locking, as the door reports or until it confirms."""
        return self._shown is LockState.LOCKING

    @property
    def is_unlocking(self) -> bool:
        """Unlocking, as the door reports or until it confirms."""
        return self._shown is LockState.UNLOCKING

    @property
    def is_opening(self) -> bool:
        """Opening, as the door reports or until it confirms."""
        return self._shown is LockState.OPENING

    @property
    def is_open(self) -> bool:
        """Open (unlatched)."""
        return self._shown is LockState.OPEN

    @property
    def is_jammed(self) -> bool:
        """Jammed."""
        return self._shown is LockState.JAMMED

    async def async_added_to_hass(self) -> None:
        """Follow the door's state; an optimistic door restores what it was assumed to be."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.on_lock_state.add(self._async_state_received))
        if (
            self._optimistic
            and self._door_state is None
            and (last := await self.async_get_last_state()) is not None
            and last.state in _RESTORABLE
        ):
            self._door_state = LockState(last.state)

    async def async_will_remove_from_hass(self) -> None:
        """Let a waiting command return."""
        self._finish(_Outcome.SUPERSEDED, write=False)

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the door."""
        await self._async_command(DoorCommand.LOCK)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the door, after checking the code if one is set."""
        self._check_code(kwargs.get(ATTR_CODE))
        await self._async_command(DoorCommand.UNLOCK)

    async def async_open(self, **kwargs: Any) -> None:
        """Open (unlatch) the door, after checking the code if one is set."""
        self._check_code(kwargs.get(ATTR_CODE))
        await self._async_command(DoorCommand.OPEN)

    def _check_code(self, code: Any) -> None:
        if self._code is None:
            return
        if not isinstance(code, str) or not hmac.compare_digest(code.encode(), self._code.encode()):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_code")

    async def async_request_call[T](self, coro: Coroutine[Any, Any, T]) -> T:
        """Note when the action was asked for, before it queues behind the door's command."""
        _REQUESTED_AT.set(self.hass.loop.time())
        return await super().async_request_call(coro)

    async def _async_command(self, command: DoorCommand) -> None:
        if self._optimistic:
            await self.runtime.async_send_command(command)
            self._door_state = _ASSUMED_STATES[command]
            self.async_write_ha_state()
            return
        last = self._last_command
        if (
            last is not None
            and last[0] is command
            and _REQUESTED_AT.get(self.hass.loop.time()) < last[1]
        ):
            # Asked while this same command was on its way (a double tap, a repeating
            # automation): it shares that outcome rather than go out again, late.
            self._raise_for(last[2], command)
            return
        self._finish(_Outcome.SUPERSEDED, write=False)
        confirmed_by, shown = _COMMAND_STATES[command]
        pending = _Pending(command, confirmed_by, shown, self.hass.loop.create_future())
        self._pending = pending
        self.async_write_ha_state()
        try:
            await self.runtime.async_send_command(command)
        except HomeAssistantError:
            self._finish(_Outcome.SUPERSEDED)
            raise

        @callback
        def expire(_now: datetime) -> None:
            if self._pending is pending:
                self._finish(_Outcome.TIMEOUT)

        # A timer of Home Assistant so tests move time with async_fire_time_changed.
        cancel_timer = async_call_later(self.hass, self._timeout, expire)
        try:
            outcome = await pending.outcome
        finally:
            cancel_timer()
        self._last_command = (command, self.hass.loop.time(), outcome)
        self._raise_for(outcome, command)

    def _raise_for(self, outcome: _Outcome, command: DoorCommand) -> None:
        """Raise the error a command ended with, if any."""
        placeholders = {"name": self.runtime.name, "command": command.value}
        if outcome is _Outcome.TIMEOUT:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_not_confirmed",
                translation_placeholders={**placeholders, "timeout": f"{self._timeout:g}"},
            )
        if outcome is _Outcome.JAMMED:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="door_jammed",
                translation_placeholders=placeholders,
            )

    @callback
    def _finish(self, outcome: _Outcome, *, write: bool = True) -> None:
        """End the pending command (if any); the door's own state shows again."""
        if (pending := self._pending) is None:
            return
        self._pending = None
        if not pending.outcome.done():
            pending.outcome.set_result(outcome)
        if write:
            self.async_write_ha_state()

    @callback
    def _async_state_received(self, state: LockState) -> None:
        self._door_state = state
        self._optimistic = self._attr_assumed_state = False
        if self._pending is not None:
            if state is self._pending.confirmed_by:
                self._finish(_Outcome.CONFIRMED, write=False)
            elif state is LockState.JAMMED:
                self._finish(_Outcome.JAMMED, write=False)
        self.async_write_ha_state()
