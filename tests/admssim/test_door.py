"""The simulator's rtlog and rtstate lines against the integration's parser.

Both are written from the Security PUSH specification's field description, separately.
"""

from datetime import datetime

import pytest

from custom_components.devicehub.adms.access_logs import (
    DoorAlarm,
    DoorEventClass,
    DoorSensor,
    parse_rtlog,
    parse_rtstate,
)
from tools.admssim import door

WHEN = datetime(2026, 3, 2, 9, 30, 15)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (door.EVENT_GRANTED, DoorEventClass.GRANTED),
        (door.EVENT_ACCESS_DENIED, DoorEventClass.DENIED),
        (door.EVENT_NOT_REGISTERED, DoorEventClass.DENIED),
        (door.EVENT_DOOR_OPENED, DoorEventClass.DOOR_OPENED),
        (door.EVENT_DOOR_CLOSED, DoorEventClass.DOOR_CLOSED),
        (door.EVENT_EXIT_BUTTON, DoorEventClass.EXIT_BUTTON),
    ],
)
def test_door_event_lines(event: int, expected: DoorEventClass) -> None:
    line = door.door_event_line(WHEN, event, user_id="1001", card="123", verify=15, index=7)
    parsed = parse_rtlog(line.encode())
    assert parsed.malformed == 0
    (record,) = parsed.records
    assert (record.time, record.user_id, record.card, record.verify, record.door) == (
        WHEN,
        "1001",
        "123",
        15,
        1,
    )
    assert record.event_class is expected


@pytest.mark.parametrize(
    ("sensor", "alarm", "expected_sensor", "expected_alarms"),
    [
        (door.SENSOR_NONE, 0, DoorSensor.NONE, set()),
        (door.SENSOR_CLOSED, door.ALARM_TAMPER, DoorSensor.CLOSED, {DoorAlarm.TAMPER}),
        (
            door.SENSOR_OPEN,
            door.ALARM_FORCED_OPEN | door.ALARM_DURESS_PASSWORD,
            DoorSensor.OPEN,
            {DoorAlarm.FORCED_OPEN, DoorAlarm.DURESS},
        ),
    ],
)
def test_door_state_lines(
    sensor: int, alarm: int, expected_sensor: DoorSensor, expected_alarms: set[DoorAlarm]
) -> None:
    line = door.door_state_line(WHEN, sensor=sensor, alarm=alarm)
    assert "\talarm=" in line
    assert len(line.split("alarm=")[1]) == 16  # eight doors, a byte each
    (record,) = parse_rtstate(line.encode()).records
    assert (record.sensor, record.alarms) == (expected_sensor, frozenset(expected_alarms))
