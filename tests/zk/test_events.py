"""Parser of realtime event payloads."""

from datetime import datetime
import struct

from hypothesis import given, strategies as st
import pytest

from custom_components.devicehub.zk.events import parse_event_payload
from custom_components.devicehub.zk.models import LiveEvent

WHEN = datetime(2018, 12, 7, 19, 9, 6)
TIMEHEX = bytes([18, 12, 7, 19, 9, 6])


def test_real_12_byte_capture() -> None:
    """The captured numeric event from a real terminal."""
    payload = bytes.fromhex("f1944900 00 00 120c07130906")
    events, invalid = parse_event_payload(payload)
    assert invalid == 0
    assert events == [LiveEvent(user_id="4822257", timestamp=WHEN, verify=0, punch=0)]


@pytest.mark.parametrize(
    ("payload", "user_id"),
    [
        (struct.pack("<HBB6s", 77, 15, 1, TIMEHEX), "77"),
        (struct.pack("<IBB6s", 4822257, 15, 1, TIMEHEX), "4822257"),
        (struct.pack("<HBB6s4x", 77, 15, 1, TIMEHEX), "77"),
        (struct.pack("<24sBB6s", b"A-7", 15, 1, TIMEHEX), "A-7"),
        (struct.pack("<24sBB6s4x", b"1001", 15, 1, TIMEHEX), "1001"),
        (struct.pack("<24sBB6s5x", b"1001", 15, 1, TIMEHEX), "1001"),
        (struct.pack("<24sBB6s20x", b"1001", 15, 1, TIMEHEX), "1001"),
    ],
)
def test_every_known_length(payload: bytes, user_id: str) -> None:
    """10, 12, 14, 32, 36, 37 and 52-byte payloads all decode."""
    assert parse_event_payload(payload) == (
        [LiveEvent(user_id=user_id, timestamp=WHEN, verify=15, punch=1)],
        0,
    )


def test_batched_long_events() -> None:
    """Several 52-byte events in one payload each decode; a bad date is counted."""
    good = struct.pack("<24sBB6s20x", b"1", 1, 0, TIMEHEX)
    bad = struct.pack("<24sBB6s20x", b"2", 1, 0, bytes([24, 2, 31, 0, 0, 0]))
    events, invalid = parse_event_payload(good + bad + good)
    assert [event.user_id for event in events] == ["1", "1"]
    assert invalid == 1


def test_unknown_length_is_counted() -> None:
    """pyzk 0.9 crashes on these lengths; here they count as one invalid event."""
    assert parse_event_payload(b"\x01" * 20) == ([], 1)
    assert parse_event_payload(b"") == ([], 0)


@given(st.binary(max_size=300))
def test_random_payloads_never_raise(payload: bytes) -> None:
    """Any bytes give events and a count, never an exception."""
    events, invalid = parse_event_payload(payload)
    assert invalid >= 0
    assert all(isinstance(event, LiveEvent) for event in events)
