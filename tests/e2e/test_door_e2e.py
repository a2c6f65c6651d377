"""A simulated door, a real Mosquitto and Home Assistant's real MQTT integration, end to end.

discovery -> confirm -> lock/unlock round trips -> stranger picture served by Home Assistant
-> data points and alarms -> `devicehub.call` -> unregister -> last will -> unavailable.
"""

import asyncio
from http import HTTPStatus
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.devicehub.const import (
    DOMAIN,
    EVENT_DEVICE_REGISTERED,
    EVENT_DEVICE_UNREGISTERED,
)
from tests.mosquitto import MosquittoBroker
from tests.states import (
    TIMEOUT,
    StateValueRecorder,
    async_wait_for_state,
    async_wait_for_state_value,
)
from tools.mqttdoor import DoorMode, make_png

from .conftest import (
    DOOR_ID,
    DOOR_NAME,
    FAST_DOOR,
    DoorFactory,
    MqttConnection,
    async_discover_and_configure,
    async_lock_action,
    async_set_command_timeout,
    async_start_locked_door,
    entity_id,
)

# Every test here runs with Home Assistant's MQTT integration connected to a real broker.
pytestmark = pytest.mark.usefixtures("socket_enabled", "mqtt_entry")


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state.state


async def test_door_from_discovery_to_last_will(
    hass: HomeAssistant,
    door_factory: DoorFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    """The whole life of a door, as the user sees it."""
    door, entry = await async_discover_and_configure(hass, door_factory)

    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR_ID), entry.entry_id)
    assert device is not None
    assert (device.name, device.manufacturer, device.model, device.sw_version) == (
        DOOR_NAME,
        "devicehub",
        "SimDoor 1",
        "1.0.0",
    )
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert {entity.entity_id for entity in entities} == {
        "lock.front_door",  # the main entity carries the device's name
        "event.front_door_stranger",
        "event.front_door_punch",
        "image.front_door_stranger_picture",
        "sensor.front_door_temperature",
        "sensor.front_door_mode",
        "sensor.front_door_battery_info",
        "binary_sensor.front_door_overheat",
    }
    lock = entity_id(hass, Platform.LOCK, "lock")
    state = await async_wait_for_state_value(hass, lock, "locked")  # retained `state`
    assert state.attributes["friendly_name"] == DOOR_NAME

    # Unlock: the action returns once the door confirms; HA shows `unlocking` meanwhile.
    transitions = StateValueRecorder(hass, lock)
    await async_lock_action(hass, "unlock", lock)
    assert state_of(hass, lock) == "unlocked"
    assert transitions.states[-2:] == ["unlocking", "unlocked"]
    assert door.received_commands == ["unlock"]
    await async_lock_action(hass, "lock", lock)
    assert state_of(hass, lock) == "locked"
    transitions.close()
    assert door.received_commands == ["unlock", "lock"]

    # A stranger: the event entity fires, the image entity serves the picture's bytes.
    picture = make_png(seed=7)
    stranger = entity_id(hass, Platform.EVENT, "stranger")
    image = entity_id(hass, Platform.IMAGE, "stranger_picture")
    image_before = state_of(hass, image)
    await hass.async_add_executor_job(door.publish_stranger, picture, None)
    fired = await async_wait_for_state(
        hass, stranger, lambda s: s.attributes.get("event_type") == "stranger"
    )
    assert fired.attributes["event_id"]
    await async_wait_for_state(hass, image, lambda s: s.state != image_before)
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{image}")
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    assert await response.read() == picture

    # The door dies without a word: the broker's last will makes every entity unavailable.
    await hass.async_add_executor_job(door.kill)
    await async_wait_for_state_value(hass, lock, STATE_UNAVAILABLE)
    for other in (stranger, image, entity_id(hass, Platform.SENSOR, "datapoint_temperature")):
        assert state_of(hass, other) == STATE_UNAVAILABLE

    # It comes back (same id, new connection): available again, state from the retained topic.
    await door_factory(DOOR_ID, **FAST_DOOR)
    await async_wait_for_state_value(hass, lock, "locked")
    assert entry.state is ConfigEntryState.LOADED


async def test_jammed_door_fails_the_action(
    hass: HomeAssistant,
    door_factory: DoorFactory,
) -> None:
    door, _, lock = await async_start_locked_door(hass, door_factory)

    door.set_mode(DoorMode.JAM)
    with pytest.raises(HomeAssistantError) as raised:
        await async_lock_action(hass, "unlock", lock)
    assert raised.value.translation_key == "door_jammed"
    assert state_of(hass, lock) == "jammed"


async def test_datapoints_alarm_and_punches(
    hass: HomeAssistant,
    door_factory: DoorFactory,
) -> None:
    door, _ = await async_discover_and_configure(hass, door_factory)
    temperature = entity_id(hass, Platform.SENSOR, "datapoint_temperature")
    mode = entity_id(hass, Platform.SENSOR, "datapoint_mode")
    battery = entity_id(hass, Platform.SENSOR, "datapoint_battery_info")
    overheat = entity_id(hass, Platform.BINARY_SENSOR, "alarm_overheat")

    state = await async_wait_for_state_value(hass, temperature, "21.5")  # retained values
    assert state.attributes["unit_of_measurement"] == "°C"
    assert state.attributes["device_class"] == "temperature"
    await async_wait_for_state_value(hass, mode, "auto")
    state = await async_wait_for_state(hass, battery, lambda s: "level" in s.attributes)
    assert (state.attributes["level"], state.attributes["voltage"]) == (87, 3.9)
    await async_wait_for_state_value(hass, overheat, "off")

    # Past the threshold for longer than the declared delay: the problem sensor trips.
    await hass.async_add_executor_job(door.publish_datapoint, "temperature", 60)
    await async_wait_for_state_value(hass, temperature, "60")
    await async_wait_for_state_value(hass, overheat, "on")
    await hass.async_add_executor_job(door.publish_datapoint, "temperature", 20)
    await async_wait_for_state_value(hass, overheat, "off")

    attendance = entity_id(hass, Platform.EVENT, "attendance")
    await hass.async_add_executor_job(door.publish_punch, "42", "Ada", "check_out")
    fired = await async_wait_for_state(
        hass, attendance, lambda s: s.attributes.get("event_type") == "check_out"
    )
    assert fired.attributes["user_id"] == "42"


async def test_call_action_round_trip(
    hass: HomeAssistant,
    door_factory: DoorFactory,
) -> None:
    door, entry = await async_discover_and_configure(hass, door_factory)
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR_ID), entry.entry_id)
    assert device is not None

    # Home Assistant subscribes in batches (0.5 s at first): once the retained state is in,
    # results cannot arrive before the door's subscription does.
    await async_wait_for_state_value(hass, entity_id(hass, Platform.LOCK, "lock"), "locked")

    async def call(command: str, **args: object) -> object:
        async with asyncio.timeout(TIMEOUT):
            return await hass.services.async_call(
                DOMAIN,
                "call",
                {"device_id": device.id, "command": command, "args": args},
                blocking=True,
                return_response=True,
            )

    assert await call("ping") == {"ok": True, "data": "pong"}
    assert await call("set_volume", volume=30) == {"ok": True, "data": {"volume": 30}}
    assert door.volume == 30
    with pytest.raises(HomeAssistantError) as refused:
        await call("set_volume", volume=300)
    assert refused.value.translation_key == "call_failed"
    with pytest.raises(ServiceValidationError):
        await call("reboot")  # not declared: never sent
    assert [c["command"] for c in door.received_calls] == ["ping", "set_volume", "set_volume"]


async def test_unregister_and_register_again(
    hass: HomeAssistant,
    door_factory: DoorFactory,
) -> None:
    door, entry, lock = await async_start_locked_door(hass, door_factory)
    bus_events: list[Event] = []

    @callback
    def record(event: Event) -> None:  # a callback runs at once, in the event loop
        bus_events.append(event)

    hass.bus.async_listen(EVENT_DEVICE_UNREGISTERED, record)
    hass.bus.async_listen(EVENT_DEVICE_REGISTERED, record)

    await hass.async_add_executor_job(door.unregister)
    await async_wait_for_state_value(hass, lock, STATE_UNAVAILABLE)
    assert [(e.event_type, e.data["door_id"]) for e in bus_events] == [
        (EVENT_DEVICE_UNREGISTERED, DOOR_ID)
    ]

    await hass.async_add_executor_job(door.publish_handshake)
    await async_wait_for_state_value(hass, lock, "locked")
    assert bus_events[-1].event_type == EVENT_DEVICE_REGISTERED
    assert entry.state is ConfigEntryState.LOADED


async def test_door_is_acknowledged_once_configured(
    hass: HomeAssistant,
    door_factory: DoorFactory,
) -> None:
    """The contract: `hand_shake/ack` {accepted: true} once the door is configured."""
    door, _ = await async_discover_and_configure(hass, door_factory)
    ack = await hass.async_add_executor_job(door.wait_for_ack, TIMEOUT)
    assert ack == {"accepted": True}


async def test_broker_restart(
    hass: HomeAssistant,
    door_factory: DoorFactory,
    mosquitto_broker: MosquittoBroker,
) -> None:
    """The broker restarts empty (no persistence): both sides reconnect, the door re-publishes."""
    door, _, lock = await async_start_locked_door(hass, door_factory)
    connection = MqttConnection(hass)

    # Home Assistant retries every 10 s; a shorter interval keeps the test short.
    with patch("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.2):
        await hass.async_add_executor_job(mosquitto_broker.stop)
        await connection.async_wait(connected=False)
        # Nobody can tell what the door does now, as with Home Assistant's own MQTT entities.
        await async_wait_for_state_value(hass, lock, STATE_UNAVAILABLE)

        await hass.async_add_executor_job(mosquitto_broker.start)
        await connection.async_wait(connected=True)
        assert await hass.async_add_executor_job(door.wait_for_connect_count, 2, TIMEOUT)
        await async_wait_for_state_value(hass, lock, "locked")
    connection.close()

    await async_lock_action(hass, "unlock", lock)
    assert state_of(hass, lock) == "unlocked"


async def test_silent_door_is_not_confirmed(
    hass: HomeAssistant,
    door_factory: DoorFactory,
) -> None:
    """A door that never answers: the action fails after the configured timeout."""
    door, entry = await async_discover_and_configure(hass, door_factory, mode=DoorMode.SILENT)
    await async_set_command_timeout(hass, entry, 1)
    lock = entity_id(hass, Platform.LOCK, "lock")
    await async_wait_for_state_value(hass, lock, "locked")

    with pytest.raises(HomeAssistantError) as raised:
        await async_lock_action(hass, "unlock", lock)
    assert raised.value.translation_key == "command_not_confirmed"
    assert door.received_commands == ["unlock"]
    assert state_of(hass, lock) == "locked"  # what the door last said
