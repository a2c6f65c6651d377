"""Fuzz of every topic of the MQTT door contract, each with payloads shaped for it.

tests/door/test_fuzz.py throws a few hundred arbitrary messages at random topics; here every
topic gets its own strategy (contract-shaped objects with wrong values, edge numbers, sizes
around the caps, truncations), several thousand cases in all, on Home Assistant's MQTT mock.

After every message: nothing raised, every state of the door is one its entity may have.
After each run: nothing logged as an error, what the runtime keeps is bounded whatever was
sent, and Home Assistant only ever published to the door's own topics.
"""

from collections.abc import Callable, Iterator
import json
import logging
import re
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_mqtt_message
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.door.runtime import DoorRuntime
from custom_components.devicehub.mqtt_door.errors import DropReason, PayloadError
from custom_components.devicehub.mqtt_door.handshake import MAX_DECLARED, parse_hand_shake
from custom_components.devicehub.mqtt_door.payloads import MAX_IMAGE_BYTES, MAX_TEXT_BYTES
from custom_components.devicehub.mqtt_door.topics import TopicKind
from tests.door.conftest import DOOR_ID, HAND_SHAKE, PREFIX, run_loop
from tests.door.test_fuzz import JSON, LOCK_STATES, assert_valid

# Every run is counted here, so the module can report how many cases it threw.
CASES: dict[str, int] = {}
QUIET = HAND_SHAKE | {"heartbeat": None}  # no liveness timer firing in the middle


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def topic(suffix: str, device_id: str = DOOR_ID) -> str:
    return f"{PREFIX}/{device_id}/{suffix}"


NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.sampled_from([0, -0.0, 1e308, -1e308, 2**53 + 1, 2**63, 5e-324, 1e11, 1e12 + 1]),
)
TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="\x00\u202e\ufeff\U0001f600<>&'\"\\/%{}", max_size=20),
    st.sampled_from(["", " ", "\n", "a" * 255, "a" * 256, "b" * 5000]),
)
VALUES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS, JSON)
ENVELOPES = st.one_of(
    st.binary(max_size=120),
    st.text(max_size=120),
    st.sampled_from(
        [b"", b" ", b"null", b"[]", b"{}", b"\xff\xfe", b"[" * 40 + b"]" * 40, b'{"a":' * 40]
    ),
    st.integers(MAX_TEXT_BYTES - 2, MAX_TEXT_BYTES + 2).map(lambda n: b'"' + b"x" * n + b'"'),
)


def shaped(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """JSON objects with some of the contract's fields (any values) and unknown extra keys."""
    return st.builds(
        lambda known, extra: json.dumps({**extra, **known}),
        st.fixed_dictionaries({}, optional=fields),
        st.dictionaries(st.text(max_size=6), VALUES, max_size=2),
    )


def payloads(*specific: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(*specific, ENVELOPES)


TS = st.one_of(
    NUMBERS,
    TEXTS,
    st.sampled_from(["2026-11-21T07:45:12+00:00", "2026-02-31T00:00:00", "9999-12-31", "-1"]),
)
URLS = st.one_of(
    TEXTS,
    st.sampled_from(
        [
            "http://pictures.example.com/a.jpg",
            "http://8.8.8.8/a.jpg",
            "http://127.0.0.1:8123/api/config",
            "http://[::1]/",
            "file:///etc/passwd",
            "http://169.254.169.254/latest/meta-data/",
            "http://door.local/a.jpg",
            "https://user:pw@8.8.4.4/a.jpg",
            "http://8.8.8.8:0/",
            "http://[not-an-ip]/",
            "h" * 300,
        ]
    ),
)
STRANGER = payloads(shaped(picture_url=URLS, ts=TS, event_id=VALUES))
IMAGES = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda head, body: head + body,
        st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\0\0\0\0WEBP"]),
        st.binary(max_size=100),
    ),
    st.integers(MAX_IMAGE_BYTES - 1, MAX_IMAGE_BYTES + 1).map(
        lambda n: b"\xff\xd8\xff" + b"\0" * n
    ),
)
ATTENDANCE = payloads(
    shaped(
        user_id=VALUES,
        name=VALUES,
        punch=st.one_of(VALUES, st.sampled_from(["check_in", "check_out", "other", 5, 6, -1])),
        ts=TS,
        verify=st.one_of(VALUES, st.sampled_from(["face", "card", 15, 999])),
    )
)
STATES = payloads(
    st.sampled_from(sorted(LOCK_STATES)),
    st.sampled_from(sorted(LOCK_STATES)).map(lambda s: f" {s.upper()}\n"),
    st.sampled_from(["unknown", "unavailable", "LOCKED", "locked\x00", "None"]),
)
AVAILABILITY = payloads(
    st.sampled_from(["online", "offline", " online ", "ONLINE", "on", "1", "offline\n"])
)
DATAPOINT_KEYS = st.one_of(
    st.sampled_from(["temperature", "mode", "battery_info", "blob", "undeclared"]),
    st.text(max_size=70),
)
DATAPOINTS = payloads(
    NUMBERS.map(str),
    NUMBERS.map(json.dumps),
    JSON.map(json.dumps),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "0x10", "1_000", " 21.5 "]),
)
RESULTS = payloads(shaped(id=VALUES, ok=VALUES, data=JSON, error=VALUES))
DATAPOINT_DECLS = st.lists(
    st.fixed_dictionaries(
        {"key": st.one_of(st.sampled_from(["temperature", "t2", "x"]), TEXTS)},
        optional={
            "type": st.sampled_from(["number", "string", "object", "bytes", "float", ""]),
            "min": VALUES,
            "max": VALUES,
            "unit": VALUES,
            "name": VALUES,
        },
    ),
    max_size=MAX_DECLARED + 2,
)
HAND_SHAKES = payloads(
    shaped(
        name=st.one_of(TEXTS, st.just("Front Door")),
        model=VALUES,
        features=st.one_of(
            VALUES,
            st.lists(
                st.sampled_from(["lock", "open", "state", "stranger", "attendance", "teleport"]),
                max_size=8,
            ),
        ),
        heartbeat=VALUES,
        datapoints=st.one_of(VALUES, DATAPOINT_DECLS),
        alarms=st.one_of(
            VALUES,
            st.lists(
                st.fixed_dictionaries(
                    {"key": TEXTS, "datapoint": st.sampled_from(["temperature", "x", "mode"])},
                    optional={"above": VALUES, "below": VALUES, "delay": VALUES},
                ),
                max_size=4,
            ),
        ),
        commands=st.one_of(VALUES, st.lists(st.one_of(TEXTS, JSON), max_size=4)),
    ),
    st.just(json.dumps(HAND_SHAKE)),
    # A valid declaration with one field changed or dropped: reaches the entity rebuilding.
    st.builds(
        lambda field, value, drop: json.dumps(
            {k: v for k, v in {**HAND_SHAKE, field: value}.items() if k != drop}
        ),
        st.sampled_from(sorted(HAND_SHAKE)),
        st.one_of(VALUES, DATAPOINT_DECLS, st.just([]), st.just(["lock"])),
        st.sampled_from(["", "alarms", "datapoints", "commands", "features", "name"]),
    ),
    st.builds(
        lambda points: json.dumps({"name": "Front Door", "datapoints": points}),
        st.lists(
            st.builds(
                lambda key, kind: {"key": key, "type": kind},
                st.from_regex(r"[a-z0-9_-]{1,8}", fullmatch=True),
                st.sampled_from(["number", "string", "object", "bytes"]),
            ),
            max_size=MAX_DECLARED,
            unique_by=lambda point: point["key"],
        ),
    ),
)
TOPIC_SUFFIXES: dict[str, st.SearchStrategy[Any]] = {
    "availability": AVAILABILITY,
    "state": STATES,
    "stranger": STRANGER,
    "stranger/image": IMAGES,
    "attendance": ATTENDANCE,
    "result": RESULTS,
    "command": payloads(st.sampled_from(["lock", "unlock", "open"])),
    "call": RESULTS,
    "hand_shake/ack": payloads(shaped(accepted=VALUES)),
}
FOREIGN_TOPICS = st.one_of(
    st.text(max_size=80).map(lambda rest: f"{PREFIX}/{rest}"),
    st.text(alphabet="abc/+#$._-\x00 ", max_size=30).map(topic),
    st.sampled_from(
        [
            topic("state", "Door1"),
            topic("state", "door1/../door2"),
            topic("state", "x" * 65),
            topic("state", ""),
            f"{PREFIX}/{DOOR_ID}",
            f"{PREFIX}//state",
            topic("datapoint/"),
            topic("datapoint/temperature/extra"),
            topic("hand_shake/ack/more"),
            f"other/{DOOR_ID}/state",
        ]
    ),
)


@pytest.fixture(autouse=True)
def no_network(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker) -> Iterator[None]:
    """Names do not resolve; any picture fetch that gets through answers with a picture."""

    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    aioclient_mock.get(re.compile(".*"), content=b"\xff\xd8\xff\xe0" + b"\1" * 16)
    with patch.object(hass.loop, "getaddrinfo", getaddrinfo):
        yield


def runtime_of(entry: MockConfigEntry) -> DoorRuntime:
    runtime: DoorRuntime = entry.runtime_data
    return runtime


def check_bounded(hass: HomeAssistant, entry: MockConfigEntry, mqtt_mock: MqttMockHAClient) -> None:
    """What the door's runtime keeps cannot grow with what it is sent."""
    runtime = runtime_of(entry)
    assert set(runtime.drops.by_reason) <= {reason.value for reason in DropReason}
    assert set(runtime.drops.by_topic) <= {kind.value for kind in TopicKind} | {
        "unknown",
        "stranger picture_url",
    }
    declared = {point.key for point in runtime.hand_shake.datapoints}
    assert set(runtime.coordinator.data.datapoints) <= declared
    assert runtime.calls.pending == 0
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert len(entities) <= 2 * MAX_DECLARED + 5
    picture = runtime.pictures.latest
    assert picture is None or len(picture.content) <= MAX_IMAGE_BYTES
    # Home Assistant only ever wrote to this door's own topics, never a wildcard.
    for sent in mqtt_mock.async_publish.call_args_list:
        assert sent.args[0] in {topic(TopicKind.HAND_SHAKE_ACK), topic("command"), topic("call")}


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def throw(
    hass: HomeAssistant, name: str, examples: int, topics: Any, messages: Any
) -> Callable[[], None]:
    """A hypothesis run firing (topic, payload, retain) at the door."""

    @fuzz(examples)
    @given(target=topics, payload=messages, retain=st.booleans())
    def run(target: str, payload: Any, retain: bool) -> None:
        CASES[name] = CASES.get(name, 0) + 1
        async_fire_mqtt_message(hass, target, payload, retain=retain)
        assert_valid(hass)

    return run


@pytest.mark.parametrize("hand_shake", [QUIET])
@pytest.mark.parametrize("suffix", sorted(TOPIC_SUFFIXES))
async def test_topic(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
    suffix: str,
) -> None:
    """Every topic with payloads shaped for it: no exception, valid states, bounded memory."""
    caplog.set_level(logging.WARNING)
    runtime = runtime_of(setup_door)
    accepted: list[Any] = []
    last = runtime.coordinator.data

    def note_accepted() -> None:
        nonlocal last
        data = runtime.coordinator.data
        for field in ("lock", "stranger", "punch", "picture"):
            if getattr(data, field) is not getattr(last, field):
                accepted.append(getattr(data, field))
        last = data

    runtime.coordinator.async_add_listener(note_accepted)
    throw(hass, suffix, 400, st.just(topic(suffix)), TOPIC_SUFFIXES[suffix])()
    await hass.async_block_till_done()
    assert_valid(hass)
    no_errors(caplog)
    check_bounded(hass, setup_door, mqtt_mock)
    if suffix in {"state", "stranger", "stranger/image", "attendance"}:
        # Both paths were taken: messages accepted, and messages dropped.
        assert accepted
        assert runtime.drops.by_topic[suffix]


@pytest.mark.parametrize("hand_shake", [QUIET])
async def test_datapoints(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Declared, undeclared and malformed data point keys with any values."""
    caplog.set_level(logging.WARNING)
    topics = DATAPOINT_KEYS.map(lambda key: topic(f"datapoint/{key}"))
    throw(hass, "datapoint", 600, topics, DATAPOINTS)()
    await hass.async_block_till_done()
    assert_valid(hass)
    no_errors(caplog)
    check_bounded(hass, setup_door, mqtt_mock)


@pytest.mark.parametrize("hand_shake", [QUIET])
async def test_foreign_topics(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Topics outside the contract, other doors and lookalike ids never reach this door."""
    caplog.set_level(logging.WARNING)
    before = runtime_of(setup_door).coordinator.data
    throw(hass, "foreign", 500, FOREIGN_TOPICS, payloads(STATES, DATAPOINTS))()
    await hass.async_block_till_done()
    assert runtime_of(setup_door).coordinator.data is before
    assert_valid(hass)
    no_errors(caplog)
    check_bounded(hass, setup_door, mqtt_mock)


@pytest.mark.parametrize("hand_shake", [QUIET])
async def test_results_of_pending_calls(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Results for a call that is waiting, with any data: the call ends typed, or times out."""
    caplog.set_level(logging.WARNING)
    outcomes: list[Any] = []

    @fuzz(150)
    @given(result=RESULTS, ok=st.booleans())
    def answer(result: Any, ok: bool) -> None:
        CASES["result (pending call)"] = CASES.get("result (pending call)", 0) + 1
        outcomes.append((result, ok))

    answer()
    for result, ok in outcomes:
        mqtt_mock.async_publish.reset_mock()
        task = hass.async_create_task(
            hass.services.async_call(
                "devicehub",
                "call",
                {"config_entry_id": setup_door.entry_id, "command": "ping", "timeout": 5},
                blocking=True,
                return_response=True,
            )
        )
        await run_loop()
        call_id = json.loads(mqtt_mock.async_publish.call_args.args[1])["id"]
        try:
            body = json.loads(result) if isinstance(result, str) else None
        except ValueError:
            body = None
        if isinstance(body, dict):  # the door's answer, with the waiting call's id
            async_fire_mqtt_message(hass, topic("result"), json.dumps({**body, "id": call_id}))
        async_fire_mqtt_message(
            hass, topic("result"), json.dumps({"id": call_id, "ok": ok, "data": None})
        )
        await run_loop()
        assert task.done()
        if task.exception() is None:
            json.dumps(task.result())  # a response Home Assistant can serialize
    assert runtime_of(setup_door).calls.pending == 0
    no_errors(caplog)


@pytest.mark.parametrize("hand_shake", [QUIET])
async def test_hand_shakes(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Declarations of any shape: refused, or taken with the entities rebuilt, valid states.

    A new declaration reloads the entry, so each one is applied and awaited in turn, and the
    door must then be exactly what it declared last (or what it was, if the new one is refused).
    """
    caplog.set_level(logging.WARNING)
    declarations: list[Any] = []

    @fuzz(250)
    @given(payload=HAND_SHAKES)
    def collect(payload: Any) -> None:
        CASES["hand_shake"] = CASES.get("hand_shake", 0) + 1
        declarations.append(payload)

    collect()
    taken = 0
    for payload in declarations:
        before = runtime_of(setup_door).hand_shake
        try:
            declared = parse_hand_shake(payload)
        except PayloadError:
            declared = before  # refused: the door stays as it was declared
        # Live, as a broker forwards it to a subscriber (a retained copy only comes on
        # subscribing, and Home Assistant passes on one per topic and subscription).
        async_fire_mqtt_message(hass, topic("hand_shake"), payload)
        await hass.async_block_till_done()
        assert_valid(hass)
        runtime = runtime_of(setup_door)  # a new one after a reload
        if declared is not None:  # None: an empty payload, the door unregistered
            assert runtime.hand_shake == declared, payload
            taken += declared is not before
        assert len(runtime.hand_shake.datapoints) <= MAX_DECLARED
    assert taken >= len(declarations) // 10  # declarations were taken, not only refused
    no_errors(caplog)
    check_bounded(hass, setup_door, mqtt_mock)


def test_cases_count() -> None:
    """The runs above threw thousands of cases (when run together)."""
    if len(CASES) < len(TOPIC_SUFFIXES) + 4:
        pytest.skip("only part of the module ran")
    total = sum(CASES.values())
    print(f"\nmqtt fuzz: {total} cases: {CASES}")
    assert total >= 5000
