"""The MQTT door contract as pure code: topics, hand_shake and payloads."""

import json
from typing import Any

import pytest

from custom_components.devicehub.mqtt_door.errors import DropReason, PayloadError
from custom_components.devicehub.mqtt_door.handshake import (
    hand_shake_from_object,
    hand_shake_to_object,
    parse_hand_shake,
)
from custom_components.devicehub.mqtt_door.models import (
    DEFAULT_FEATURES,
    Alarm,
    Availability,
    DataPoint,
    DataPointType,
    DoorFeature,
    LockState,
)
from custom_components.devicehub.mqtt_door.payloads import (
    MAX_IMAGE_BYTES,
    MAX_TEXT_BYTES,
    ack_payload,
    call_payload,
    decode_text,
    image_content_type,
    is_http_url,
    load_json,
    normalize_timestamp,
    parse_attendance,
    parse_availability,
    parse_datapoint,
    parse_lock_state,
    parse_result,
    parse_stranger,
)
from custom_components.devicehub.mqtt_door.topics import (
    FROM_DEVICE,
    KEYED_KINDS,
    DoorTopic,
    TopicKind,
    build_topic,
    is_valid_id,
    is_valid_prefix,
    parse_topic,
    subscription_topics,
)

from .conftest import HAND_SHAKE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def reason(call: Any, *args: Any) -> DropReason:
    """Return the drop reason a parser raises."""
    with pytest.raises(PayloadError) as err:
        call(*args)
    return err.value.reason


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("door1", True),
        ("a-b_c-9", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("", False),
        ("Door1", False),
        ("door/1", False),
        ("+", False),
        ("#", False),
        ("..", False),
        ("door 1", False),
        (1, False),
    ],
)
def test_ids(value: Any, valid: bool) -> None:
    """Ids are [a-z0-9_-]{1,64}: no wildcards, separators or traversal."""
    assert is_valid_id(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("devicehub", True),
        ("site/doors", True),
        ("", False),
        ("a//b", False),
        ("/a", False),
        ("a/", False),
        ("a/+", False),
        ("a/#", False),
        ("$SYS", False),
        ("a\x00b", False),
        ("x" * 129, False),
        (None, False),
    ],
)
def test_prefixes(value: Any, valid: bool) -> None:
    """Prefixes have non-empty levels and no wildcards."""
    assert is_valid_prefix(value) is valid


def test_topics_round_trip() -> None:
    """Every topic kind builds and parses back."""
    for kind in TopicKind:
        key = "temp" if kind in KEYED_KINDS else None
        built = build_topic("site/doors", "door1", kind, key)
        assert parse_topic("site/doors", built) == DoorTopic("door1", kind, key)
    assert subscription_topics("devicehub") == (
        "devicehub/+/result",
        "devicehub/+/+/+/#",
        "devicehub/+/attendance",
        "devicehub/+/stranger",
        "devicehub/+/hand_shake",
        "devicehub/+/availability",
        "devicehub/+/state",
    )
    assert set(subscription_topics("devicehub")) == {
        f"devicehub/+/{kind.value}"
        for kind in FROM_DEVICE
        # Two levels deep or more: under the shared wildcard (contract 1.1 adds only such).
        if kind not in KEYED_KINDS and "/" not in kind.value
    } | {"devicehub/+/+/+/#"}
    assert subscription_topics("devicehub", "door1")[1] == "devicehub/door1/+/+/#"
    for kind in KEYED_KINDS:
        with pytest.raises(ValueError, match="key"):
            build_topic("devicehub", "door1", kind)


@pytest.mark.parametrize(
    "received",
    [
        "other/door1/state",
        "devicehub/Door1/state",
        "devicehub/../state",
        "devicehub/+/state",
        "devicehub/door1/unknown",
        "devicehub/door1/datapoint",
        "devicehub/door1/datapoint/Bad Key",
        "devicehub/door1/datapoint/a/b",
        "devicehub/door1/state/extra",
        "devicehubx/door1/state",
    ],
)
def test_bad_topics(received: str) -> None:
    """Malformed topics parse to None."""
    assert parse_topic("devicehub", received) is None


def test_hand_shake_full() -> None:
    """The full declaration parses into typed values and back to the same JSON."""
    full = HAND_SHAKE | {"features": sorted([*HAND_SHAKE["features"], "expires"])}
    hand_shake = parse_hand_shake(json.dumps(full).encode())
    assert hand_shake is not None
    assert hand_shake.name == "Front Door"
    # Every feature of contract 1.0, and 1.1's command deadline (1.1's access control is
    # tested in test_access_control).
    assert hand_shake.features == {
        DoorFeature.LOCK,
        DoorFeature.OPEN,
        DoorFeature.STATE,
        DoorFeature.STRANGER,
        DoorFeature.ATTENDANCE,
        DoorFeature.EXPIRES,
    }
    assert hand_shake.heartbeat == 30
    assert hand_shake.datapoints[0] == DataPoint(
        key="temperature",
        name="Temperature",
        type=DataPointType.NUMBER,
        unit="°C",
        device_class="temperature",
        state_class="measurement",
        minimum=-40,
        maximum=80,
    )
    assert hand_shake.alarms == (
        Alarm(
            key="overheat",
            name="Overheat",
            datapoint="temperature",
            above=50,
            delay=5,
            clear_delay=3,
        ),
    )
    assert [command.name for command in hand_shake.commands] == ["ping", "set_volume"]
    assert hand_shake.command("set_volume").description == "Set the volume"  # type: ignore[union-attr]
    assert hand_shake.command("reboot") is None
    assert hand_shake.datapoint("mode").type is DataPointType.STRING  # type: ignore[union-attr]
    assert hand_shake.datapoint("nope") is None
    assert hand_shake.has_lock
    assert hand_shake_to_object(hand_shake) == full | {
        "alarms": [HAND_SHAKE["alarms"][0]],
        "commands": [{"name": "ping"}, {"name": "set_volume", "description": "Set the volume"}],
        "datapoints": [
            HAND_SHAKE["datapoints"][0],
            HAND_SHAKE["datapoints"][1],
            HAND_SHAKE["datapoints"][2],
            HAND_SHAKE["datapoints"][3],
        ],
    }
    assert hand_shake_from_object(hand_shake_to_object(hand_shake)) == hand_shake


def test_hand_shake_minimal() -> None:
    """Only a name is required; no features means a plain optimistic lock."""
    hand_shake = parse_hand_shake('{"name": "Gate", "model": null, "extra": 1}')
    assert hand_shake is not None
    assert hand_shake.features == DEFAULT_FEATURES == {DoorFeature.LOCK}
    assert hand_shake.heartbeat is None
    assert hand_shake_to_object(hand_shake) == {
        "name": "Gate",
        "features": ["lock"],
        "datapoints": [],
        "alarms": [],
        "commands": [],
    }
    bare = parse_hand_shake('{"name": "Sensor", "features": ["stranger", "teleport"]}')
    assert bare is not None
    assert bare.features == {DoorFeature.STRANGER}  # unknown features are ignored
    assert not bare.has_lock


@pytest.mark.parametrize("payload", [b"", b"  ", ""])
def test_hand_shake_empty_unregisters(payload: bytes | str) -> None:
    """An empty hand_shake is an unregistration."""
    assert parse_hand_shake(payload) is None


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("[]", DropReason.INVALID_PAYLOAD),
        ("{", DropReason.INVALID_JSON),
        ('{"name": NaN}', DropReason.INVALID_JSON),
        ("[" * 100_000, DropReason.TOO_LARGE),
        (b"\xff\xfe", DropReason.NOT_UTF8),
        ({}, DropReason.INVALID_PAYLOAD),
        ({"name": ""}, DropReason.INVALID_PAYLOAD),
        ({"name": 5}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "heartbeat": True}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "heartbeat": 0.5}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "heartbeat": 10**9}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "features": "lock"}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "datapoints": [{"key": "Bad"}]}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "datapoints": [{"key": "x", "type": "blob"}]}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "datapoints": [{"key": "x"}, {"key": "x"}]}, DropReason.INVALID_PAYLOAD),
        (
            {"name": "a", "datapoints": [{"key": "x", "min": 5, "max": 1}]},
            DropReason.INVALID_PAYLOAD,
        ),
        (
            {"name": "a", "datapoints": [{"key": str(n)} for n in range(65)]},
            DropReason.INVALID_PAYLOAD,
        ),
        (
            {"name": "a", "alarms": [{"key": "x", "datapoint": "t", "above": 1}]},
            DropReason.INVALID_PAYLOAD,
        ),
        (
            {"name": "a", "datapoints": [{"key": "t"}], "alarms": [{"key": "x", "datapoint": "t"}]},
            DropReason.INVALID_PAYLOAD,
        ),
        (
            {
                "name": "a",
                "datapoints": [{"key": "t", "type": "string"}],
                "alarms": [{"key": "x", "datapoint": "t", "above": 1}],
            },
            DropReason.INVALID_PAYLOAD,
        ),
        (
            {
                "name": "a",
                "datapoints": [{"key": "t"}],
                "alarms": [{"key": "x", "datapoint": "t", "above": 1, "delay": -1}],
            },
            DropReason.INVALID_PAYLOAD,
        ),
        (
            {
                "name": "a",
                "datapoints": [{"key": "t"}],
                "alarms": [
                    {"key": "x", "datapoint": "t", "above": 1},
                    {"key": "x", "datapoint": "t", "below": 1},
                ],
            },
            DropReason.INVALID_PAYLOAD,
        ),
        ({"name": "a", "commands": ["bad name"]}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "commands": [{"name": "x" * 65}]}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "commands": ["ping", {"name": "ping"}]}, DropReason.INVALID_PAYLOAD),
        ({"name": "a", "alarms": "__import__('os')"}, DropReason.INVALID_PAYLOAD),
    ],
)
def test_hand_shake_invalid(payload: Any, expected: DropReason) -> None:
    """Every broken declaration is refused with a reason; expressions are never evaluated."""
    if isinstance(payload, dict):
        payload = json.dumps(payload)
    assert reason(parse_hand_shake, payload) is expected


def test_hand_shake_from_non_object() -> None:
    """The stored form must be an object."""
    assert reason(hand_shake_from_object, ["name"]) is DropReason.INVALID_PAYLOAD


def test_alarm_thresholds() -> None:
    """Alarms compare with above/below only."""
    alarm = Alarm(key="a", datapoint="t", above=10, below=-10)
    assert alarm.is_tripped_by(11)
    assert alarm.is_tripped_by(-11)
    assert not alarm.is_tripped_by(10)
    assert not alarm.is_tripped_by(-10)


def test_decode_and_json() -> None:
    """Text payloads are capped before decoding; JSON refuses NaN and deep nesting."""
    assert decode_text(b"ok") == "ok"
    assert decode_text(bytearray(b"ok")) == "ok"
    assert decode_text("ok") == "ok"
    assert reason(decode_text, b"x" * (MAX_TEXT_BYTES + 1)) is DropReason.TOO_LARGE
    assert reason(decode_text, "x" * (MAX_TEXT_BYTES + 1)) is DropReason.TOO_LARGE
    assert reason(load_json, "Infinity") is DropReason.INVALID_JSON
    assert reason(load_json, "[" * 50_000 + "]" * 50_000) is DropReason.INVALID_JSON
    assert reason(load_json, "1" * 5000) is DropReason.INVALID_JSON


def test_simple_payloads() -> None:
    """availability and state take exactly the contract's words."""
    assert parse_availability(b" online\n") is Availability.ONLINE
    assert parse_availability("offline") is Availability.OFFLINE
    assert reason(parse_availability, "up") is DropReason.UNKNOWN_STATE
    for state in LockState:
        assert parse_lock_state(state.value.encode()) is state
    assert reason(parse_lock_state, "LOCKED") is DropReason.UNKNOWN_STATE
    assert json.loads(ack_payload(True)) == {"accepted": True}
    assert json.loads(call_payload("abc", "ping", {"a": 1})) == {
        "id": "abc",
        "command": "ping",
        "args": {"a": 1},
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (0, "1970-01-01T00:00:00+00:00"),
        (1_700_000_000, "2023-11-14T22:13:20+00:00"),
        (1_700_000_000_000, "2023-11-14T22:13:20+00:00"),
        ("2024-05-01T08:00:00+02:00", "2024-05-01T08:00:00+02:00"),
        ("2024-05-01 08:00:00", "2024-05-01T08:00:00"),
    ],
)
def test_timestamps(value: Any, expected: str | None) -> None:
    """Timestamps are epoch seconds, epoch milliseconds or ISO 8601."""
    assert normalize_timestamp(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "x" * 65, True, [], 1e300, float("nan")])
def test_bad_timestamps(value: Any) -> None:
    """Anything else is refused."""
    assert reason(normalize_timestamp, value) is DropReason.INVALID_PAYLOAD


def test_stranger() -> None:
    """Strangers carry an optional http(s) picture URL, time and event id."""
    stranger = parse_stranger(
        '{"picture_url": "https://door.local/p.jpg", "ts": 0, "event_id": 42, "x": 1}'
    )
    assert stranger.picture_url == "https://door.local/p.jpg"
    assert stranger.timestamp == "1970-01-01T00:00:00+00:00"
    assert stranger.event_id == "42"
    assert parse_stranger(b"").picture_url is None
    for bad in (
        '{"picture_url": "file:///etc/passwd"}',
        '{"picture_url": "http://"}',
        '{"picture_url": 5.5}',
        '{"event_id": ""}',
        '{"event_id": true}',
        "[1]",
    ):
        assert reason(parse_stranger, bad) is DropReason.INVALID_PAYLOAD
    assert not is_http_url("http://[::1")
    assert is_http_url("http://192.0.2.1:8080/a.png")


def test_attendance() -> None:
    """Punches map onto the vocabulary shared with terminals."""
    punch = parse_attendance('{"user_id": 7, "name": "Ann", "punch": 1, "ts": 0, "verify": 1}')
    assert (punch.user_id, punch.user_name, punch.punch, punch.verify) == (
        "7",
        "Ann",
        "check_out",
        "fingerprint",
    )
    punch = parse_attendance('{"user_id": "u", "punch": "break_in", "verify": "face"}')
    assert (punch.punch, punch.verify, punch.timestamp, punch.user_name) == (
        "break_in",
        "face",
        None,
        None,
    )
    assert parse_attendance('{"user_id": "u", "punch": "dance"}').punch == "other"
    assert parse_attendance('{"user_id": "u", "punch": 0}').verify == "other"
    for bad in (
        '{"punch": 0}',
        '{"user_id": "u"}',
        '{"user_id": "u", "punch": true}',
        '{"user_id": "u", "punch": 0, "verify": [1]}',
        '{"user_id": "u", "punch": 0, "verify": false}',
        '{"user_id": {"a": 1}, "punch": 0}',
    ):
        assert reason(parse_attendance, bad) is DropReason.INVALID_PAYLOAD


def test_datapoints() -> None:
    """Data points are read per their declared type and limits."""
    number = DataPoint(key="t", minimum=-10, maximum=10)
    assert parse_datapoint(number, b"5").state == 5
    assert isinstance(parse_datapoint(number, b"5.0").state, int)
    assert parse_datapoint(number, b"2.5").state == 2.5
    assert reason(parse_datapoint, number, b"11") is DropReason.OUT_OF_RANGE
    assert reason(parse_datapoint, number, b"-11") is DropReason.OUT_OF_RANGE
    assert reason(parse_datapoint, number, b"true") is DropReason.INVALID_PAYLOAD
    assert reason(parse_datapoint, number, b'"5"') is DropReason.INVALID_PAYLOAD
    assert reason(parse_datapoint, number, b"NaN") is DropReason.INVALID_JSON
    text = DataPoint(key="s", type=DataPointType.STRING)
    assert parse_datapoint(text, " idle \n").state == "idle"
    assert parse_datapoint(text, "x" * 300).state == "x" * 255
    obj = DataPoint(key="o", type=DataPointType.OBJECT)
    value = parse_datapoint(obj, '{"level": 80, "charging": false}')
    assert (value.state, value.attributes) == (2, {"level": 80, "charging": False})
    assert reason(parse_datapoint, obj, "[1]") is DropReason.INVALID_PAYLOAD
    raw = DataPoint(key="b", type=DataPointType.BYTES)
    assert parse_datapoint(raw, b"\x00\xff").state == 2
    assert parse_datapoint(raw, "é").state == 2
    assert reason(parse_datapoint, raw, b"x" * (MAX_TEXT_BYTES + 1)) is DropReason.TOO_LARGE


def test_results() -> None:
    """Results carry id, ok, optional data and error."""
    result = parse_result('{"id": "abc", "ok": true, "data": [1, 2]}')
    assert (result.call_id, result.ok, result.data, result.error) == ("abc", True, [1, 2], None)
    failed = parse_result('{"id": "abc", "ok": false, "error": {"code": 3}}')
    assert (failed.ok, failed.error) == (False, '{"code": 3}')
    assert parse_result('{"id": "a", "ok": false, "error": "' + "e" * 400 + '"}').error == "e" * 255
    for bad in ('{"ok": true}', '{"id": "a", "ok": 1}', '"x"'):
        assert reason(parse_result, bad) is DropReason.INVALID_PAYLOAD


def test_images() -> None:
    """Pictures are JPEG/PNG/GIF/WebP and at most 2 MiB."""
    assert image_content_type(PNG) == "image/png"
    assert image_content_type(JPEG) == "image/jpeg"
    assert image_content_type(b"GIF89a....") == "image/gif"
    assert image_content_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert reason(image_content_type, b"<svg/>") is DropReason.INVALID_IMAGE
    assert reason(image_content_type, JPEG + b"\x00" * MAX_IMAGE_BYTES) is DropReason.TOO_LARGE
