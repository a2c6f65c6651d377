"""Waiting on and recording Home Assistant states and calls: shared by the tests and benchmarks.

Everything waits on state change events with a bound, never on sleeps.
"""

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.const import EVENT_CALL_SERVICE, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers.event import async_track_state_change_event

TIMEOUT = 10.0  # seconds for anything crossing a socket, a thread or the broker
# Attributes an event entity always carries: what is left is the event's own data.
STATIC_ATTRIBUTES = {"event_types", "friendly_name", "icon"}


async def async_wait_for_state(
    hass: HomeAssistant,
    entity_id: str,
    matches: Callable[[State], bool],
    timeout: float = TIMEOUT,  # noqa: ASYNC109 - a bound on waiting, applied with asyncio.timeout
) -> State:
    """Return the entity's state once `matches(state)` holds (now or after a state change)."""
    if (state := hass.states.get(entity_id)) is not None and matches(state):
        return state
    reached: asyncio.Future[State] = hass.loop.create_future()

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        if new_state is not None and matches(new_state) and not reached.done():
            reached.set_result(new_state)

    unsubscribe = async_track_state_change_event(hass, entity_id, changed)
    try:
        async with asyncio.timeout(timeout):
            return await reached
    except TimeoutError:
        current = hass.states.get(entity_id)
        msg = f"{entity_id} did not reach the expected state; it is {current}"
        raise AssertionError(msg) from None
    finally:
        unsubscribe()


async def async_wait_for_state_value(
    hass: HomeAssistant,
    entity_id: str,
    value: str,
    timeout: float = TIMEOUT,  # noqa: ASYNC109
) -> State:
    """Return the entity's state once it shows value."""
    return await async_wait_for_state(hass, entity_id, lambda s: s.state == value, timeout)


class Recorder[T]:
    """What arrived so far, in order; await `wait(n)` until there are n."""

    def __init__(self) -> None:
        """Nothing recorded yet."""
        self.recorded: list[T] = []
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def add(self, item: T) -> None:
        """Record item and wake whoever waits for this many."""
        self.recorded.append(item)
        for count, future in self._waiters:
            if len(self.recorded) >= count and not future.done():
                future.set_result(None)

    async def wait(self, count: int, timeout: float = TIMEOUT) -> list[T]:  # noqa: ASYNC109
        """Wait until count items were recorded (in total), for at most timeout seconds."""
        if len(self.recorded) < count:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append((count, future))
            await asyncio.wait_for(future, timeout)
        return self.recorded


class _EntityRecorder[T](Recorder[T]):
    """Records what each new state of one entity shows, until stopped."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Start listening."""
        super().__init__()
        self.states = self.recorded
        self._unsubscribe = async_track_state_change_event(hass, entity_id, self._changed)

    def _keeps(self, new: State, old: State | None) -> bool:
        return True

    def _shown(self, new: State) -> T:
        raise NotImplementedError

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if new is not None and self._keeps(new, old):
            self.add(self._shown(new))

    def stop(self) -> None:
        """Stop listening."""
        self._unsubscribe()

    close = stop


class StateRecorder(_EntityRecorder[State]):
    """Records the new states of one entity.

    With punches_only, only states written by a new event are kept: not the state an event
    entity restores when it is added again, nor unavailable/unknown ones.
    """

    def __init__(self, hass: HomeAssistant, entity_id: str, *, punches_only: bool = False) -> None:
        """Start listening."""
        self._punches_only = punches_only
        super().__init__(hass, entity_id)

    def _keeps(self, new: State, old: State | None) -> bool:
        return not self._punches_only or not (
            new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN)
            or old is None
            or old.state == STATE_UNAVAILABLE
        )

    def _shown(self, new: State) -> State:
        return new

    def events(self) -> list[dict[str, Any]]:
        """The event type and data of each recorded event state."""
        return [
            {key: value for key, value in state.attributes.items() if key not in STATIC_ATTRIBUTES}
            for state in self.states
        ]


class StateValueRecorder(_EntityRecorder[str]):
    """Every state value an entity goes through, for asserting on transitions."""

    def _shown(self, new: State) -> str:
        return new.state


class ServiceCalls(Recorder[dict[str, Any]]):
    """Every call of some domain's actions, as {action, **data}; await `wait(n)`."""

    def __init__(self, hass: HomeAssistant, domain: str) -> None:
        """Start listening."""
        super().__init__()
        self.calls = self.recorded
        self._domain = domain
        self._unsubscribe = hass.bus.async_listen(EVENT_CALL_SERVICE, self._called)

    @callback
    def _called(self, event: Event[Any]) -> None:
        if event.data["domain"] == self._domain:
            self.add({"action": event.data["service"], **event.data["service_data"]})

    def stop(self) -> None:
        """Stop listening."""
        self._unsubscribe()


class BusEvents(Recorder[Event[Any]]):
    """Every event of one type on Home Assistant's bus; await `wait(n)`.

    The listener is a @callback on purpose: Home Assistant runs a listener it cannot tell is
    a callback (a bound method of a builtin such as `future.set_result` or `list.append`) in
    an executor thread, where a future's waiter is never woken.
    """

    def __init__(self, hass: HomeAssistant, event_type: str) -> None:
        """Start listening."""
        super().__init__()
        self.events = self.recorded
        self._unsubscribe = hass.bus.async_listen(event_type, self._fired)

    @callback
    def _fired(self, event: Event[Any]) -> None:
        self.add(event)

    def stop(self) -> None:
        """Stop listening."""
        self._unsubscribe()
