"""What a door does when Home Assistant asks: lock commands (with deadlines) and calls.

A mixin of SimulatedDoor: it changes the lock state through the door's scheduler and answers
on the door's topics.
"""

from contextlib import suppress
import json
import logging
import time
from typing import Any

from .calls import CallError, CallHandler, requested_volume
from .config import DoorConfig, DoorMode
from .contract import (
    COMMAND_TRANSITIONS,
    DoorCommand,
    DoorTopics,
    LockState,
    command_name,
    parse_command,
)
from .observed import DoorObservations
from .scheduler import ScheduledJob, Scheduler

_LOGGER = logging.getLogger(__name__)


class DoorBehaviour(DoorObservations):
    """Carries out commands and answers calls, as the door's mode allows."""

    config: DoorConfig
    topics: DoorTopics
    mode: DoorMode
    volume: int
    call_handlers: dict[str, CallHandler]
    _scheduler: Scheduler
    _transition: ScheduledJob | None

    def publish(self, topic: str, payload: Any, retain: bool = False) -> Any:
        """Provided by the door."""
        raise NotImplementedError

    def publish_state(self, state: LockState | str) -> None:
        """Provided by the door."""
        raise NotImplementedError

    def _handle_command(self, text: str) -> None:
        word, expires = parse_command(text)
        if expires is not None and time.time() > expires:
            # Home Assistant has already told the user this command failed.
            self._record(lambda: self.expired_commands.append(word))
            return
        self._record(lambda: self.received_commands.append(word))
        try:
            command = DoorCommand(word)
        except ValueError:
            _LOGGER.debug("Door %s ignores command %r", self.config.device_id, text)
            return
        if self.mode is DoorMode.SILENT:
            return
        if command is DoorCommand.OPEN and "open" not in self.config.features:
            return
        transitional, final = COMMAND_TRANSITIONS[command]
        if self.mode is DoorMode.JAM:
            final = LockState.JAMMED
        self._cancel_transition()
        self.publish_state(transitional)
        self._transition = self._scheduler.call_later(
            self.config.transition_delay, lambda: self._settle(final)
        )

    def _settle(self, state: LockState) -> None:
        self.publish_state(state)
        if state is LockState.OPEN and self.config.open_hold is not None:
            # The door swings shut and the latch locks again.
            self._transition = self._scheduler.call_later(
                self.config.open_hold, lambda: self.publish_state(LockState.LOCKED)
            )

    def _cancel_transition(self) -> None:
        if self._transition is not None:
            self._transition.cancel()
            self._transition = None

    def _handle_call(self, text: str) -> None:
        try:
            request = json.loads(text)
        except ValueError:
            _LOGGER.debug("Door %s: call is not JSON: %r", self.config.device_id, text)
            return
        if not isinstance(request, dict) or "id" not in request:
            return
        self._record(lambda: self.received_calls.append(request))
        if self.mode is DoorMode.SILENT:
            return
        self._send_result(request["id"], request.get("command"), request.get("args"))

    def _send_result(self, call_id: object, command: object, args: object) -> None:
        result: dict[str, Any] = {"id": call_id}
        declared = {command_name(c) for c in self.config.commands}
        handler = self.call_handlers.get(command) if isinstance(command, str) else None
        if command not in declared or handler is None:
            result.update(ok=False, error="unknown_command")
        else:
            try:
                result.update(ok=True, data=handler(args if isinstance(args, dict) else {}))
            except CallError as err:
                result.update(ok=False, error=str(err))
        self.publish(self.topics.result, json.dumps(result))

    def _set_volume(self, args: dict[str, Any]) -> object:
        self.volume = requested_volume(args)
        return {"volume": self.volume}

    def _handle_ack(self, text: str) -> None:
        with suppress(ValueError):
            ack = json.loads(text)
            if isinstance(ack, dict):
                self._record(lambda: self.acks.append(ack))
