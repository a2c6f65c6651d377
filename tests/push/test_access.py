"""Door events and states of access-control push terminals (rtlog, rtstate), from the
simulator over Home Assistant's real HTTP server onto the access entities; only access
models (by their push v3 registry or a first door log) get those entities.

Per the Security PUSH specification, unverified on hardware.
"""

from datetime import datetime
from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.push.access import MAX_SHOWN_DOOR_EVENTS
from tools.admssim import PushTerminalSimulator, PushVersion, UploadResult
from tools.admssim.door import (
    ALARM_DURESS_FINGERPRINT,
    ALARM_FORCED_OPEN,
    ALARM_TAMPER,
    EVENT_DOOR_CLOSED,
    EVENT_DOOR_OPENED,
    EVENT_EXIT_BUTTON,
    EVENT_GRANTED,
    EVENT_NOT_REGISTERED,
    SENSOR_CLOSED,
    SENSOR_NONE,
    SENSOR_OPEN,
    door_event_line,
)

from .conftest import SERIAL, TITLE, SimFactory, runtime_of

ACCESS = "event.gate_access"
EXIT_BUTTON = "event.gate_exit_button"
TAMPER = "binary_sensor.gate_tamper"
FORCED_OPEN = "binary_sensor.gate_forced_open"
DURESS = "binary_sensor.gate_duress"
CONTACT_ID = f"{SERIAL}_contact"
# Every access entity made without a door state (the contact waits for one).
ACCESS_ENTITIES = (ACCESS, EXIT_BUTTON, TAMPER, FORCED_OPEN, DURESS)
CONNECTIVITY = "binary_sensor.gate_connectivity"


class Fired:
    """Every event an event entity fires, in order."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        self.events: list[dict[str, Any]] = []
        async_track_state_change_event(hass, entity_id, self._record)

    @callback
    def _record(self, event: Event[Any]) -> None:
        new = event.data["new_state"]
        if new is not None and new.attributes.get("event_type"):
            self.events.append(dict(new.attributes))


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def test_access_attempts_fire_the_access_event(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    fired = Fired(hass, ACCESS)
    when = datetime(2026, 3, 2, 9, 30, 0)
    granted = await sim.send_door_event(
        EVENT_GRANTED, user_id="1001", card="12345678", verify=15, when=when
    )
    denied = await sim.send_door_event(EVENT_NOT_REGISTERED, card="87654321", verify=4, when=when)
    await hass.async_block_till_done()
    assert (granted, denied) == (UploadResult.ACCEPTED, UploadResult.ACCEPTED)
    assert sim.exchanges[-1].reply == "OK:1"
    assert [
        {key: event[key] for key in ("event_type", "user_id", "credential", "credential_id")}
        | {"reason": event["reason"], "timestamp": event["timestamp"]}
        for event in fired.events
    ] == [
        {
            "event_type": "granted",
            "user_id": "1001",
            "credential": "face",
            "credential_id": "****5678",
            "reason": None,
            "timestamp": "2026-03-02T09:30:00+00:00",
        },
        {
            "event_type": "denied",
            "user_id": None,
            "credential": "card",
            "credential_id": "****4321",
            "reason": "not_registered",
            "timestamp": "2026-03-02T09:30:00+00:00",
        },
    ]
    assert fired.events[0]["terminal"] == TITLE
    # The full card number is in no state.
    assert all("12345678" not in str(state.attributes) for state in hass.states.async_all())


async def test_exit_button(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    fired = Fired(hass, EXIT_BUTTON)
    assert await sim.send_door_event(EVENT_EXIT_BUTTON) is UploadResult.ACCEPTED
    await hass.async_block_till_done()
    assert [event["event_type"] for event in fired.events] == ["pressed"]


async def test_contact_appears_with_the_first_door_state(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    # A terminal that says it has no door sensor gets no contact.
    assert await sim.send_door_state(sensor=SENSOR_NONE) is UploadResult.ACCEPTED
    await hass.async_block_till_done()
    assert entity_registry.async_get_entity_id("binary_sensor", DOMAIN, CONTACT_ID) is None

    assert await sim.send_door_state(sensor=SENSOR_OPEN) is UploadResult.ACCEPTED
    await hass.async_block_till_done()
    entity_id = entity_registry.async_get_entity_id("binary_sensor", DOMAIN, CONTACT_ID)
    assert entity_id == "binary_sensor.gate_door"
    assert state_of(hass, entity_id) == STATE_ON
    assert await sim.send_door_state(sensor=SENSOR_CLOSED) is UploadResult.ACCEPTED
    await hass.async_block_till_done()
    assert state_of(hass, entity_id) == STATE_OFF
    # The door events of rtlog move it too.
    await sim.send_door_event(EVENT_DOOR_OPENED)
    await hass.async_block_till_done()
    assert state_of(hass, entity_id) == STATE_ON
    await sim.send_door_event(EVENT_DOOR_CLOSED)
    await hass.async_block_till_done()
    assert state_of(hass, entity_id) == STATE_OFF

    # After a reload the contact is there from the start: unavailable until the terminal
    # calls again, then unknown until its next report.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, entity_id) == STATE_UNAVAILABLE
    await sim.poll_once()
    await hass.async_block_till_done()
    assert state_of(hass, entity_id) == STATE_UNKNOWN


async def test_alarms_follow_the_door_state(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    # A push v2 terminal never says its type: no alarm sensors until its first door log.
    assert [hass.states.get(e) for e in (TAMPER, FORCED_OPEN, DURESS)] == [None, None, None]
    await sim.send_door_state(sensor=SENSOR_CLOSED, alarm=ALARM_TAMPER)
    await hass.async_block_till_done()
    assert [state_of(hass, e) for e in (TAMPER, FORCED_OPEN, DURESS)] == [
        STATE_ON,
        STATE_OFF,
        STATE_OFF,
    ]
    await sim.send_door_state(
        sensor=SENSOR_OPEN, alarm=ALARM_FORCED_OPEN | ALARM_DURESS_FINGERPRINT
    )
    await hass.async_block_till_done()
    assert [state_of(hass, e) for e in (TAMPER, FORCED_OPEN, DURESS)] == [
        STATE_OFF,
        STATE_ON,
        STATE_ON,
    ]
    await sim.send_door_state(sensor=SENSOR_CLOSED)
    await hass.async_block_till_done()
    assert {state_of(hass, e) for e in (TAMPER, FORCED_OPEN, DURESS)} == {STATE_OFF}


async def test_malformed_lines_other_doors_and_floods_are_counted(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    fired = Fired(hass, ACCESS)
    runtime = runtime_of(loaded_entry)
    malformed_before = runtime.counters["malformed_lines"]
    when = datetime(2026, 3, 2, 9, 30, 0)
    body = "\n".join(
        [
            "time=2026-03-02 09:30:00\tpin=1001\tevent=granted",  # not a number
            door_event_line(when, EVENT_GRANTED, user_id="1001", door=2),  # another door
            door_event_line(when, 102),  # forced open: shown from rtstate, not from rtlog
            door_event_line(when, 206),  # device start: no access entity shows it
            door_event_line(when, EVENT_GRANTED, user_id="1001"),
        ]
    )
    status, reply = await sim.post_raw("cdata", body.encode(), {"table": "rtlog"})
    await hass.async_block_till_done()
    assert (status, reply) == (200, "OK:5")
    assert state_of(hass, FORCED_OPEN) == STATE_UNKNOWN
    assert runtime.counters["malformed_lines"] == malformed_before + 1
    assert len(fired.events) == 1

    # A flood (a backlog sent as rtlog) fires at most 50 events an upload.
    assert MAX_SHOWN_DOOR_EVENTS == 50
    flood = "\n".join(door_event_line(when, EVENT_GRANTED, user_id="1002") for _ in range(80))
    status, reply = await sim.post_raw("cdata", flood.encode(), {"table": "rtlog"})
    await hass.async_block_till_done()
    assert (status, reply) == (200, "OK:80")
    assert len(fired.events) == 1 + 50
    assert runtime.counters["door_events_not_shown"] == 3 + 30


def access_entity_ids(entity_registry: er.EntityRegistry) -> set[str]:
    """The access entities of the terminal in the entity registry."""
    return {entity_id for entity_id in ACCESS_ENTITIES if entity_id in entity_registry.entities}


async def test_attendance_model_gets_no_access_entities(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_sim: SimFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    sim = await make_sim(push_version=PushVersion.V3, access_control=False)
    assert await sim.handshake()
    await sim.poll_once()
    await hass.async_block_till_done()
    assert runtime_of(loaded_entry).facts["device_type"] == "att"
    assert state_of(hass, CONNECTIVITY) == STATE_ON
    assert access_entity_ids(entity_registry) == set()
    assert all(hass.states.get(entity_id) is None for entity_id in ACCESS_ENTITIES)

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert access_entity_ids(entity_registry) == set()
    assert entity_registry.async_get_entity_id("binary_sensor", DOMAIN, CONTACT_ID) is None


async def test_access_model_gets_them_at_its_registry_and_keeps_them(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_sim: SimFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    sim = await make_sim(push_version=PushVersion.V3)
    assert await sim.handshake()
    await hass.async_block_till_done()
    assert runtime_of(loaded_entry).facts["device_type"] == "acc"
    assert access_entity_ids(entity_registry) == set(ACCESS_ENTITIES)
    assert [state_of(hass, e) for e in (TAMPER, FORCED_OPEN, DURESS)] == [STATE_UNKNOWN] * 3
    # The contact still waits for a door state.
    assert entity_registry.async_get_entity_id("binary_sensor", DOMAIN, CONTACT_ID) is None

    # After a reload they are there from the start, unavailable until the terminal calls.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert {state_of(hass, e) for e in ACCESS_ENTITIES} == {STATE_UNAVAILABLE}
    await sim.poll_once()
    await hass.async_block_till_done()
    assert [state_of(hass, e) for e in (TAMPER, FORCED_OPEN, DURESS)] == [STATE_UNKNOWN] * 3


async def test_first_door_log_makes_them_and_is_not_missed(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    # A push v2 terminal has not said what it is: no access entities yet.
    await sim.poll_once()
    await hass.async_block_till_done()
    assert "device_type" not in runtime_of(loaded_entry).facts
    assert access_entity_ids(entity_registry) == set()

    # Its first door log makes them, and that log's event is fired, not lost.
    fired = Fired(hass, EXIT_BUTTON)
    assert await sim.send_door_event(EVENT_EXIT_BUTTON) is UploadResult.ACCEPTED
    await hass.async_block_till_done()
    assert access_entity_ids(entity_registry) == set(ACCESS_ENTITIES)
    assert [event["event_type"] for event in fired.events] == ["pressed"]

    # Kept from then on: after a reload they are there before any door log.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert {state_of(hass, e) for e in ACCESS_ENTITIES} == {STATE_UNAVAILABLE}
    fired = Fired(hass, ACCESS)
    await sim.send_door_event(EVENT_GRANTED, user_id="1001")
    await hass.async_block_till_done()
    assert [event["event_type"] for event in fired.events] == ["granted"]
