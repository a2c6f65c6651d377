"""Event entities: strangers and attendance punches."""

from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.door.delivered import MAX_DELIVERED_IDS, DeliveredIds
from tests.journals import durable, journal_file

from .conftest import DOOR_ID, Fire, published, topic

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


def documented_id_bound() -> int:
    """How many delivered ids docs/mqtt-contract.md promises to keep per door."""
    text = (Path(__file__).parents[2] / "docs" / "mqtt-contract.md").read_text()
    found = re.search(r"the latest \*\*(\d+)\*\* ids", text)
    assert found is not None
    return int(found.group(1))


async def test_events_with_ids_once_and_acknowledged(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    fire: Fire,
    hass_storage: dict[str, Any],
) -> None:
    """Contract 1.1: an event with an id fires once, is stored, and acknowledged each time."""
    fired: list[str] = []
    store_key = f"devicehub.door_delivered.{setup_door.entry_id}"

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        # Durable before it is announced (in the Store, or journaled since its last save):
        # a crash right after cannot fire it again.
        stored = hass_storage[store_key]["data"]
        fired.append(durable(hass, f"door_journal.{setup_door.entry_id}", stored, "ids")[-1])

    async_track_state_change_event(hass, [ATTENDANCE, STRANGER], record)
    punch = {"user_id": "42", "punch": "check_in", "ts": 0, "id": "p-1"}
    fire("attendance", punch)
    fire("attendance", punch)  # resent: its acknowledgement was lost
    fire("stranger", {"event_id": "e-9", "id": "s-1"})
    await hass.async_block_till_done()
    fire("attendance", {"user_id": "43", "punch": "check_out", "ts": 0})  # 1.0: no id
    await hass.async_block_till_done()
    assert fired == ["p-1", "s-1", "s-1"]  # the last one, without id, stores nothing
    assert published(mqtt_mock) == [
        (topic("ack"), '{"id": "p-1"}'),
        (topic("ack"), '{"id": "p-1"}'),
        (topic("ack"), '{"id": "s-1"}'),
    ]
    runtime = setup_door.runtime_data
    assert (len(runtime.delivered), runtime.delivered.duplicates) == (2, 1)

    # After a restart the ids are still known.
    assert await hass.config_entries.async_reload(setup_door.entry_id)
    await hass.async_block_till_done()
    shown = hass.states.get(ATTENDANCE)
    mqtt_mock.async_publish.reset_mock()
    fire("attendance", punch)
    await hass.async_block_till_done()
    assert hass.states.get(ATTENDANCE) == shown
    assert setup_door.runtime_data.delivered.duplicates == 1
    assert published(mqtt_mock) == [(topic("ack"), '{"id": "p-1"}')]

    # A removed door leaves neither its ids nor its journal behind.
    journal = journal_file(hass, f"door_journal.{setup_door.entry_id}")
    assert await hass.async_add_executor_job(journal.exists)
    await hass.config_entries.async_remove(setup_door.entry_id)
    await hass.async_block_till_done()
    assert store_key not in hass_storage
    assert not await hass.async_add_executor_job(journal.exists)


async def test_delivered_ids_are_bounded(hass: HomeAssistant) -> None:
    """Only the documented number of latest ids is kept; damaged saves are ignored."""
    bound = documented_id_bound()
    assert bound == MAX_DELIVERED_IDS == 1000
    ids = DeliveredIds(hass, "entry1")
    for n in range(bound + 5):
        assert await ids.async_add(f"id-{n}")
    assert len(ids) == bound
    assert await ids.async_add("id-0")  # forgotten: the oldest made room
    assert not await ids.async_add(f"id-{bound + 4}")
    reloaded = DeliveredIds(hass, "entry1")
    await reloaded.async_load()
    assert len(reloaded) == bound


async def test_delivered_ids_survive_a_kill(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Ids the Store missed (a kill before its background save) come back from the
    journal: their resends are dropped. A door that never sent an id has no journal.
    """
    key = "devicehub.door_delivered.entry1"
    ids = DeliveredIds(hass, "entry1")
    await ids.async_load()
    assert await ids.async_add("a")  # the journal is made, and the Store saved first
    before_kill = {**hass_storage[key], "data": dict(hass_storage[key]["data"])}
    assert before_kill["data"] == {"ids": [], "journal_seq": 0}
    assert await ids.async_add("b")
    await hass.async_block_till_done()
    assert hass_storage[key]["data"] == {"ids": ["a", "b"], "journal_seq": 2}

    hass_storage[key] = before_kill  # as if killed before that save
    restarted = DeliveredIds(hass, "entry1")
    await restarted.async_load()
    assert (await restarted.async_add("a"), await restarted.async_add("b")) == (False, False)
    assert await restarted.async_add("c")
    await ids.async_close()
    await restarted.async_close()
    assert hass_storage[key]["data"] == {"ids": ["a", "b", "c"], "journal_seq": 3}

    hass_storage["devicehub.door_delivered.entry2"] = {
        "version": 1,
        "key": "x",
        "data": {"ids": ["old"]},  # saved before journals: nothing to replay
    }
    plain = DeliveredIds(hass, "entry2")
    await plain.async_load()
    assert not await plain.async_add("old")
    await plain.async_close()
    assert not await hass.async_add_executor_job(journal_file(hass, "door_journal.entry2").exists)


@pytest.mark.parametrize("stored", [{"ids": "x"}, {"ids": [1, "a"]}, ["a"], None])
async def test_damaged_delivered_ids(
    hass: HomeAssistant, hass_storage: dict[str, Any], stored: Any
) -> None:
    """What is not a list of text is left out."""
    hass_storage["devicehub.door_delivered.entry1"] = {"version": 1, "key": "x", "data": stored}
    ids = DeliveredIds(hass, "entry1")
    await ids.async_load()
    assert len(ids) == (1 if stored == {"ids": [1, "a"]} else 0)


async def test_newer_delivered_ids_file(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """A file of a newer version (after a downgrade) is ignored, not fatal."""
    hass_storage["devicehub.door_delivered.entry1"] = {
        "version": 9,
        "key": "x",
        "data": {"ids": ["a"]},
    }
    ids = DeliveredIds(hass, "entry1")
    await ids.async_load()
    assert len(ids) == 0


async def test_bad_event_id(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """An id longer than 64 characters, or not text, drops the event."""
    fire("attendance", {"user_id": "1", "punch": 0, "id": "x" * 65})
    fire("attendance", {"user_id": "1", "punch": 0, "id": ["x"]})
    await hass.async_block_till_done()
    assert hass.states.get(ATTENDANCE).state == STATE_UNKNOWN
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 2}


async def test_acknowledgement_without_mqtt(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """An event is announced even if its acknowledgement cannot go out (the door resends)."""
    with patch(
        "custom_components.devicehub.door.runtime.mqtt.async_publish",
        side_effect=HomeAssistantError("down"),
    ):
        fire("attendance", {"user_id": "1", "punch": 0, "id": "p-2"})
        await hass.async_block_till_done()
    assert hass.states.get(ATTENDANCE).state != STATE_UNKNOWN
