"""rtlog and rtstate uploads of access-control push terminals: lines, malformed lines, caps.

Per the Security PUSH specification, unverified on hardware.
"""

from datetime import datetime

import pytest

from custom_components.devicehub.adms import MAX_BODY_BYTES, BodyTooLargeError
from custom_components.devicehub.adms.access_logs import (
    DoorAlarm,
    DoorEventClass,
    DoorEventLine,
    DoorSensor,
    DoorStateLine,
    door_event_class,
    parse_rtlog,
    parse_rtstate,
)

from .samples import sample


def test_the_specification_rtlog_example() -> None:
    parsed = parse_rtlog(sample("spec_rtlog_example.txt"))
    assert (parsed.malformed, parsed.total) == (0, 1)
    (line,) = parsed.records
    assert line == DoorEventLine(
        time=datetime(2017, 1, 10, 11, 49, 32),
        event=0,
        door=1,
        user_id="1001",
        card=None,
        verify=15,
        in_out=0,
    )
    assert line.event_class is DoorEventClass.GRANTED


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (0, DoorEventClass.GRANTED),
        (3, DoorEventClass.GRANTED),
        (23, DoorEventClass.DENIED),
        (27, DoorEventClass.DENIED),
        (200, DoorEventClass.DOOR_OPENED),
        (201, DoorEventClass.DOOR_CLOSED),
        (202, DoorEventClass.EXIT_BUTTON),
        (102, DoorEventClass.ALARM),
        (206, DoorEventClass.OTHER),  # device start: not a door event
        (9999, DoorEventClass.OTHER),  # outside the table: never guessed
    ],
)
def test_event_codes(event: int, expected: DoorEventClass) -> None:
    assert door_event_class(event) is expected


def test_malformed_lines_are_counted_and_skipped() -> None:
    body = (
        b"time=2024-05-06 08:30:15\tpin=0\tcardno=12345678\teventaddr=1\tevent=27\tverifytype=4\n"
        b"pin=1\tevent=0\n"  # no time
        b"time=2024-05-06 08:30:16\tpin=1\tevent=zero\n"
        b"time=2024-05-06 08:30:17\tpin=1 2\tevent=0\n"
        b"time=2024-05-06 08:30:18\tpin=1\tcardno=12 34\tevent=0\n"
        b"time=2024-05-06 08:30:19\tpin=1\tevent=0\t" + b"x" * 5000 + b"\n"
        b"time=2024-05-06 08:30:20\tevent=202\r\n"
    )
    parsed = parse_rtlog(body)
    assert (len(parsed.records), parsed.malformed, parsed.total) == (2, 5, 7)
    assert parsed.first_malformed_reason == "line 2: time or event missing"
    denied, exit_button = parsed.records
    assert (denied.user_id, denied.card, denied.event_class) == (
        None,
        "12345678",
        DoorEventClass.DENIED,
    )
    assert exit_button.event_class is DoorEventClass.EXIT_BUTTON


def test_body_caps_apply() -> None:
    assert MAX_BODY_BYTES == 4 * 1024 * 1024
    too_big = b"time=2024-05-06 08:30:15\tevent=0\n" * (MAX_BODY_BYTES // 30)
    with pytest.raises(BodyTooLargeError):
        parse_rtlog(too_big)
    with pytest.raises(BodyTooLargeError):
        parse_rtstate(too_big)


@pytest.mark.parametrize(
    ("fields", "sensor", "alarms"),
    [
        ("sensor=01\trelay=01\talarm=0000000000000000", DoorSensor.CLOSED, frozenset()),
        ("sensor=02\talarm=01", DoorSensor.OPEN, frozenset({DoorAlarm.FORCED_OPEN})),
        ("sensor=00\talarm=02", DoorSensor.NONE, frozenset({DoorAlarm.TAMPER})),
        ("sensor=03\talarm=04", None, frozenset({DoorAlarm.DURESS})),  # 3: unknown
        ("alarm=08000000", None, frozenset({DoorAlarm.DURESS})),
        ("alarm=F0", None, frozenset()),  # mains, battery, reader: not shown
        ("sensor=0102", None, None),  # more than one byte: door 1 is ambiguous, unread
        ("relay=01", None, None),
    ],
)
def test_rtstate_door_one(
    fields: str, sensor: DoorSensor | None, alarms: frozenset[DoorAlarm] | None
) -> None:
    parsed = parse_rtstate(f"time=2024-05-06 08:30:15\t{fields}\n".encode())
    assert parsed.malformed == 0
    assert parsed.records == (
        DoorStateLine(time=datetime(2024, 5, 6, 8, 30, 15), sensor=sensor, alarms=alarms),
    )


def test_malformed_rtstate_lines() -> None:
    parsed = parse_rtstate(
        b"sensor=01\n"  # no time
        b"time=2024-05-06 08:30:15\tsensor=0x\n"
        b"time=2024-05-06 08:30:15\talarm=123\n"  # odd number of hex digits
        b"time=2024-05-06 08:30:16\tsensor=02\n"
    )
    assert (len(parsed.records), parsed.malformed) == (1, 3)
    assert parsed.records[0].sensor is DoorSensor.OPEN
