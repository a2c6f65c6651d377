"""Event entities: strangers and attendance punches."""

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.const import DOMAIN

from .conftest import DOOR_ID, Fire

STRANGER = "event.front_door_stranger"
ATTENDANCE = "event.front_door_punch"


async def test_stranger(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """A stranger fires the event with picture URL, time and event id."""
    assert hass.states.get(STRANGER).state == STATE_UNKNOWN
    fire("stranger", {"ts": 1_700_000_000, "event_id": "e-1"})
    await hass.async_block_till_done()
    state = hass.states.get(STRANGER)
    assert state.state != STATE_UNKNOWN
    assert state.attributes["event_type"] == "stranger"
    assert state.attributes["picture_url"] is None
    assert state.attributes["ts"] == "2023-11-14T22:13:20+00:00"
    assert state.attributes["event_id"] == "e-1"


async def test_bare_stranger(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """An empty stranger payload is a sighting without details."""
    fire("stranger", "")
    await hass.async_block_till_done()
    assert hass.states.get(STRANGER).attributes["event_type"] == "stranger"


async def test_bad_stranger(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """A broken stranger payload fires nothing."""
    fire("stranger", '{"picture_url": "ftp://x/y.jpg"}')
    fire("stranger", "not json")
    await hass.async_block_till_done()
    assert hass.states.get(STRANGER).state == STATE_UNKNOWN
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 1, "invalid_json": 1}


async def test_attendance(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """Punches use the same event types and data as terminals."""
    fire(
        "attendance",
        {"user_id": "42", "name": "Ann", "punch": "check_in", "ts": 0, "verify": "card"},
    )
    await hass.async_block_till_done()
    attributes = hass.states.get(ATTENDANCE).attributes
    assert attributes["event_type"] == "check_in"
    assert {
        key: attributes[key] for key in ("user_id", "user_name", "verify", "timestamp", "terminal")
    } == {
        "user_id": "42",
        "user_name": "Ann",
        "verify": "card",
        "timestamp": "1970-01-01T00:00:00+00:00",
        "terminal": "Front Door",
    }
    fire("attendance", {"user_id": 7, "punch": 4, "ts": "2024-01-02T03:04:05+00:00"})
    await hass.async_block_till_done()
    attributes = hass.states.get(ATTENDANCE).attributes
    assert (attributes["event_type"], attributes["user_id"], attributes["verify"]) == (
        "overtime_in",
        "7",
        "other",
    )


async def test_bad_attendance(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """A punch without a user is dropped."""
    fire("attendance", {"punch": "check_in"})
    await hass.async_block_till_done()
    assert hass.states.get(ATTENDANCE).state == STATE_UNKNOWN


async def test_punch_keeps_an_existing_entity_id(
    hass: HomeAssistant, door_entry: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """The entity was called Attendance: a door set up then keeps its entity id."""
    door_entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "event",
        DOMAIN,
        f"{DOOR_ID}_attendance",
        config_entry=door_entry,
        suggested_object_id="front_door_attendance",
    )
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(ATTENDANCE) is None
    fire("attendance", {"user_id": "7", "punch": "check_in"})
    await hass.async_block_till_done()
    state = hass.states.get("event.front_door_attendance")
    assert state.attributes["event_type"] == "check_in"
    assert state.attributes["friendly_name"] == "Front Door Punch"
