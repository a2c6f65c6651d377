"""The door's lock: commands on `command`, state from `state` (through the coordinator).

One command at a time per door, under an asyncio.Lock. A command asked while the same one
is on its way (a double tap, a repeating automation) shares that outcome rather than go out
again, late: it notes when it was asked before it waits for the lock.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import hmac
from typing import Any, NamedTuple, override

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
from .coordinator import LockReport
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
# Any digits: Home Assistant checks the format, the door's code is checked here.
CODE_FORMAT = r"^\d*$"


class _Outcome(StrEnum):
    CONFIRMED = "confirmed"
    JAMMED = "jammed"
    TIMEOUT = "timeout"
    SUPERSEDED = "superseded"


class _Ended(NamedTuple):
    command: DoorCommand
    at: float  # loop time
    outcome: _Outcome


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

    _follows = "lock"

    _attr_name = None

    def __init__(self, runtime: DoorRuntime) -> None:
        """Set features, optimism and the unlock code from the declaration and options."""
        super().__init__(runtime, "lock")
        features = runtime.hand_shake.features
        if DoorFeature.OPEN in features:
            self._attr_supported_features = LockEntityFeature.OPEN
        # Without a state topic nothing would ever confirm a command. A door that
        # publishes its state without declaring it is followed from its first report.
        self._optimistic = DoorFeature.STATE not in features
        options = runtime.entry.options
        self._code: str | None = options.get(CONF_UNLOCK_CODE) or None
        self._attr_code_format = CODE_FORMAT if self._code else None
        self._timeout: float = options.get(CONF_COMMAND_TIMEOUT, DEFAULT_COMMAND_TIMEOUT)
        self._command_lock = asyncio.Lock()
        # What an optimistic door is assumed to be, until it reports a state.
        self._assumed: LockState | None = None
        self._report: LockReport | None = self.coordinator.data.lock
        self._pending: _Pending | None = None
        self._last_command: _Ended | None = None

    @property
    def _shown(self) -> LockState | None:
        if self._pending is not None:
            return self._pending.shown
        return self.coordinator.data.lock_state or self._assumed

    @property
    @override
    def assumed_state(self) -> bool:
        """Assumed while nothing reports the door's state."""
        return self._optimistic and self.coordinator.data.lock is None

    @property
    @override
    def is_locked(self) -> bool | None:
        """Locked, or None while the state is unknown."""
        return None if self._shown is None else self._shown is LockState.LOCKED

    @property
    @override
    def is_locking(self) -> bool:
        """Locking, as the door reports or until it confirms."""
        return self._shown is LockState.LOCKING

    @property
    @override
    def is_unlocking(self) -> bool:
        """Unlocking, as the door reports or until it confirms."""
        return self._shown is LockState.UNLOCKING

    @property
    @override
    def is_opening(self) -> bool:
        """Opening, as the door reports or until it confirms."""
        return self._shown is LockState.OPENING

    @property
    @override
    def is_open(self) -> bool:
        """Open (unlatched)."""
        return self._shown is LockState.OPEN

    @property
    @override
    def is_jammed(self) -> bool:
        """Jammed."""
        return self._shown is LockState.JAMMED

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the door's state; an optimistic door restores what it was assumed to be."""
        await super().async_added_to_hass()
        if (
            self.assumed_state
            and (last := await self.async_get_last_state()) is not None
            and last.state in _RESTORABLE
        ):
            self._assumed = LockState(last.state)

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Let a waiting command return."""
        await super().async_will_remove_from_hass()
        self._finish(_Outcome.SUPERSEDED, write=False)

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the door."""
        await self._async_command(DoorCommand.LOCK)

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the door, after checking the code if one is set."""
        self._check_code(kwargs.get(ATTR_CODE))
        await self._async_command(DoorCommand.UNLOCK)

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Open (unlatch) the door, after checking the code if one is set."""
        self._check_code(kwargs.get(ATTR_CODE))
        await self._async_command(DoorCommand.OPEN)

    def _check_code(self, code: Any) -> None:
        if self._code is None:
            return
        if not isinstance(code, str) or not hmac.compare_digest(code.encode(), self._code.encode()):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_code")

    async def _async_command(self, command: DoorCommand) -> None:
        asked_at = self.hass.loop.time()
        async with self._command_lock:
            if self.assumed_state:
                await self.runtime.async_send_command(command, self._timeout)
                self._assumed = _ASSUMED_STATES[command]
                self.async_write_ha_state()
                return
            last = self._last_command
            if last is not None and last.command is command and asked_at < last.at:
                # Asked while this same command was on its way: it shares that outcome.
                self._raise_for(last.outcome, command)
                return
            outcome = await self._async_send_and_wait(command)
            self._last_command = _Ended(command, self.hass.loop.time(), outcome)
        self._raise_for(outcome, command)

    async def _async_send_and_wait(self, command: DoorCommand) -> _Outcome:
        """Show the command on its way until the door confirms it, jams or times out."""
        confirmed_by, shown = _COMMAND_STATES[command]
        pending = _Pending(command, confirmed_by, shown, self.hass.loop.create_future())
        self._pending = pending
        try:
            await self.runtime.async_send_command(command, self._timeout)
        except HomeAssistantError:
            self._finish(_Outcome.SUPERSEDED)
            raise
        # Shown once the broker has the command: writing the state first would hold the
        # command up by a state write. The door may have confirmed it already meanwhile.
        if self._pending is pending:
            self.async_write_ha_state()

        @callback
        def expire(_now: datetime) -> None:
            if self._pending is pending:
                self._finish(_Outcome.TIMEOUT)

        # A timer of Home Assistant so tests move time with async_fire_time_changed.
        cancel_timer = async_call_later(self.hass, self._timeout, expire)
        try:
            return await pending.outcome
        finally:
            cancel_timer()

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
    @override
    def _handle_coordinator_update(self) -> None:
        """A new report from the door ends the command it confirms (or jams)."""
        report = self.coordinator.data.lock
        if report is not None and report is not self._report:
            self._report = report
            if self._pending is not None:
                if report.state is self._pending.confirmed_by:
                    self._finish(_Outcome.CONFIRMED, write=False)
                elif report.state is LockState.JAMMED:
                    self._finish(_Outcome.JAMMED, write=False)
        super()._handle_coordinator_update()

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.lock
