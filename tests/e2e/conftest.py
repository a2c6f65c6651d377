"""End-to-end fixtures: real Mosquitto, Home Assistant's real MQTT integration, simulated doors.

Network I/O needs real time to pass: everything here waits on futures with timeouts while the
event loop runs, never on sleeps.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.mosquitto import (  # noqa: F401 - fixtures used by the tests here
    MosquittoBroker,
    mosquitto,
    mosquitto_broker,
    mosquitto_executable,
)
from tools.mqttdoor import DoorConfig, SimulatedDoor

TIMEOUT = 10.0  # seconds for anything that crosses the broker


@pytest.fixture
async def mqtt_entry(
    hass: HomeAssistant,
    mosquitto_broker: MosquittoBroker,  # noqa: F811
    mock_hass_config: None,
) -> AsyncIterator[MockConfigEntry]:
    """Home Assistant's MQTT integration, connected to the test broker."""
    entry = MockConfigEntry(
        domain=mqtt.DOMAIN,
        data={"broker": mosquitto_broker.host, "port": mosquitto_broker.port, "protocol": "5"},
    )
    entry.add_to_hass(hass)
    connected = hass.loop.create_future()

    @callback
    def connection_changed(is_connected: bool) -> None:
        if is_connected and not connected.done():
            connected.set_result(None)

    unsubscribe = mqtt.async_subscribe_connection_status(hass, connection_changed)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        async with asyncio.timeout(TIMEOUT):
            await connected
    finally:
        unsubscribe()
    yield entry
    # Unloading closes the MQTT socket (and its periodic timer) before the test ends.
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


type DoorFactory = Callable[..., Awaitable[SimulatedDoor]]


@pytest.fixture
async def door_factory(
    hass: HomeAssistant,
    mosquitto_broker: MosquittoBroker,  # noqa: F811
) -> AsyncIterator[DoorFactory]:
    """`await door_factory(device_id, **config)`: a door started (off the loop) on the broker."""
    doors: list[SimulatedDoor] = []

    async def start(device_id: str = "door1", **overrides: Any) -> SimulatedDoor:
        config = DoorConfig(
            device_id, host=mosquitto_broker.host, port=mosquitto_broker.port, **overrides
        )
        door = SimulatedDoor(config)
        doors.append(door)
        await hass.async_add_executor_job(door.start)
        return door

    yield start
    for door in doors:
        await hass.async_add_executor_job(door.stop, False)


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
    return await async_wait_for_state(hass, entity_id, lambda s: s.state == value, timeout)


class StateRecorder:
    """Every state an entity goes through, for asserting on transitions."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        self.states: list[str] = []
        self._unsubscribe = async_track_state_change_event(hass, entity_id, self._changed)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        if (new_state := event.data["new_state"]) is not None:
            self.states.append(new_state.state)

    def close(self) -> None:
        self._unsubscribe()


class MqttConnection:
    """Follows Home Assistant's MQTT connection, to wait for it to drop or come back."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._connected = mqtt.is_connected(hass)
        self._waiters: list[tuple[bool, asyncio.Future[None]]] = []
        self._unsubscribe = mqtt.async_subscribe_connection_status(hass, self._changed)

    @callback
    def _changed(self, connected: bool) -> None:
        self._connected = connected
        for wanted, waiter in self._waiters:
            if wanted == connected and not waiter.done():
                waiter.set_result(None)

    async def async_wait(self, *, connected: bool) -> None:
        if self._connected == connected:
            return
        waiter: asyncio.Future[None] = self._hass.loop.create_future()
        self._waiters.append((connected, waiter))
        async with asyncio.timeout(TIMEOUT):
            await waiter

    def close(self) -> None:
        self._unsubscribe()
