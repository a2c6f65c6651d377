"""Fixtures for the MQTT door tests: one configured door on HA's mocked MQTT."""

import asyncio
from collections.abc import Callable
import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import MqttMockHAClient
from syrupy.assertion import SnapshotAssertion

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.door.const import (
    CONF_DEVICE_ID,
    CONF_HAND_SHAKE,
    CONF_PREFIX,
    CONF_REGISTERED,
)

DOOR_ID = "door1"
PREFIX = "devicehub"
ENTRY_ID = "01DOORENTRY0000000000000000"

HAND_SHAKE: dict[str, Any] = {
    "name": "Front Door",
    "model": "D-100",
    "manufacturer": "Acme",
    "sw_version": "1.2.0",
    "features": ["attendance", "lock", "open", "state", "stranger"],
    "heartbeat": 30,
    "datapoints": [
        {
            "key": "temperature",
            "name": "Temperature",
            "type": "number",
            "unit": "°C",
            "device_class": "temperature",
            "state_class": "measurement",
            "min": -40,
            "max": 80,
        },
        {"key": "mode", "name": "Mode", "type": "string"},
        {"key": "battery_info", "name": "Battery info", "type": "object"},
        {"key": "blob", "type": "bytes"},
    ],
    "alarms": [
        {
            "key": "overheat",
            "name": "Overheat",
            "datapoint": "temperature",
            "above": 50,
            "delay": 5,
            "clear_delay": 3,
        }
    ],
    "commands": ["ping", {"name": "set_volume", "description": "Set the volume"}],
}

type Fire = Callable[..., None]


def topic(kind: str, device_id: str = DOOR_ID) -> str:
    """Return a topic of the test door."""
    return f"{PREFIX}/{device_id}/{kind}"


def published(mqtt_mock: MqttMockHAClient) -> list[tuple[str, str]]:
    """The (topic, payload) of each message Home Assistant published, in order."""
    return [call.args[:2] for call in mqtt_mock.async_publish.call_args_list]


def door_entry_data(
    hand_shake: dict[str, Any] | None = None, *, registered: bool | None = True
) -> dict[str, Any]:
    """Return the data of a configured door entry."""
    data: dict[str, Any] = {
        CONF_KIND: DeviceKind.MQTT_DOOR.value,
        CONF_PREFIX: PREFIX,
        CONF_DEVICE_ID: DOOR_ID,
        CONF_HAND_SHAKE: hand_shake or HAND_SHAKE,
    }
    if registered is not None:
        data[CONF_REGISTERED] = registered
    return data


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format, in tests/door/snapshots."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def hand_shake() -> dict[str, Any]:
    """The declaration the door entry starts with (override to test others)."""
    return HAND_SHAKE


@pytest.fixture
def door_options() -> dict[str, Any]:
    """The options of the door entry."""
    return {}


@pytest.fixture
def door_entry(hand_shake: dict[str, Any], door_options: dict[str, Any]) -> MockConfigEntry:
    """A configured door."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=ENTRY_ID,
        unique_id=DOOR_ID,
        title="Front Door",
        data=door_entry_data(hand_shake),
        options=door_options,
    )


@pytest.fixture
async def setup_door(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, door_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the door entry on the mocked MQTT."""
    door_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    await hass.async_block_till_done()
    mqtt_mock.async_publish.reset_mock()
    return door_entry


@pytest.fixture
def fire(hass: HomeAssistant) -> Fire:
    """Send a message from the test door (JSON for dicts and lists)."""

    def _fire(kind: str, payload: Any, *, retain: bool = False, device_id: str = DOOR_ID) -> None:
        if isinstance(payload, dict | list):
            payload = json.dumps(payload)
        async_fire_mqtt_message(hass, topic(kind, device_id), payload, retain=retain)

    return _fire


def entity_id(hass: HomeAssistant, platform: str, key: str) -> str:
    """Find an entity of the test door by its unique id."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{DOOR_ID}_{key}")
    assert found, f"no {platform} with unique id {DOOR_ID}_{key}"
    return found


async def run_loop() -> None:
    """Let pending callbacks and tasks run without waiting on actions still in flight.

    `hass.async_block_till_done()` would wait for an action that waits for the door.
    `asyncio.sleep(0)` only yields to the loop: no time passes.
    """
    for _ in range(20):
        await asyncio.sleep(0)
