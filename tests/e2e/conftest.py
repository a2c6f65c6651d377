"""End-to-end fixtures: real Mosquitto, Home Assistant's real MQTT integration, simulated doors.

Network I/O needs real time to pass: everything here waits on futures with timeouts while the
event loop runs, never on sleeps.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from homeassistant.components import mqtt
from homeassistant.config_entries import SOURCE_MQTT, ConfigEntry, ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import CONF_KIND, DOMAIN
from tests.mosquitto import (  # noqa: F401 - fixtures used by the tests here
    MosquittoBroker,
    async_setup_mqtt_entry,
    mosquitto,
    mosquitto_broker,
    mosquitto_executable,
)
from tests.states import TIMEOUT, async_wait_for_state_value
from tools.mqttdoor import DoorConfig, SimulatedDoor

DOOR_ID = "front-door"
DOOR_NAME = "Front Door"
# A short alarm delay and transitions keep the tests quick; the contract allows any.
FAST_DOOR = {
    "name": DOOR_NAME,
    "transition_delay": 0.05,
    "alarms": ({"key": "overheat", "datapoint": "temperature", "above": 50, "delay": 0.2},),
}


@pytest.fixture
async def mqtt_entry(
    hass: HomeAssistant,
    mosquitto_broker: MosquittoBroker,  # noqa: F811
    mock_hass_config: None,
) -> AsyncIterator[MockConfigEntry]:
    """Home Assistant's MQTT integration, connected to the test broker."""
    entry = await async_setup_mqtt_entry(
        hass, mosquitto_broker.host, mosquitto_broker.port, TIMEOUT
    )
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


def entity_id(hass: HomeAssistant, platform: Platform, key: str, door_id: str = DOOR_ID) -> str:
    """The entity id of one of the door's entities, found by its unique id."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{door_id}_{key}")
    assert found, f"no {platform} entity with unique id {door_id}_{key}"
    return found


async def async_next_flow(hass: HomeAssistant) -> asyncio.Future[str]:
    """A future for the id of the next devicehub discovery flow that shows a form."""
    added: asyncio.Future[str] = hass.loop.create_future()

    @callback
    def flow_changed(change: str, flow_id: str) -> None:
        if change != "added" or added.done():
            return
        if hass.config_entries.flow.async_get(flow_id)["handler"] == DOMAIN:
            added.set_result(flow_id)

    unsubscribe = hass.config_entries.flow.async_subscribe_flow(flow_changed)
    added.add_done_callback(lambda _: unsubscribe())
    return added


async def async_discover_and_configure(
    hass: HomeAssistant, door_factory: DoorFactory, door_id: str = DOOR_ID, **config: object
) -> tuple[SimulatedDoor, ConfigEntry]:
    """Start a door, let MQTT discovery offer it, confirm it; return the door and its entry."""
    assert await async_setup_component(hass, DOMAIN, {})
    next_flow = await async_next_flow(hass)
    door = await door_factory(door_id, **(FAST_DOOR | config))
    async with asyncio.timeout(TIMEOUT):
        flow_id = await next_flow

    flow = hass.config_entries.flow.async_get(flow_id)
    assert flow["context"]["source"] == SOURCE_MQTT
    assert flow["context"]["unique_id"] == door_id
    assert flow["step_id"] == "door_confirm"
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    entry = result["result"]
    assert entry.title == door.config.display_name
    assert entry.data[CONF_KIND] == "mqtt_door"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return door, entry


async def async_start_locked_door(
    hass: HomeAssistant, door_factory: DoorFactory, **config: object
) -> tuple[SimulatedDoor, ConfigEntry, str]:
    """The door start-up of most tests: discovered, configured, its lock showing `locked`.

    Returns the door, its entry and its lock's entity id.
    """
    door, entry = await async_discover_and_configure(hass, door_factory, **config)
    lock = entity_id(hass, Platform.LOCK, "lock")
    await async_wait_for_state_value(hass, lock, "locked")  # the retained `state`
    return door, entry, lock


async def async_set_command_timeout(hass: HomeAssistant, entry: ConfigEntry, seconds: int) -> None:
    """Change the door's command timeout through its options flow; the entry reloads."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"command_timeout": seconds}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads with the new option


async def async_lock_action(hass: HomeAssistant, service: str, lock: str) -> None:
    """`lock.<service>` on the lock, returning once the door confirmed (bounded)."""
    async with asyncio.timeout(TIMEOUT):
        await hass.services.async_call("lock", service, {"entity_id": lock}, blocking=True)
