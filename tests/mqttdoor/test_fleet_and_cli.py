"""Many doors at once, periodic publishing, and the command line."""

import json
from pathlib import Path
import signal
import subprocess
import sys

from tests.mosquitto import MosquittoBroker, MqttProbe
from tools.mqttdoor import DoorConfig, DoorFleet, SimulatedDoor
from tools.mqttdoor.__main__ import parse_args

REPO_ROOT = Path(__file__).parents[2]


def test_fleet_starts_and_stops_every_door(
    mosquitto_broker: MosquittoBroker, mqtt_probe: MqttProbe
) -> None:
    fleet = DoorFleet.numbered(
        5, host=mosquitto_broker.host, port=mosquitto_broker.port, datapoint_every=0.05
    )
    mqtt_probe.subscribe("devicehub/+/availability")
    fleet.start()
    try:
        assert [door.config.device_id for door in fleet] == [f"door00{n}" for n in range(1, 6)]
        mqtt_probe.subscribe("devicehub/+/datapoint/mode")
        for door in fleet:
            # Periodic values replace the initial "auto" now and then.
            mqtt_probe.wait_for(door.topics.datapoint("mode"), lambda m: not m.retain)
        fleet["door003"].kill()
        mqtt_probe.wait_for_text("devicehub/door003/availability", "offline")
    finally:
        fleet.stop(clean=True)
    for number in (1, 2, 4, 5):
        mqtt_probe.wait_for_text(f"devicehub/door00{number}/availability", "offline")


def test_periodic_strangers_and_punches(
    mosquitto_broker: MosquittoBroker, mqtt_probe: MqttProbe
) -> None:
    mqtt_probe.subscribe("devicehub/door1/#")
    config = DoorConfig(
        "door1",
        port=mosquitto_broker.port,
        stranger_every=0.05,
        punch_every=0.05,
        image_format="png",
    )
    with SimulatedDoor(config):
        picture = mqtt_probe.wait_for("devicehub/door1/stranger/image").payload
        punch = json.loads(mqtt_probe.wait_for("devicehub/door1/attendance").payload)
    assert picture.startswith(b"\x89PNG")
    assert {"user_id", "name", "punch", "ts", "verify"} <= punch.keys()


def test_cli_runs_doors_until_interrupted(
    mosquitto_broker: MosquittoBroker, mqtt_probe: MqttProbe
) -> None:
    mqtt_probe.subscribe("devicehub/+/availability")
    command = [sys.executable, "-m", "tools.mqttdoor", "--port", str(mosquitto_broker.port)]
    process = subprocess.Popen(
        [*command, "--id", "cli", "--count", "2", "--delay", "0.01"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        mqtt_probe.wait_for_text("devicehub/cli-1/availability", "online", timeout=30)
        mqtt_probe.wait_for_text("devicehub/cli-2/availability", "online", timeout=30)
        mqtt_probe.publish("devicehub/cli-2/command", "unlock")
        mqtt_probe.subscribe("devicehub/cli-2/state")
        mqtt_probe.wait_for_text("devicehub/cli-2/state", "unlocked")

        process.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, output.decode(errors="replace")
    mqtt_probe.wait_for_text("devicehub/cli-1/availability", "offline")
    mqtt_probe.wait_for_text("devicehub/cli-2/availability", "offline")


def test_cli_refuses_an_invalid_device_id() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.mqttdoor", "--id", "Door 1"],
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert b"invalid device id" in result.stderr


def test_cli_event_ids_flag() -> None:
    """--event-ids turns on ids and resends; off by default (contract 1.0 doors)."""
    assert parse_args(["--event-ids"]).event_ids is True
    assert parse_args([]).event_ids is False
