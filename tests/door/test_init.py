"""Setup, registration, dynamic entities, repair and stale device removal of doors."""

import json
from typing import Any
from unittest.mock import patch

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import (
    MqttMockHAClient,
    WebSocketGenerator,
)

from custom_components.devicehub.const import (
    DOMAIN,
    EVENT_DEVICE_REGISTERED,
    EVENT_DEVICE_UNREGISTERED,
)
from custom_components.devicehub.door.const import CONF_HAND_SHAKE, CONF_REGISTERED
from custom_components.devicehub.door.runtime import DoorRuntime

from .conftest import DOOR_ID, ENTRY_ID, HAND_SHAKE, Fire, door_entry_data, entity_id, topic

ISSUE_ID = f"door_unregistered_{ENTRY_ID}"


def door_device(hass: HomeAssistant) -> dr.DeviceEntry:
    """Return the test door's device."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR_ID), ENTRY_ID)
    assert device is not None
    return device


async def test_setup_creates_device_and_unloads(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """The door's device carries its declaration; unloading releases everything."""
    assert setup_door.state is ConfigEntryState.LOADED
    device = door_device(hass)
    assert (device.name, device.manufacturer, device.model, device.sw_version) == (
        "Front Door",
        "Acme",
        "D-100",
        "1.2.0",
    )
    assert device.serial_number == DOOR_ID
    assert isinstance(setup_door.runtime_data, DoorRuntime)
    # Already registered before: setting up again announces nothing.
    mqtt_mock.async_publish.assert_not_called()

    assert await hass.config_entries.async_unload(setup_door.entry_id)
    await hass.async_block_till_done()
    assert setup_door.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE


async def test_setup_waits_for_mqtt(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, door_entry: MockConfigEntry
) -> None:
    """Without an MQTT client the entry retries later."""
    door_entry.add_to_hass(hass)
    with patch(
        "custom_components.devicehub.door.mqtt.async_wait_for_mqtt_client", return_value=False
    ):
        await hass.config_entries.async_setup(door_entry.entry_id)
    assert door_entry.state is ConfigEntryState.SETUP_RETRY
    assert door_entry.error_reason_translation_key == "mqtt_not_available"


async def test_first_setup_announces_the_door(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """A newly configured door gets its ack and a registered event, once."""
    events = async_capture_events(hass, EVENT_DEVICE_REGISTERED)
    entry = MockConfigEntry(
        domain=DOMAIN, entry_id=ENTRY_ID, unique_id=DOOR_ID, data=door_entry_data(registered=None)
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    mqtt_mock.async_publish.assert_called_once_with(
        topic("hand_shake/ack"), '{"accepted": true}', 1, False, message_expiry_interval=None
    )
    assert entry.data[CONF_REGISTERED] is True
    assert [event.data for event in events] == [
        {
            "device_id": door_device(hass).id,
            "entry_id": ENTRY_ID,
            "door_id": DOOR_ID,
            "kind": "mqtt_door",
            "name": "Front Door",
        }
    ]


async def test_new_hand_shake_updates_device_in_place(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """A live hand_shake with new device details updates them without a reload or flow."""
    events = async_capture_events(hass, EVENT_DEVICE_REGISTERED)
    runtime = setup_door.runtime_data
    fire("hand_shake", HAND_SHAKE | {"sw_version": "2.0.0", "model": "D-200", "heartbeat": 60})
    await hass.async_block_till_done()
    device = door_device(hass)
    assert (device.model, device.sw_version) == ("D-200", "2.0.0")
    assert setup_door.runtime_data is runtime  # not reloaded
    assert runtime.liveness.window == 125
    assert setup_door.data[CONF_HAND_SHAKE]["sw_version"] == "2.0.0"
    assert len(events) == 1
    mqtt_mock.async_publish.assert_called_once_with(
        topic("hand_shake/ack"), '{"accepted": true}', 1, False, message_expiry_interval=None
    )
    assert not hass.config_entries.flow.async_progress()


async def test_retained_replay_is_quiet(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """The broker replaying the retained hand_shake is no new registration."""
    events = async_capture_events(hass, EVENT_DEVICE_REGISTERED)
    fire("hand_shake", HAND_SHAKE, retain=True)
    await hass.async_block_till_done()
    assert events == []
    mqtt_mock.async_publish.assert_not_called()
    assert setup_door.runtime_data.last_hand_shake_at is not None


async def test_new_datapoints_add_entities(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Declaring a new data point reloads the entry with a new sensor; removed ones go."""
    registry = er.async_get(hass)
    declared = HAND_SHAKE | {
        "datapoints": [{"key": "humidity", "unit": "%", "device_class": "humidity"}],
        "alarms": [],
    }
    fire("hand_shake", declared)
    await hass.async_block_till_done()
    assert setup_door.state is ConfigEntryState.LOADED
    humidity = entity_id(hass, "sensor", "datapoint_humidity")
    fire("datapoint/humidity", "40")
    await hass.async_block_till_done()
    assert hass.states.get(humidity).state == "40"
    assert (
        registry.async_get_entity_id("sensor", DOMAIN, f"{DOOR_ID}_datapoint_temperature") is None
    )
    assert (
        registry.async_get_entity_id("binary_sensor", DOMAIN, f"{DOOR_ID}_alarm_overheat") is None
    )


async def test_invalid_hand_shake_is_refused(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """A broken hand_shake of a configured door is refused and changes nothing."""
    fire("hand_shake", '{"name": ""}')
    await hass.async_block_till_done()
    mqtt_mock.async_publish.assert_called_once_with(
        topic("hand_shake/ack"), '{"accepted": false}', 1, False, message_expiry_interval=None
    )
    assert setup_door.data[CONF_HAND_SHAKE] == HAND_SHAKE
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 1}


async def test_ack_failure_is_quiet(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """An ack that cannot be sent (MQTT down) is only logged."""
    mqtt_mock.connected = False
    fire("hand_shake", HAND_SHAKE)
    await hass.async_block_till_done()
    mqtt_mock.async_publish.assert_not_called()


async def test_unregister_raises_a_repair(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """An empty retained hand_shake: unavailable, an event and a repair issue, no deletion."""
    unregistered = async_capture_events(hass, EVENT_DEVICE_UNREGISTERED)
    registered = async_capture_events(hass, EVENT_DEVICE_REGISTERED)
    fire("hand_shake", "", retain=True)
    fire("hand_shake", "", retain=True)  # once is enough
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    assert len(unregistered) == 1
    assert unregistered[0].data["door_id"] == DOOR_ID
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "door_unregistered"
    assert issue.translation_placeholders == {"name": "Front Door", "door_id": DOOR_ID}
    assert setup_door.data[CONF_REGISTERED] is False
    assert setup_door.state is ConfigEntryState.LOADED

    # After a restart the door is still unregistered, and still has its issue.
    assert await hass.config_entries.async_reload(setup_door.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None

    # A new hand_shake registers it again.
    fire("hand_shake", HAND_SHAKE, retain=True)
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").state == "unknown"
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None
    assert len(registered) == 1


async def fix_issue(hass: HomeAssistant, *, confirm: bool) -> dict[str, Any]:
    """Run the repair flow of the unregistered door."""
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result: Any = await manager.async_init(DOMAIN, data={"issue_id": ISSUE_ID})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {"name": "Front Door", "door_id": DOOR_ID}
    if confirm:
        result = await manager.async_configure(result["flow_id"], {})
        await hass.async_block_till_done()
    return result  # type: ignore[no-any-return]


async def test_repair_removes_the_door(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """The repair flow removes the entry, only once the user confirms."""
    fire("hand_shake", "", retain=True)
    await hass.async_block_till_done()
    result = await fix_issue(hass, confirm=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert hass.config_entries.async_get_entry(setup_door.entry_id) is None
    assert dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR_ID), ENTRY_ID) is None


async def test_repair_of_a_removed_door(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A door removed meanwhile makes the repair flow abort."""
    fire("hand_shake", "", retain=True)
    await hass.async_block_till_done()
    result = await fix_issue(hass, confirm=False)
    await hass.config_entries.async_remove(setup_door.entry_id)
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "door_already_removed"


async def test_repairs_dispatcher_falls_back(hass: HomeAssistant) -> None:
    """Issues of no known family get a plain confirmation flow."""
    from custom_components.devicehub.repairs import async_create_fix_flow

    flow = await async_create_fix_flow(hass, "something_else", None)
    assert type(flow).__name__ == "ConfirmRepairFlow"


async def remove_device(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, device_id: str
) -> dict[str, Any]:
    """Ask to remove a device from the UI."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "config/device_registry/remove", "device_id": device_id}
    )
    response: dict[str, Any] = await client.receive_json()
    await hass.async_block_till_done()
    return response


async def test_live_door_cannot_be_removed(
    hass: HomeAssistant, setup_door: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """A door that is there keeps its device."""
    response = await remove_device(hass, hass_ws_client, door_device(hass).id)
    assert not response["success"]
    assert setup_door.state is ConfigEntryState.LOADED


async def test_stale_door_can_be_removed(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    fire: Fire,
) -> None:
    """An offline door's device can be removed, and its entry with it."""
    fire("availability", "offline")
    await hass.async_block_till_done()
    response = await remove_device(hass, hass_ws_client, door_device(hass).id)
    assert response["success"]
    assert hass.config_entries.async_get_entry(setup_door.entry_id) is None


async def test_leftover_device_can_be_removed(
    hass: HomeAssistant, setup_door: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """A device of the entry that is not its door is removable."""
    leftover = dr.async_get(hass).async_get_or_create(
        config_entry_id=setup_door.entry_id, identifiers={(DOMAIN, "old-door")}
    )
    response = await remove_device(hass, hass_ws_client, leftover.id)
    assert response["success"]
    assert setup_door.state is ConfigEntryState.LOADED


async def test_events_on_the_bus(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Registered events carry the HA device id and entry id for automations."""
    events: list[Event] = async_capture_events(hass, EVENT_DEVICE_REGISTERED)
    fire("hand_shake", json.dumps(HAND_SHAKE))
    await hass.async_block_till_done()
    assert events[0].data["device_id"] == door_device(hass).id
    assert events[0].data["entry_id"] == ENTRY_ID


@pytest.mark.parametrize("hand_shake", [{"name": "Bare", "features": []}])
async def test_door_without_features(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """Undeclared features create no entities, yet the device exists."""
    assert er.async_entries_for_config_entry(er.async_get(hass), setup_door.entry_id) == []
    assert door_device(hass).name == "Bare"
