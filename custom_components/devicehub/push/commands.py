"""Commands for a push terminal, queued until it polls, and their confirmations.

The terminal fetches commands when it polls `getrequest` (every `Delay` seconds) and posts
each result to `devicecmd`. A caller waits for the result with a deadline; a command not yet
handed over when the deadline passes is withdrawn, so an unlock asked for long ago never
opens the door later.
"""

import asyncio
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
import time
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .const import COMMAND_RESULTS_KEPT


class CommandNotConfirmedError(Exception):
    """The terminal did not confirm the command before the deadline."""

    def __init__(self, name: str, *, sent: bool) -> None:
        """Keep which command, and whether the terminal had fetched it."""
        super().__init__(f"{name} not confirmed ({'fetched' if sent else 'never fetched'})")
        self.name = name
        self.sent = sent


async def async_wait_with_deadline(
    hass: HomeAssistant, future: asyncio.Future[Any], seconds: float
) -> bool:
    """Wait for a future until a deadline on Home Assistant's clock (like every other timer
    of devicehub, so tests move it with the time helpers); True if it got a result."""
    deadline: asyncio.Future[None] = hass.loop.create_future()

    @callback
    def _expired(_now: datetime) -> None:
        if not deadline.done():
            deadline.set_result(None)

    cancel = async_call_later(hass, seconds, _expired)
    try:
        await asyncio.wait((future, deadline), return_when=asyncio.FIRST_COMPLETED)
    finally:
        cancel()
        deadline.cancel()
    return future.done() and not future.cancelled()


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What the terminal answered to one command."""

    command_id: int
    name: str
    return_code: int
    at: datetime
    details: dict[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        """0 is success; negative codes are errors."""
        return self.return_code >= 0

    def as_dict(self) -> dict[str, JsonValueType]:
        """For diagnostics and action responses."""
        return {
            "id": self.command_id,
            "command": self.name,
            "return_code": self.return_code,
            "succeeded": self.succeeded,
            "at": self.at.isoformat(),
        }


@dataclass(slots=True, eq=False)
class PendingCommand[C]:
    """A command waiting to be fetched, or fetched and waiting for its result."""

    command_id: int
    name: str
    command: C
    future: asyncio.Future[CommandOutcome]
    sent: bool = False


class CommandQueue[C]:
    """The commands of one terminal, in the order they were asked for."""

    def __init__(self) -> None:
        """Start empty; ids start from the clock so a restart does not reuse recent ones."""
        self._ids = count(int(time.time()) % 1_000_000_000 + 1)
        self._waiting: deque[PendingCommand[C]] = deque()
        self._sent: dict[int, PendingCommand[C]] = {}
        self.results: deque[CommandOutcome] = deque(maxlen=COMMAND_RESULTS_KEPT)
        self.unknown_results = 0

    @property
    def waiting(self) -> int:
        """How many commands wait for the terminal's next poll."""
        return len(self._waiting)

    @property
    def unconfirmed(self) -> int:
        """How many fetched commands wait for their result."""
        return len(self._sent)

    def enqueue(self, name: str, command: C) -> PendingCommand[C]:
        """Queue a command for the next poll."""
        future: asyncio.Future[CommandOutcome] = asyncio.get_running_loop().create_future()
        pending = PendingCommand(next(self._ids), name, command, future)
        self._waiting.append(pending)
        return pending

    def take(self, limit: int) -> list[PendingCommand[C]]:
        """Hand up to limit commands to a poll; they then wait for their results."""
        taken: list[PendingCommand[C]] = []
        while self._waiting and len(taken) < limit:
            pending = self._waiting.popleft()
            pending.sent = True
            self._sent[pending.command_id] = pending
            taken.append(pending)
        return taken

    def resolve(self, command_id: int | str, return_code: int, details: dict[str, str]) -> bool:
        """Take a result posted by the terminal; False for an id not waiting for one."""
        text = str(command_id)
        pending = self._sent.pop(int(text), None) if text.isdigit() else None
        if pending is None:
            self.unknown_results += 1
            return False
        outcome = CommandOutcome(
            pending.command_id, pending.name, return_code, dt_util.utcnow(), details
        )
        self.results.append(outcome)
        if not pending.future.done():
            pending.future.set_result(outcome)
        return True

    async def async_wait(
        self, hass: HomeAssistant, pending: PendingCommand[C], seconds: float
    ) -> CommandOutcome:
        """Wait for the command's result; withdraw it if not fetched by the deadline."""
        if await async_wait_with_deadline(hass, pending.future, seconds):
            return pending.future.result()
        self._withdraw(pending)
        raise CommandNotConfirmedError(pending.name, sent=pending.sent)

    def _withdraw(self, pending: PendingCommand[C]) -> None:
        if pending.sent:
            # Fetched: its late result is still recorded, for diagnostics.
            return
        if pending in self._waiting:
            self._waiting.remove(pending)
        pending.future.cancel()

    def clear(self) -> None:
        """Drop everything (the entry unloads); waiting callers get cancelled."""
        for pending in [*self._waiting, *self._sent.values()]:
            pending.future.cancel()
        self._waiting.clear()
        self._sent.clear()
