"""Property test: arbitrary payloads on every topic never raise and never corrupt a state."""

import json
import logging
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_mqtt_message

from custom_components.devicehub.const import DOMAIN

from .conftest import DOOR_ID, HAND_SHAKE, PREFIX

SUFFIXES = [
    "hand_shake",
    "availability",
    "state",
    "stranger",
    "stranger/image",
    "attendance",
    "datapoint/temperature",
    "datapoint/mode",
    "datapoint/battery_info",
    "datapoint/blob",
    "datapoint/unknown",
    "result",
    "command",
    "call",
    "hand_shake/ack",
]
LOCK_STATES = {"locked", "unlocked", "locking", "unlocking", "jammed", "open", "opening"}
FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
JSON = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Contract-shaped objects with wrong values reach deeper than random bytes.
SHAPED = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        (
            *("name", "features", "heartbeat", "datapoints", "alarms", "commands"),
            *("picture_url", "ts", "event_id", "user_id", "punch", "verify"),
            *("id", "ok", "data", "error"),
        ),
        FIELD_VALUES,
    ),
)
PAYLOADS = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    JSON.map(json.dumps),
    SHAPED.map(json.dumps),
    st.sampled_from([*sorted(LOCK_STATES), "online", "offline", "", "nan", "1e999", "-0"]),
    st.just(b"\xff\xd8\xff" + b"\x00" * 100),
    st.just("[" * 70_000),
)
TOPICS = st.one_of(
    st.sampled_from(SUFFIXES).map(lambda suffix: f"{PREFIX}/{DOOR_ID}/{suffix}"),
    st.text(alphabet="abc/+#._-", max_size=20).map(lambda rest: f"{PREFIX}/{DOOR_ID}/{rest}"),
)


def assert_valid(hass: HomeAssistant) -> None:
    """Every state of the integration is one its entity may have."""
    for state in hass.states.async_all():
        if not state.entity_id.startswith(
            ("lock.", "sensor.", "binary_sensor.", "event.", "image.")
        ):
            continue
        assert len(state.state) <= 255
        if state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            continue
        domain = state.domain
        if domain == "lock":
            assert state.state in LOCK_STATES
        elif domain == "binary_sensor":
            assert state.state in ("on", "off")
        elif state.entity_id in ("sensor.front_door_temperature",):
            assert -40 <= float(state.state) <= 80
        elif state.entity_id in ("sensor.front_door_battery_info", "sensor.front_door_blob"):
            assert int(state.state) >= 0
        json.dumps(dict(state.attributes), default=str)


# A few hundred examples per test, in Home Assistant's function-scoped event loop.
FUZZ_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("hand_shake", [HAND_SHAKE | {"heartbeat": None}])
async def test_arbitrary_payloads(
    hass: HomeAssistant, setup_door: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A few hundred random messages: nothing raises, nothing logs an error, states stay valid."""
    caplog.set_level(logging.WARNING)

    @FUZZ_SETTINGS
    @given(topic=TOPICS, payload=PAYLOADS, retain=st.booleans())
    def throw(topic: str, payload: Any, retain: bool) -> None:
        async_fire_mqtt_message(hass, topic, payload, retain=retain)
        assert_valid(hass)

    throw()
    await hass.async_block_till_done()
    assert_valid(hass)
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == []
    # Drops are logged loudly once per topic kind, then quietly.
    kinds = [
        record.args[1]  # type: ignore[index]
        for record in caplog.records
        if record.name.endswith("door.drops") and record.levelno == logging.WARNING
    ]
    assert kinds
    assert len(kinds) == len(set(kinds))
    assert hass.config_entries.async_entries(DOMAIN)


# Contract 1.1, access control: a door declaring every feature, fuzzed on its topics.
ACCESS_CONTROL_HAND_SHAKE = HAND_SHAKE | {
    "heartbeat": None,
    "features": ["lock", "state", "contact", "doorbell", "access", "alarms", "tag", "relays"],
    "relays": [{"key": "gate"}],
}
ACCESS_CONTROL_SUFFIXES = [
    "access/contact",
    "access/doorbell",
    "access/attempt",
    "access/tag",
    "alarm/tamper",
    "alarm/forced_open",
    "alarm/duress",
    "alarm/unknown",
    "relay/gate",
    "relay/unknown",
    "relay_command",
]
ACCESS_CONTROL_PAYLOADS = st.one_of(
    PAYLOADS,
    st.sampled_from(["open", "closed", "on", "off", "OPEN", " on\n"]),
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ("result", "credential", "credential_id", "user_id", "name", "reason", "ts", "tag_id"),
            FIELD_VALUES,
        ),
    ).map(json.dumps),
)


@pytest.mark.parametrize("hand_shake", [ACCESS_CONTROL_HAND_SHAKE])
async def test_arbitrary_access_control_payloads(
    hass: HomeAssistant, setup_door: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Random messages on the 1.1 topics: nothing raises or logs an error, states stay valid."""
    caplog.set_level(logging.WARNING)

    @FUZZ_SETTINGS
    @given(
        suffix=st.sampled_from(ACCESS_CONTROL_SUFFIXES),
        payload=ACCESS_CONTROL_PAYLOADS,
        retain=st.booleans(),
    )
    def throw(suffix: str, payload: Any, retain: bool) -> None:
        async_fire_mqtt_message(hass, f"{PREFIX}/{DOOR_ID}/{suffix}", payload, retain=retain)
        assert_valid(hass)

    throw()
    await hass.async_block_till_done()
    assert_valid(hass)
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
    data = setup_door.runtime_data.coordinator.data
    assert set(data.relays) <= {"gate"}
    assert len(data.alarms) <= 3
