"""Real-broker fixtures and a door factory for the simulated door's tests."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.mosquitto import (  # noqa: F401 - fixtures used by the tests here
    MosquittoBroker,
    mosquitto,
    mosquitto_broker,
    mosquitto_executable,
    mqtt_probe,
)
from tools.mqttdoor import DoorConfig, SimulatedDoor

type DoorFactory = Callable[..., SimulatedDoor]


@pytest.fixture
def start_door(mosquitto_broker: MosquittoBroker) -> Iterator[DoorFactory]:  # noqa: F811
    """start_door(device_id="door1", **config) -> a started door, stopped at teardown."""
    doors: list[SimulatedDoor] = []

    def start(device_id: str = "door1", **overrides: Any) -> SimulatedDoor:
        config = DoorConfig(
            device_id, host=mosquitto_broker.host, port=mosquitto_broker.port, **overrides
        )
        door = SimulatedDoor(config)
        doors.append(door)
        door.start()
        return door

    yield start
    for door in doors:
        door.stop(clean=False)
