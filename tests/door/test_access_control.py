"""Contract 1.1 access control on doors: contact, doorbell, access, alarms, tags, relays."""

import asyncio
from datetime import timedelta
import logging
from typing import Any

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.tag import DOMAIN as TAG_DOMAIN, EVENT_TAG_SCANNED
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.door.const import (
    CONF_COMMAND_TIMEOUT,
    CONF_LEFT_OPEN_DELAY,
    CONF_TAG_SCANS,
    CONF_UNLOCK_CODE,
)
from custom_components.devicehub.door.diagnostics import async_get_door_diagnostics
from custom_components.devicehub.mqtt_door.handshake import hand_shake_to_object
from tests.journals import durable, journal_file
from tests.states import BusEvents

from .conftest import DOOR_ID, ENTRY_ID, HAND_SHAKE, Fire, published, run_loop, topic

CARD = "0012345678"  # a full card number: must never show anywhere
ACCESS_FEATURES = ["access", "alarms", "contact", "doorbell", "lock", "relays", "state", "tag"]
ACCESS_HAND_SHAKE: dict[str, Any] = HAND_SHAKE | {
    "features": ACCESS_FEATURES,
    "relays": [{"key": "gate", "name": "Gate"}, {"key": "light"}],
    "heartbeat": None,  # time moves by hours in these tests
}
CONTACT = "binary_sensor.front_door_door"
LEFT_OPEN = "binary_sensor.front_door_left_open"
DOORBELL = "event.front_door_doorbell"
ACCESS = "event.front_door_access"
GATE = "switch.front_door_gate"

# The unique id suffixes of the entities a contract 1.0 door had before 1.1 existed.
ENTITIES_1_0 = {
    "lock",
    "stranger",
    "stranger_picture",
    "attendance",
    "datapoint_temperature",
    "datapoint_mode",
    "datapoint_battery_info",
    "datapoint_blob",
    "alarm_overheat",
}
ENTITIES_1_1 = {
    "contact",
    "left_open",
    "doorbell",
    "access",
    "alarm_kind_tamper",
    "alarm_kind_forced_open",
    "alarm_kind_duress",
    "relay_gate",
    "relay_light",
}


def unique_ids(hass: HomeAssistant) -> set[str]:
    """The unique id suffixes of the test door's entities."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), ENTRY_ID)
    return {entry.unique_id.removeprefix(f"{DOOR_ID}_") for entry in entries}


def our_logs(caplog: pytest.LogCaptureFixture) -> str:
    """What devicehub logged (Home Assistant's MQTT client logs raw payloads at debug)."""
    return "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.devicehub")
    )


def contact_and_left_open(hass: HomeAssistant) -> tuple[str, str]:
    """The states of the contact and of "left open"."""
    return hass.states.get(CONTACT).state, hass.states.get(LEFT_OPEN).state


def later(hass: HomeAssistant, seconds: float) -> None:
    """Move Home Assistant's clock."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))


async def test_old_hand_shake_gives_todays_entities(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A 1.0 door gets exactly its 1.0 entities; 1.1 topics from it are dropped."""
    assert unique_ids(hass) == ENTITIES_1_0
    assert "access_control" not in await async_get_door_diagnostics(hass, setup_door)
    fire("access/contact", "open", retain=True)
    fire("access/doorbell", "")
    fire("access/attempt", {"result": "denied"})
    fire("alarm/tamper", "on")
    fire("relay/gate", "on")
    fire("access/tag", {"tag_id": CARD})
    await hass.async_block_till_done()
    assert setup_door.runtime_data.drops.by_reason == {"undeclared": 6}
    assert unique_ids(hass) == ENTITIES_1_0


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_declared_features_give_entities(
    hass: HomeAssistant, setup_door: MockConfigEntry
) -> None:
    """Each declared 1.1 feature adds its entities to the 1.0 ones, named and classed."""
    assert unique_ids(hass) == (ENTITIES_1_0 | ENTITIES_1_1) - {"stranger", "stranger_picture"} - {
        "attendance"
    }
    assert hass.states.get(CONTACT).attributes["device_class"] == "door"
    assert hass.states.get(LEFT_OPEN).attributes["device_class"] == "problem"
    assert hass.states.get(DOORBELL).attributes["device_class"] == "doorbell"
    assert hass.states.get(DOORBELL).attributes["event_types"] == ["ring"]
    assert hass.states.get(ACCESS).attributes["event_types"] == ["granted", "denied"]
    for kind in ("tamper", "forced_open", "duress"):
        state = hass.states.get(f"binary_sensor.front_door_{kind}")
        assert (state.state, state.attributes["device_class"]) == (STATE_UNKNOWN, "problem")
    assert hass.states.get("switch.front_door_light").state == STATE_UNKNOWN


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
@pytest.mark.parametrize("door_options", [{CONF_LEFT_OPEN_DELAY: 30}])
async def test_contact_and_left_open(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """The contact follows the door; "left open" turns on after the delay of the options."""
    assert hass.states.get(CONTACT).state == STATE_UNKNOWN
    fire("access/contact", "closed", retain=True)
    await hass.async_block_till_done()
    assert contact_and_left_open(hass) == (STATE_OFF, STATE_OFF)
    fire("access/contact", "OPEN\n")
    await hass.async_block_till_done()
    assert hass.states.get(CONTACT).state == STATE_ON
    later(hass, 29)
    await hass.async_block_till_done()
    assert hass.states.get(LEFT_OPEN).state == STATE_OFF
    fire("access/contact", "open")  # a repeated report does not restart the delay
    later(hass, 31)
    await hass.async_block_till_done()
    assert hass.states.get(LEFT_OPEN).state == STATE_ON
    fire("access/contact", "closed")
    await hass.async_block_till_done()
    assert contact_and_left_open(hass) == (STATE_OFF, STATE_OFF)
    fire("access/contact", "ajar")
    await hass.async_block_till_done()
    assert hass.states.get(CONTACT).state == STATE_OFF
    assert setup_door.runtime_data.drops.by_reason == {"unknown_state": 1}
    diagnostics = await async_get_door_diagnostics(hass, setup_door)
    assert diagnostics["access_control"]["contact_open"] is False


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_left_open_default_delay_and_retained_open(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, door_entry: MockConfigEntry, fire: Fire
) -> None:
    """A door open at start-up is "left open" 60 seconds (the default delay) later."""
    door_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    fire("access/contact", "open", retain=True)
    await hass.async_block_till_done()
    assert hass.states.get(LEFT_OPEN).state == STATE_OFF
    later(hass, 59)
    await hass.async_block_till_done()
    assert hass.states.get(LEFT_OPEN).state == STATE_OFF
    later(hass, 61)
    await hass.async_block_till_done()
    assert hass.states.get(LEFT_OPEN).state == STATE_ON
    await hass.config_entries.async_unload(door_entry.entry_id)


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_doorbell(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """Each press is a `ring`; a broken payload rings nothing."""
    fire("access/doorbell", "")
    await hass.async_block_till_done()
    first = hass.states.get(DOORBELL)
    assert first.attributes["event_type"] == "ring"
    assert first.attributes["timestamp"] is None
    fire("access/doorbell", {"ts": 1_700_000_000})
    await hass.async_block_till_done()
    assert hass.states.get(DOORBELL).attributes["timestamp"] == "2023-11-14T22:13:20+00:00"
    fire("access/doorbell", "[1]")
    fire("access/doorbell", {"ts": "yesterday"})
    await hass.async_block_till_done()
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 2}


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_access_masks_the_credential(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Granted and denied attempts; the card number shows masked only, nowhere in full."""
    caplog.set_level(logging.DEBUG)
    fire(
        "access/attempt",
        {
            "result": "denied",
            "credential": "card",
            "credential_id": CARD,
            "reason": "unknown card",
            "ts": 1_700_000_000,
        },
    )
    await hass.async_block_till_done()
    attributes = hass.states.get(ACCESS).attributes
    assert {key: attributes[key] for key in attributes if key not in ("friendly_name",)} == {
        "event_types": ["granted", "denied"],
        "event_type": "denied",
        "credential": "card",
        "user_id": None,
        "user_name": None,
        "credential_id": "****5678",
        "reason": "unknown card",
        "timestamp": "2023-11-14T22:13:20+00:00",
        "terminal": "Front Door",
    }
    fire(
        "access/attempt",
        {"result": "granted", "credential": "face", "user_id": 7, "name": "Ann"},
    )
    fire("access/attempt", {"result": "granted", "credential": "iris", "credential_id": "12"})
    await hass.async_block_till_done()
    attributes = hass.states.get(ACCESS).attributes
    assert (attributes["event_type"], attributes["credential"], attributes["credential_id"]) == (
        "granted",
        "other",
        "**",
    )
    # Broken attempts, one with an overlong credential: dropped, and the detail hides it.
    fire("access/attempt", {"result": "maybe"})
    fire("access/attempt", {"result": "denied", "credential_id": CARD * 10})
    fire("access/attempt", {"result": "denied", "credential": 3})
    fire("access/attempt", {"result": "denied", "user_id": True})
    await hass.async_block_till_done()
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 4}
    diagnostics = await async_get_door_diagnostics(hass, setup_door)
    assert CARD not in str(diagnostics)
    assert CARD not in our_logs(caplog)
    assert all(CARD not in str(state.as_dict()) for state in hass.states.async_all())


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_alarms(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """Each alarm is on until the door says it is over."""
    tamper = "binary_sensor.front_door_tamper"
    fire("alarm/tamper", "on", retain=True)
    fire("alarm/duress", "off", retain=True)
    await hass.async_block_till_done()
    assert hass.states.get(tamper).state == STATE_ON
    assert hass.states.get("binary_sensor.front_door_duress").state == STATE_OFF
    assert hass.states.get("binary_sensor.front_door_forced_open").state == STATE_UNKNOWN
    later(hass, 3600)  # no timer clears an alarm: only the door does
    await hass.async_block_till_done()
    assert hass.states.get(tamper).state == STATE_ON
    fire("alarm/tamper", "off")
    fire("alarm/fire", "on")
    fire("alarm/duress", "maybe")
    await hass.async_block_till_done()
    assert hass.states.get(tamper).state == STATE_OFF
    assert setup_door.runtime_data.drops.by_reason == {"undeclared": 1, "unknown_state": 1}
    diagnostics = await async_get_door_diagnostics(hass, setup_door)
    assert diagnostics["access_control"]["alarms"] == {"tamper": False, "duress": False}


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
@pytest.mark.parametrize(("door_options", "scans"), [({CONF_TAG_SCANS: True}, 1), ({}, 0)])
async def test_tags(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    scans: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With the option on, a scanned card is a tag scanned at the door's device."""
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, TAG_DOMAIN, {})
    events = BusEvents(hass, EVENT_TAG_SCANNED).events
    fire("access/tag", {"tag_id": CARD})
    fire("access/tag", {"tag_id": "bad\nid"})
    fire("access/tag", {"tag_id": CARD * 10})
    fire("access/tag", {})
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR_ID), ENTRY_ID)
    assert device is not None
    assert [(event.data["tag_id"], event.data["device_id"]) for event in events] == [
        (CARD, device.id)
    ] * scans
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 3}
    diagnostics = await async_get_door_diagnostics(hass, setup_door)
    assert diagnostics["access_control"]["tags_scanned"] == scans
    assert CARD not in str(diagnostics)
    assert CARD not in our_logs(caplog)


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
@pytest.mark.parametrize("door_options", [{CONF_TAG_SCANS: True}])
async def test_tag_without_tag_integration(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Without the tag integration set up, a scan is lost quietly, not raised."""
    fire("access/tag", {"tag_id": CARD})
    await hass.async_block_till_done()
    assert setup_door.runtime_data.tags.scanned == 1


def _switch(hass: HomeAssistant, service: str, entity: str = GATE) -> asyncio.Task[Any]:
    return asyncio.create_task(
        hass.services.async_call(SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity}, blocking=True)
    )


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
@pytest.mark.parametrize("door_options", [{CONF_COMMAND_TIMEOUT: 5}])
async def test_relays(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A relay switches when the door confirms; without a confirmation the action fails."""
    assert hass.states.get(GATE).state == STATE_UNKNOWN
    task = _switch(hass, "turn_on")
    await run_loop()
    mqtt_mock.async_publish.assert_called_once_with(
        topic("relay_command"),
        '{"relay": "gate", "state": "on"}',
        1,
        False,
        message_expiry_interval=None,
    )
    assert not task.done()
    fire("relay/gate", "off")  # not the state asked for
    await run_loop()
    assert not task.done()
    fire("relay/gate", "on")
    await task
    assert hass.states.get(GATE).state == STATE_ON
    mqtt_mock.async_publish.reset_mock()
    task = _switch(hass, "turn_off")
    await run_loop()
    later(hass, 5)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "relay_not_confirmed"
    assert err.value.translation_placeholders == {
        "name": "Front Door",
        "relay": "gate",
        "timeout": "5",
    }
    assert hass.states.get(GATE).state == STATE_ON
    fire("relay/undeclared", "on")
    fire("relay/gate", "half")
    await hass.async_block_till_done()
    assert setup_door.runtime_data.drops.by_reason == {"undeclared": 1, "unknown_state": 1}
    diagnostics = await async_get_door_diagnostics(hass, setup_door)
    assert diagnostics["access_control"]["relays"] == {"gate": True}


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_relay_command_waiting_at_unload(
    hass: HomeAssistant, setup_door: MockConfigEntry
) -> None:
    """Unloading the door ends a waiting relay command with an error, not a hang."""
    task = _switch(hass, "turn_on")
    await run_loop()
    await hass.config_entries.async_unload(setup_door.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "relay_not_confirmed"


@pytest.mark.parametrize("hand_shake", [HAND_SHAKE | {"features": ["relays"]}])
async def test_relays_feature_without_relays(
    hass: HomeAssistant, setup_door: MockConfigEntry
) -> None:
    """`relays` without a list of relays gives no switch."""
    assert not hass.states.async_entity_ids(SWITCH_DOMAIN)


@pytest.mark.parametrize("hand_shake", [HAND_SHAKE | {"relays": [{"key": "gate"}]}])
async def test_relays_without_feature(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """A list of relays without the `relays` feature is ignored, as a 1.0 door's extra field."""
    assert not hass.states.async_entity_ids(SWITCH_DOMAIN)
    assert setup_door.runtime_data.hand_shake.relays == ()
    assert "relays" not in hand_shake_to_object(setup_door.runtime_data.hand_shake)


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_options_of_declared_features(
    hass: HomeAssistant, setup_door: MockConfigEntry
) -> None:
    """A door with contact and tag gets the left-open delay and the tag opt-in."""
    result = await hass.config_entries.options.async_init(setup_door.entry_id)
    assert {str(key) for key in result["data_schema"].schema} >= {
        CONF_LEFT_OPEN_DELAY,
        CONF_TAG_SCANS,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_COMMAND_TIMEOUT: 10, CONF_LEFT_OPEN_DELAY: 120.0, CONF_TAG_SCANS: True},
    )
    assert setup_door.options == {
        CONF_UNLOCK_CODE: "",
        CONF_COMMAND_TIMEOUT: 10,
        CONF_LEFT_OPEN_DELAY: 120,
        CONF_TAG_SCANS: True,
    }


async def test_options_of_a_1_0_door(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """A 1.0 door's options are today's."""
    result = await hass.config_entries.options.async_init(setup_door.entry_id)
    assert {str(key) for key in result["data_schema"].schema} == {
        CONF_UNLOCK_CODE,
        CONF_COMMAND_TIMEOUT,
        "picture_hosts",
    }


@pytest.mark.parametrize("hand_shake", [ACCESS_HAND_SHAKE])
async def test_access_events_with_ids_once_and_acknowledged(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    fire: Fire,
    hass_storage: dict[str, Any],
) -> None:
    """Contract 1.1: rings and attempts with an id fire once, stored first, acked each time."""
    store_key = f"devicehub.door_delivered.{setup_door.entry_id}"
    fired: list[tuple[str, str]] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        # Durable before it is announced (in the Store, or journaled since its last save):
        # a crash right after cannot fire it again.
        stored = hass_storage[store_key]["data"]
        ids = durable(hass, f"door_journal.{setup_door.entry_id}", stored, "ids")
        fired.append((event.data["entity_id"], ids[-1]))

    async_track_state_change_event(hass, [DOORBELL, ACCESS], record)
    mqtt_mock.async_publish.reset_mock()
    attempt = {"result": "denied", "credential": "card", "credential_id": CARD, "id": "a-1"}
    fire("access/doorbell", {"id": "r-1"})
    fire("access/attempt", attempt)
    fire("access/attempt", attempt)  # resent: its acknowledgement was lost
    await hass.async_block_till_done()
    fire("access/doorbell", "")  # contract 1.0: no id, no acknowledgement
    await hass.async_block_till_done()

    assert fired == [(DOORBELL, "r-1"), (ACCESS, "a-1"), (DOORBELL, "a-1")]
    assert published(mqtt_mock) == [
        (topic("ack"), '{"id": "r-1"}'),
        (topic("ack"), '{"id": "a-1"}'),
        (topic("ack"), '{"id": "a-1"}'),
    ]
    runtime = setup_door.runtime_data
    assert (len(runtime.delivered), runtime.delivered.duplicates) == (2, 1)
    assert CARD not in str(hass_storage[store_key])
    journal = journal_file(hass, f"door_journal.{setup_door.entry_id}")
    assert CARD.encode() not in await hass.async_add_executor_job(journal.read_bytes)
