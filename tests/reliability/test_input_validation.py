"""Device ids, prefixes, commands and payload sizes: what could inject a topic or a path is refused.

A door's id becomes part of every topic Home Assistant subscribes and publishes to. An id with
`/`, `+`, `#`, `..` or a `$` prefix would subscribe to other doors' topics or publish where it
should not. Ids and data point keys are `[a-z0-9_-]{1,64}`; nothing of a door's reaches a file
path (the Store keys use Home Assistant's entry ids).
"""

import ast
import json
from pathlib import Path
from typing import Any

from homeassistant.config_entries import SOURCE_MQTT, SOURCE_USER, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
from hypothesis import given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.door.const import CONF_DEVICE_ID, CONF_FEATURES, CONF_PREFIX
from custom_components.devicehub.mqtt_door.payloads import MAX_IMAGE_BYTES, MAX_TEXT_BYTES
from custom_components.devicehub.mqtt_door.topics import (
    KEYED_KINDS,
    TopicKind,
    build_topic,
    is_valid_id,
    is_valid_prefix,
    parse_topic,
)
from tests.door.conftest import Fire, fire, topic

__all__ = ["fire"]

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "devicehub"
BAD_IDS = [
    "",
    "door/1",
    "door+",
    "door#",
    "../door",
    "..",
    "$SYS",
    "Door1",
    "door 1",
    "door\x00",
    "dör",
    "door\n1",
    "x" * 65,
    "door.1",
    "door1/#",
]
BAD_PREFIXES = ["", "site/+", "#", "$SYS", "a//b", "/a", "a/", "a\x00b", "x" * 129, "+/doors"]


async def async_add_door_manually(
    hass: HomeAssistant, device_id: str, prefix: str
) -> ConfigFlowResult:
    """The manual add form filled in for a lock door: the flow's answer."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "door"}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DEVICE_ID: device_id, CONF_PREFIX: prefix, CONF_FEATURES: ["lock"]},
    )


@pytest.mark.parametrize("device_id", BAD_IDS)
async def test_manual_door_refuses_bad_ids(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, device_id: str
) -> None:
    """The manual add form refuses an id that would not be one topic level of the contract."""
    result = await async_add_door_manually(hass, device_id, "devicehub")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DEVICE_ID: "invalid_device_id"}
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.parametrize("prefix", BAD_PREFIXES)
async def test_manual_door_refuses_bad_prefixes(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, prefix: str
) -> None:
    """A prefix with wildcards, empty levels or `$` is refused."""
    result = await async_add_door_manually(hass, "door1", prefix)
    assert result["errors"] == {CONF_PREFIX: "invalid_prefix"}


@pytest.mark.parametrize("device_id", [i for i in BAD_IDS if i and "/" not in i and "#" not in i])
async def test_discovery_refuses_bad_ids(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, device_id: str
) -> None:
    """A hand_shake under a malformed id starts no door."""
    info = MqttServiceInfo(
        topic=f"devicehub/{device_id}/hand_shake",
        payload=json.dumps({"name": "Evil"}),
        qos=1,
        retain=True,
        subscribed_topic="devicehub/+/hand_shake",
        timestamp=0,
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_MQTT}, data=info
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"


@settings(max_examples=2000, deadline=None, database=None)
@given(device_id=st.text(max_size=70), kind=st.sampled_from(list(TopicKind)))
def test_topics_are_one_level_per_id(device_id: str, kind: TopicKind) -> None:
    """Whatever text is offered as an id, only valid ids make topics, and each stays in place."""
    if not is_valid_id(device_id):
        assert parse_topic("devicehub", f"devicehub/{device_id}/{kind.value}") is None or (
            "/" in device_id
        )
        return
    built = build_topic("devicehub", device_id, kind, "key" if kind in KEYED_KINDS else None)
    assert not set(built) & {"+", "#", "\x00"}
    parsed = parse_topic("devicehub", built)
    assert parsed is not None
    assert (parsed.device_id, parsed.kind) == (device_id, kind)


@settings(max_examples=500, deadline=None, database=None)
@given(prefix=st.text(max_size=40))
def test_prefixes(prefix: str) -> None:
    """A usable prefix has no wildcard, no empty level and does not start with `$`."""
    if is_valid_prefix(prefix):
        assert prefix and "+" not in prefix and "#" not in prefix and not prefix.startswith("$")
        assert all(prefix.split("/"))


@pytest.mark.parametrize(
    "command", ["ping/../x", "ping/#", "+", "set_volume ", "", "ping\x00", "x" * 65, "é"]
)
async def test_call_refuses_undeclared_commands(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    command: str,
) -> None:
    """`devicehub.call` sends only declared commands; nothing reaches the broker otherwise."""
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "call",
            {"config_entry_id": setup_door.entry_id, "command": command},
            blocking=True,
            return_response=True,
        )
    assert mqtt_mock.async_publish.call_count == 0


@pytest.mark.parametrize(
    ("kind", "size", "dropped"),
    [
        ("attendance", MAX_TEXT_BYTES, None),
        ("attendance", MAX_TEXT_BYTES + 1, "too_large"),
        ("datapoint/mode", MAX_TEXT_BYTES, None),
        ("datapoint/mode", MAX_TEXT_BYTES + 1, "too_large"),
        ("stranger/image", MAX_IMAGE_BYTES, None),
        ("stranger/image", MAX_IMAGE_BYTES + 1, "too_large"),
    ],
)
async def test_payload_caps(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    kind: str,
    size: int,
    dropped: str | None,
) -> None:
    """Text payloads are capped at 64 KiB before they are decoded, pictures at 2 MiB."""
    payload: Any
    if kind == "attendance":
        head = json.dumps({"user_id": "1", "punch": "check_in", "name": "A"})[:-1]
        payload = (head + ', "pad": "' + "x" * (size - len(head) - 12) + '"}').encode()
    elif kind == "datapoint/mode":
        payload = b"a" * size
    else:
        payload = b"\xff\xd8\xff" + b"\0" * (size - 3)
    assert len(payload) == size
    fire(kind, payload)
    await hass.async_block_till_done()
    reasons = dict(setup_door.runtime_data.drops.by_reason)
    assert reasons == ({dropped: 1} if dropped else {})
    if kind == "datapoint/mode" and dropped is None:
        state = hass.states.get("sensor.front_door_mode")
        assert state is not None
        assert len(state.state) == 255  # Home Assistant's limit on a state


def test_no_door_data_in_file_paths() -> None:
    """Every Store key is built from the entry id, never from anything a door sends."""
    keys: list[str] = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and any(
                isinstance(part, ast.Constant)
                and any(
                    name in str(part.value)
                    for name in (".door_picture.", ".terminal_cursor.", ".push.", "_journal.")
                )
                for part in node.values
            ):
                names = {
                    sub.id
                    for value in node.values
                    if isinstance(value, ast.FormattedValue)
                    for sub in ast.walk(value.value)
                    if isinstance(sub, ast.Name)
                }
                keys.append(f"{path.name}: {sorted(names)}")
    assert sorted(keys) == [
        "cursor.py: ['DOMAIN', 'entry_id']",
        "cursor.py: ['entry_id']",
        "delivered.py: ['entry_id']",
        "ledger.py: ['DOMAIN', 'entry_id']",
        "ledger.py: ['entry_id']",
        "pictures.py: ['DOMAIN', 'entry_id']",
    ]
    assert topic("state") == "devicehub/door1/state"
