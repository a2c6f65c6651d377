"""Diagnostics and entity snapshots of a door."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import image as image_component
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, MqttMockHAClient
from syrupy.assertion import SnapshotAssertion

from custom_components.devicehub import door as door_family
from custom_components.devicehub.door.const import CONF_COMMAND_TIMEOUT, CONF_UNLOCK_CODE

from .conftest import Fire

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


@pytest.fixture(autouse=True)
def frozen_time(freezer: FrozenDateTimeFactory) -> None:
    """Fix the clock so timestamps in snapshots are stable."""
    freezer.move_to("2026-01-02T03:04:05+00:00")


def feed(fire: Fire) -> None:
    """Send the door's usual messages."""
    fire("availability", "online", retain=True)
    fire("state", "locked", retain=True)
    fire("datapoint/temperature", "21.5", retain=True)
    fire("datapoint/mode", "day", retain=True)
    fire("datapoint/battery_info", {"level": 80}, retain=True)
    fire("datapoint/blob", b"\x00\x01", retain=True)
    fire("stranger", {"event_id": "e-1", "ts": 0})
    fire("stranger/image", PNG)
    fire("attendance", {"user_id": "7", "name": "Ann", "punch": 0, "ts": 0, "verify": 15})
    fire("state", "bogus")


@pytest.mark.parametrize("door_options", [{CONF_UNLOCK_CODE: "1234", CONF_COMMAND_TIMEOUT: 10}])
async def test_diagnostics(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show the declaration, liveness and counters, and hide the unlock code."""
    feed(fire)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_door)
    assert diagnostics["entry"]["options"][CONF_UNLOCK_CODE] == "**REDACTED**"
    assert diagnostics == snapshot


@pytest.mark.parametrize(
    "platform",
    [Platform.BINARY_SENSOR, Platform.EVENT, Platform.IMAGE, Platform.LOCK, Platform.SENSOR],
)
async def test_entities(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    door_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    fire: Fire,
    snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
    platform: Platform,
) -> None:
    """Snapshot every entity of one platform after the door's usual messages."""
    monkeypatch.setattr(door_family, "PLATFORMS", (platform,))
    # A fixed image access token keeps the image snapshot stable.
    monkeypatch.setattr(image_component._RND, "getrandbits", lambda bits: 0xC0FFEE)
    door_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    await hass.async_block_till_done()
    feed(fire)
    await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, door_entry.entry_id)
