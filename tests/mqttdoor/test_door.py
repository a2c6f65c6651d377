"""The simulated door against a real Mosquitto, observed by a plain paho client."""

import io
import json
import time

from PIL import Image
import pytest

from tests.mosquitto import MosquittoBroker, MqttProbe
from tools.mqttdoor import (
    DoorConfig,
    DoorMode,
    DoorTopics,
    SimulatedDoor,
    make_jpeg,
    make_png,
)
from tools.mqttdoor.contract import parse_command

from .conftest import DoorFactory

TOPICS = DoorTopics("devicehub", "door1")


def test_hand_shake_and_snapshot_are_retained(
    start_door: DoorFactory, mqtt_probe: MqttProbe
) -> None:
    """A late subscriber gets the discovery payload, availability, state and data points."""
    door = start_door()
    mqtt_probe.subscribe("devicehub/door1/#")

    hand_shake = mqtt_probe.wait_for(TOPICS.hand_shake)
    assert hand_shake.retain
    declared = json.loads(hand_shake.payload)
    assert declared == door.config.hand_shake()
    assert declared["name"] == "Door door1"
    assert {"model", "manufacturer", "sw_version", "heartbeat"} <= declared.keys()
    assert set(declared["features"]) >= {"lock", "open", "stranger", "attendance"}
    temperature = next(p for p in declared["datapoints"] if p["key"] == "temperature")
    assert temperature | {"unit": "°C", "device_class": "temperature"} == temperature
    assert {"min", "max"} <= temperature.keys()
    assert {p["key"]: p["type"] for p in declared["datapoints"]} == {
        "temperature": "number",
        "mode": "string",
        "battery_info": "object",
    }
    assert declared["alarms"] == [
        {"key": "overheat", "datapoint": "temperature", "above": 50, "delay": 5}
    ]
    assert declared["commands"] == ["ping", "get_config", {"name": "set_volume"}]

    assert mqtt_probe.wait_for_text(TOPICS.availability, "online").retain
    assert mqtt_probe.wait_for_text(TOPICS.state, "locked").retain
    assert mqtt_probe.wait_for_text(TOPICS.datapoint("temperature"), "21.5").retain
    assert mqtt_probe.wait_for_text(TOPICS.datapoint("mode"), "auto").retain
    battery = mqtt_probe.wait_for(TOPICS.datapoint("battery_info"))
    assert json.loads(battery.payload) == {"level": 87, "voltage": 3.9}


def test_prefix_is_configurable(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    start_door("gate-7", prefix="site/a", name="Gate 7")
    mqtt_probe.subscribe("site/a/gate-7/hand_shake")
    assert json.loads(mqtt_probe.wait_for("site/a/gate-7/hand_shake").payload)["name"] == "Gate 7"


@pytest.mark.parametrize("device_id", ["Door1", "", "a" * 65, "door/1", "door 1", "dör"])
def test_device_id_outside_the_contract_is_refused(device_id: str) -> None:
    with pytest.raises(ValueError, match="does not match"):
        DoorConfig(device_id)


def test_unclean_death_fires_the_last_will(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door()
    mqtt_probe.subscribe(TOPICS.availability)
    mqtt_probe.wait_for_text(TOPICS.availability, "online")

    door.kill()

    mqtt_probe.wait_for_text(TOPICS.availability, "offline")
    late = MqttProbe(*door_address(door))
    try:
        late.subscribe(TOPICS.availability)
        assert late.wait_for(TOPICS.availability).text == "offline"  # the will is retained
    finally:
        late.close()


def test_clean_stop_publishes_offline(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door()
    mqtt_probe.subscribe(TOPICS.availability)
    door.stop(clean=True)
    mqtt_probe.wait_for_text(TOPICS.availability, "offline")


@pytest.mark.parametrize(
    ("command", "states"),
    [
        ("unlock", ["unlocking", "unlocked"]),
        ("open", ["opening", "open", "locked"]),  # the latch locks again after open_hold
    ],
)
def test_commands_go_through_retained_state_transitions(
    start_door: DoorFactory, mqtt_probe: MqttProbe, command: str, states: list[str]
) -> None:
    door = start_door(transition_delay=0.05, open_hold=0.05)
    mqtt_probe.subscribe(TOPICS.state)
    mqtt_probe.wait_for_text(TOPICS.state, "locked")

    mqtt_probe.publish(TOPICS.command, command)

    mqtt_probe.wait_for(TOPICS.state, lambda m: len(mqtt_probe.on(TOPICS.state)) > len(states))
    assert [m.text for m in mqtt_probe.on(TOPICS.state)[1:]] == states
    assert door.received_commands == [command]
    late = MqttProbe(*door_address(door))
    try:
        late.subscribe(TOPICS.state)
        assert late.wait_for(TOPICS.state).text == states[-1]
    finally:
        late.close()


def test_lock_after_unlock(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    start_door(initial_state="unlocked", transition_delay=0.01)
    mqtt_probe.subscribe(TOPICS.state)
    mqtt_probe.publish(TOPICS.command, "lock")
    mqtt_probe.wait_for_text(TOPICS.state, "locked")
    assert [m.text for m in mqtt_probe.on(TOPICS.state)] == ["unlocked", "locking", "locked"]


def test_jam_mode_ends_jammed(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    start_door(mode=DoorMode.JAM, transition_delay=0.01)
    mqtt_probe.subscribe(TOPICS.state)
    mqtt_probe.publish(TOPICS.command, "unlock")
    mqtt_probe.wait_for_text(TOPICS.state, "jammed")
    assert [m.text for m in mqtt_probe.on(TOPICS.state)] == ["locked", "unlocking", "jammed"]


def test_silent_mode_never_confirms(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door(mode=DoorMode.SILENT, transition_delay=0.01)
    mqtt_probe.subscribe(TOPICS.state)
    mqtt_probe.subscribe(TOPICS.result)
    mqtt_probe.publish(TOPICS.command, "unlock")
    mqtt_probe.publish(TOPICS.call, json.dumps({"id": "c1", "command": "ping"}))
    assert door.wait_for_call("ping")
    assert door.received_commands == ["unlock"]

    # One broker connection delivers in order: anything the silent door had said would arrive
    # before what it says once it talks again.
    door.set_mode(DoorMode.NORMAL)
    mqtt_probe.publish(TOPICS.call, json.dumps({"id": "c2", "command": "ping"}))
    mqtt_probe.wait_for(TOPICS.result)
    assert [json.loads(m.payload)["id"] for m in mqtt_probe.on(TOPICS.result)] == ["c2"]
    assert [m.text for m in mqtt_probe.on(TOPICS.state)] == ["locked"]


def test_unknown_command_is_ignored(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door()
    mqtt_probe.subscribe(TOPICS.state)
    mqtt_probe.publish(TOPICS.command, "explode")
    mqtt_probe.publish(TOPICS.command, "unlock")
    mqtt_probe.wait_for_text(TOPICS.state, "unlocked")
    assert door.received_commands == ["explode", "unlock"]
    assert [m.text for m in mqtt_probe.on(TOPICS.state)] == ["locked", "unlocking", "unlocked"]


def test_command_deadline_is_honoured(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    """Contract 1.1: a command past its `expires` is dropped, one within it is carried out."""
    door = start_door(transition_delay=0.01)
    mqtt_probe.subscribe(TOPICS.state)
    now = time.time()
    mqtt_probe.publish(TOPICS.command, json.dumps({"command": "unlock", "expires": now - 1}))
    mqtt_probe.publish(TOPICS.command, json.dumps({"command": "open", "expires": now + 60}))
    mqtt_probe.wait_for_text(TOPICS.state, "open")
    assert door.expired_commands == ["unlock"]
    assert door.received_commands == ["open"]
    assert [m.text for m in mqtt_probe.on(TOPICS.state)][:3] == ["locked", "opening", "open"]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("unlock", ("unlock", None)),
        (" lock\n", ("lock", None)),
        ('{"command": "open", "expires": 12.5}', ("open", 12.5)),
        ('{"command": "open", "expires": 12}', ("open", 12.0)),
        ('{"command": "open", "expires": true}', ("open", None)),
        ('{"command": "open", "expires": "soon"}', ("open", None)),
        ('{"command": "open"}', ("open", None)),
        ('{"command": 5}', ('{"command": 5}', None)),
        ("[1]", ("[1]", None)),
        ("{not json", ("{not json", None)),
    ],
)
def test_parse_command(text: str, parsed: tuple[str, float | None]) -> None:
    """Both contract versions and malformed payloads, never an exception."""
    assert parse_command(text) == parsed


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({"id": "1", "command": "ping"}, {"id": "1", "ok": True, "data": "pong"}),
        (
            {"id": 2, "command": "reboot", "args": {}},
            {"id": 2, "ok": False, "error": "unknown_command"},
        ),
        (
            {"id": "3", "command": "set_volume", "args": {"volume": 30}},
            {"id": "3", "ok": True, "data": {"volume": 30}},
        ),
        (
            {"id": "4", "command": "set_volume", "args": {"volume": 300}},
            {"id": "4", "ok": False, "error": "volume must be an integer from 0 to 100"},
        ),
    ],
)
def test_call_is_answered_on_result(
    start_door: DoorFactory,
    mqtt_probe: MqttProbe,
    request_: dict[str, object],
    expected: dict[str, object],
) -> None:
    start_door()
    mqtt_probe.subscribe(TOPICS.result)
    mqtt_probe.publish(TOPICS.call, json.dumps(request_))
    assert json.loads(mqtt_probe.wait_for(TOPICS.result).payload) == expected


def test_get_config_and_malformed_calls(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door()
    mqtt_probe.subscribe(TOPICS.result)
    mqtt_probe.publish(TOPICS.call, "not json")
    mqtt_probe.publish(TOPICS.call, json.dumps({"command": "ping"}))  # no id: nobody to answer
    mqtt_probe.publish(TOPICS.call, json.dumps({"id": "g", "command": "get_config"}))
    result = json.loads(mqtt_probe.wait_for(TOPICS.result).payload)
    assert result["id"] == "g"
    assert result["data"]["device_id"] == "door1"
    assert [call["id"] for call in door.received_calls] == ["g"]


@pytest.mark.parametrize(("make", "image_format"), [(make_png, "PNG"), (make_jpeg, "JPEG")])
def test_stranger_event_and_picture_bytes(
    start_door: DoorFactory, mqtt_probe: MqttProbe, make: object, image_format: str
) -> None:
    door = start_door()
    mqtt_probe.subscribe(TOPICS.stranger)
    mqtt_probe.subscribe(TOPICS.stranger_image)
    picture = make()  # type: ignore[operator]

    event_id = door.publish_stranger(picture, picture_url="http://door1.local/pic/1.jpg")

    event = json.loads(mqtt_probe.wait_for(TOPICS.stranger).payload)
    assert event["event_id"] == event_id
    assert event["picture_url"] == "http://door1.local/pic/1.jpg"
    assert "ts" in event
    received = mqtt_probe.wait_for(TOPICS.stranger_image)
    assert received.payload == picture
    assert not received.retain
    assert Image.open(io.BytesIO(received.payload)).format == image_format


def test_stranger_without_picture(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door()
    mqtt_probe.subscribe("devicehub/door1/stranger/#")
    mqtt_probe.subscribe(TOPICS.stranger)
    door.publish_stranger(None, event_id="e1", ts="2026-01-02T03:04:05+00:00")
    door.publish_heartbeat()  # a marker: published after, so delivered after
    mqtt_probe.subscribe(TOPICS.availability)
    mqtt_probe.wait_for_text(TOPICS.availability, "online", timeout=5)
    assert json.loads(mqtt_probe.wait_for(TOPICS.stranger).payload) == {
        "ts": "2026-01-02T03:04:05+00:00",
        "event_id": "e1",
    }
    assert mqtt_probe.on(TOPICS.stranger_image) == []


def test_punch(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door()
    mqtt_probe.subscribe(TOPICS.attendance)
    door.publish_punch("42", "Ada", "check_out", ts="2026-01-02T03:04:05+00:00", verify="face")
    assert json.loads(mqtt_probe.wait_for(TOPICS.attendance).payload) == {
        "user_id": "42",
        "name": "Ada",
        "punch": "check_out",
        "ts": "2026-01-02T03:04:05+00:00",
        "verify": "face",
    }


def test_events_with_ids_are_resent_until_acknowledged(
    start_door: DoorFactory, mqtt_probe: MqttProbe
) -> None:
    """Contract 1.1: an unacknowledged punch comes again, unchanged; an ack stops it."""
    door = start_door(event_ids=True, resend_after=0.1)
    mqtt_probe.subscribe(TOPICS.attendance)
    mqtt_probe.subscribe(TOPICS.stranger)
    record = door.publish_punch("42", ts="2026-01-02T03:04:05+00:00")
    event_id = record["id"]
    mqtt_probe.wait_for(TOPICS.attendance, lambda m: len(mqtt_probe.on(TOPICS.attendance)) >= 3)
    sent = [json.loads(m.payload) for m in mqtt_probe.on(TOPICS.attendance)]
    assert all(item == record for item in sent)
    assert door.outbox.pending == [event_id]
    mqtt_probe.publish(TOPICS.ack, json.dumps({"id": "someone-else"}))
    mqtt_probe.publish(TOPICS.ack, "not json")
    mqtt_probe.publish(TOPICS.ack, json.dumps({"id": event_id}))
    assert door.wait_for(lambda: door.outbox.acknowledged == [event_id])
    assert door.outbox.pending == []
    assert door.outbox.resent >= 2
    stranger_id = door.publish_stranger()
    assert json.loads(mqtt_probe.wait_for(TOPICS.stranger).payload)["event_id"] == stranger_id
    assert len(door.outbox.pending) == 1


def test_datapoints_are_retained_in_their_declared_form(
    start_door: DoorFactory, mqtt_probe: MqttProbe
) -> None:
    door = start_door()
    door.publish_datapoint("temperature", 55)
    door.publish_datapoint("mode", "manual")
    door.publish_datapoint("battery_info", {"level": 12})
    assert door.flush()
    mqtt_probe.subscribe("devicehub/door1/datapoint/+")
    assert mqtt_probe.wait_for_text(TOPICS.datapoint("temperature"), "55").retain
    assert mqtt_probe.wait_for_text(TOPICS.datapoint("mode"), "manual").retain
    assert mqtt_probe.wait_for_text(TOPICS.datapoint("battery_info"), '{"level": 12}').retain


def test_unregister_clears_the_retained_hand_shake(
    start_door: DoorFactory, mqtt_probe: MqttProbe
) -> None:
    door = start_door()
    mqtt_probe.subscribe(TOPICS.hand_shake)
    mqtt_probe.wait_for(TOPICS.hand_shake, lambda m: m.retain)

    door.unregister()

    assert mqtt_probe.wait_for(TOPICS.hand_shake, lambda m: m.payload == b"").payload == b""
    late = MqttProbe(*door_address(door))
    try:
        # Retained messages follow each SUBACK in order: once availability's arrives, a retained
        # hand_shake would have arrived before it.
        late.subscribe(TOPICS.hand_shake)
        late.subscribe(TOPICS.availability)
        late.wait_for(TOPICS.availability)
        assert late.on(TOPICS.hand_shake) == []
    finally:
        late.close()


def test_hand_shake_ack_is_recorded(start_door: DoorFactory, mqtt_probe: MqttProbe) -> None:
    door = start_door()
    mqtt_probe.publish(TOPICS.hand_shake_ack, json.dumps({"accepted": True}))
    assert door.wait_for_ack() == {"accepted": True}


def test_door_comes_back_after_a_broker_restart(
    start_door: DoorFactory, mosquitto_broker: MosquittoBroker
) -> None:
    """The broker keeps nothing (persistence off): the door re-publishes its retained topics."""
    door = start_door(transition_delay=0.01)
    mosquitto_broker.restart()
    assert door.wait_for_connect_count(2, timeout=15)

    probe = MqttProbe(*mosquitto_broker.address)
    try:
        probe.subscribe("devicehub/door1/#")
        assert json.loads(probe.wait_for(TOPICS.hand_shake).payload)["name"] == "Door door1"
        probe.wait_for_text(TOPICS.availability, "online")
        probe.publish(TOPICS.command, "unlock")  # subscriptions were renewed too
        probe.wait_for_text(TOPICS.state, "unlocked")
    finally:
        probe.close()


def door_address(door: SimulatedDoor) -> tuple[str, int]:
    return door.config.host, door.config.port
