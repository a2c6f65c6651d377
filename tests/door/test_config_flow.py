"""Config flow of doors: MQTT discovery, manual add, reconfigure and options."""

import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_MQTT, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, MqttMockHAClient

from custom_components.devicehub.const import CONF_KIND, DOMAIN
from custom_components.devicehub.door.const import (
    CONF_COMMAND_TIMEOUT,
    CONF_DEVICE_ID,
    CONF_FEATURES,
    CONF_HAND_SHAKE,
    CONF_NAME,
    CONF_PREFIX,
    CONF_UNLOCK_CODE,
)
from custom_components.devicehub.door.discovery_guard import (
    MAX_PENDING_DISCOVERIES,
    refused_discoveries,
    waiting_discoveries,
)

from .conftest import DOOR_ID, HAND_SHAKE, topic

pytestmark = pytest.mark.usefixtures("mqtt_mock")


def discovery(
    payload: str | bytes,
    device_id: str = DOOR_ID,
    subscribed_topic: str = "devicehub/+/hand_shake",
    kind: str = "hand_shake",
) -> MqttServiceInfo:
    """Build what HA's MQTT discovery hands to the flow."""
    return MqttServiceInfo(
        topic=f"devicehub/{device_id}/{kind}",
        payload=payload,
        qos=1,
        retain=True,
        subscribed_topic=subscribed_topic,
        timestamp=0,
    )


async def start_discovery(hass: HomeAssistant, info: MqttServiceInfo) -> dict[str, Any]:
    """Start a discovery flow."""
    return await hass.config_entries.flow.async_init(  # type: ignore[return-value]
        DOMAIN, context={"source": SOURCE_MQTT}, data=info
    )


async def test_discovery_creates_a_door(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """A retained hand_shake offers the door; confirming creates its entry and acks it."""
    result = await start_discovery(hass, discovery(json.dumps(HAND_SHAKE)))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "door_confirm"
    assert result["description_placeholders"] == {
        "name": "Front Door",
        "door_id": DOOR_ID,
        "model": "D-100",
    }
    flow = hass.config_entries.flow.async_get(result["flow_id"])
    assert flow["context"]["title_placeholders"] == {"name": "Front Door"}
    assert flow["context"]["unique_id"] == DOOR_ID

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front Door"
    entry = result["result"]
    assert entry.unique_id == DOOR_ID
    assert entry.data[CONF_KIND] == "mqtt_door"
    assert entry.data[CONF_PREFIX] == "devicehub"
    assert entry.data[CONF_DEVICE_ID] == DOOR_ID
    assert entry.data[CONF_HAND_SHAKE]["name"] == "Front Door"
    assert entry.data[CONF_HAND_SHAKE]["heartbeat"] == 30
    # Once configured, the door is told so.
    mqtt_mock.async_publish.assert_called_once_with(
        topic("hand_shake/ack"), '{"accepted": true}', 1, False, message_expiry_interval=None
    )


async def test_discovery_without_model(hass: HomeAssistant) -> None:
    """The confirmation shows a dash for an undeclared model."""
    result = await start_discovery(hass, discovery('{"name": "Gate"}'))
    assert result["description_placeholders"]["model"] == "-"


@pytest.mark.parametrize(
    "info",
    [
        discovery('{"name": "x"}', subscribed_topic="other/+/hand_shake"),
        discovery('{"name": "x"}', device_id="Bad..Id"),
        discovery('{"name": "x"}', device_id="a+b"),
        discovery('{"name": "x"}', kind="state"),
        discovery(""),
        discovery(b""),
    ],
    ids=["foreign-topic", "invalid-id", "wildcard-id", "not-hand-shake", "empty", "empty-bytes"],
)
async def test_discovery_aborts(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, info: MqttServiceInfo
) -> None:
    """Foreign topics, bad ids and empty payloads abort without answering."""
    result = await start_discovery(hass, info)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"
    mqtt_mock.async_publish.assert_not_called()


@pytest.mark.parametrize("payload", ["{not json", '{"name": ""}', "[1]", "x" * 70_000])
async def test_discovery_refuses_invalid_payload(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, payload: str
) -> None:
    """An invalid hand_shake is refused: abort, and the door hears accepted false."""
    result = await start_discovery(hass, discovery(payload))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"
    mqtt_mock.async_publish.assert_called_once_with(
        topic("hand_shake/ack"), '{"accepted": false}', 1, False, message_expiry_interval=None
    )


async def test_discovery_refusal_survives_mqtt_errors(hass: HomeAssistant) -> None:
    """A refusal that cannot be published still aborts cleanly."""
    with patch(
        "custom_components.devicehub.door.config_flow.mqtt.async_publish",
        side_effect=HomeAssistantError("down"),
    ):
        result = await start_discovery(hass, discovery("{oops"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"


async def test_discovery_of_a_configured_door(
    hass: HomeAssistant, door_entry: MockConfigEntry
) -> None:
    """A configured door's new hand_shake starts no new flow (its runtime handles it)."""
    door_entry.add_to_hass(hass)
    result = await start_discovery(hass, discovery('{"name": "Renamed"}'))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def open_manual_step(hass: HomeAssistant) -> dict[str, Any]:
    """Open the user menu and pick the door step."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(  # type: ignore[return-value]
        result["flow_id"], {"next_step_id": "door"}
    )


async def test_manual_door(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """A door whose hand_shake is not retained is added by hand, errors first."""
    result = await open_manual_step(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "door"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DEVICE_ID: "Side Door", CONF_PREFIX: "site/+", CONF_FEATURES: ["lock"]},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DEVICE_ID: "invalid_device_id", CONF_PREFIX: "invalid_prefix"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_DEVICE_ID: "side-door",
            CONF_NAME: "Side door",
            CONF_PREFIX: "site/doors",
            CONF_FEATURES: ["state", "lock"],
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Side door"
    assert result["data"] == {
        CONF_KIND: "mqtt_door",
        CONF_PREFIX: "site/doors",
        CONF_DEVICE_ID: "side-door",
        CONF_HAND_SHAKE: {"name": "Side door", "features": ["lock", "state"]},
    }
    mqtt_mock.async_publish.assert_called_once_with(
        "site/doors/side-door/hand_shake/ack",
        '{"accepted": true}',
        1,
        False,
        message_expiry_interval=None,
    )


async def test_manual_door_name_defaults_to_id(hass: HomeAssistant) -> None:
    """Without a name the door is called by its id."""
    result = await open_manual_step(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DEVICE_ID: "gate", CONF_PREFIX: "devicehub", CONF_FEATURES: ["lock"]},
    )
    await hass.async_block_till_done()
    assert result["title"] == "gate"


async def test_manual_door_already_configured(
    hass: HomeAssistant, door_entry: MockConfigEntry
) -> None:
    """The same door id cannot be added twice."""
    door_entry.add_to_hass(hass)
    result = await open_manual_step(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DEVICE_ID: DOOR_ID, CONF_PREFIX: "devicehub", CONF_FEATURES: ["lock"]},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_manual_door_without_mqtt(hass: HomeAssistant) -> None:
    """Without MQTT there is nothing to add a door to."""
    with patch(
        "custom_components.devicehub.door.config_flow.mqtt.async_wait_for_mqtt_client",
        return_value=False,
    ):
        result = await open_manual_step(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "mqtt_not_available"


async def test_reconfigure(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """The prefix can change; the door id cannot."""
    result = await setup_door.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_door"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: DOOR_ID, CONF_PREFIX: "#"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PREFIX: "invalid_prefix"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: DOOR_ID, CONF_PREFIX: "site/doors"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert setup_door.data[CONF_PREFIX] == "site/doors"
    assert setup_door.data[CONF_HAND_SHAKE] == HAND_SHAKE


async def test_reconfigure_other_door(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """Another id is another door: abort."""
    result = await setup_door.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: "door2", CONF_PREFIX: "devicehub"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_door"
    assert setup_door.data[CONF_PREFIX] == "devicehub"


async def test_options(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """The unlock code is 4-16 digits or empty; the timeout is whole seconds."""
    result = await hass.config_entries.options.async_init(setup_door.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "door_options"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_UNLOCK_CODE: "12a4", CONF_COMMAND_TIMEOUT: 5}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_UNLOCK_CODE: "invalid_unlock_code"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_UNLOCK_CODE: "1234", CONF_COMMAND_TIMEOUT: 5.0}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert setup_door.options == {CONF_UNLOCK_CODE: "1234", CONF_COMMAND_TIMEOUT: 5}


async def test_options_without_code(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """No code is an empty code."""
    result = await hass.config_entries.options.async_init(setup_door.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_COMMAND_TIMEOUT: 10}
    )
    await hass.async_block_till_done()
    assert setup_door.options == {CONF_UNLOCK_CODE: "", CONF_COMMAND_TIMEOUT: 10}


def documented_discovery_cap() -> int:
    """The cap as docs/mqtt-contract.md states it to door makers."""
    text = (Path(__file__).parents[2] / "docs" / "mqtt-contract.md").read_text()
    found = re.search(r"at most \*\*(\d+)\*\* discovered doors per prefix", text)
    assert found is not None
    return int(found.group(1))


async def test_discovery_flood_is_capped(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Made-up door ids open at most the documented number of flows; the rest are counted."""
    cap = documented_discovery_cap()
    assert cap == 20
    results = [
        await start_discovery(hass, discovery(json.dumps(HAND_SHAKE), device_id=f"flood{n}"))
        for n in range(cap + 5)
    ]
    offered = [r for r in results if r["type"] is FlowResultType.FORM]
    refused = [r for r in results if r["type"] is FlowResultType.ABORT]
    assert len(offered) == cap
    assert {r["reason"] for r in refused} == {"too_many_discoveries"}
    assert len(refused) == 5
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == cap
    assert refused_discoveries(hass) == {"devicehub": 5}
    assert caplog.text.count("doors wait to be added under devicehub/") == 1

    # A repeat of a pending door is not a new one; handling one makes room for the door
    # refused longest ago (Home Assistant's MQTT integration never hands it over again).
    again = await start_discovery(hass, discovery(json.dumps(HAND_SHAKE), device_id="flood0"))
    assert again["reason"] == "already_in_progress"
    assert waiting_discoveries(hass) == 5
    hass.config_entries.flow.async_abort(offered[0]["flow_id"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert pending_door_ids(hass) == {f"flood{n}" for n in range(1, cap + 1)}
    assert waiting_discoveries(hass) == 4
    # Added or ignored works the same: the next waiting door is offered.
    hass.config_entries.flow.async_abort(offered[1]["flow_id"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "flood21" in pending_door_ids(hass)
    assert waiting_discoveries(hass) == 3
    assert refused_discoveries(hass) == {"devicehub": 5}


def pending_door_ids(hass: HomeAssistant) -> set[str]:
    """The door ids of the discovery flows waiting for the user."""
    return {
        flow["context"]["unique_id"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    }


def documented_waiting_list() -> int:
    """How many refused doors docs/mqtt-contract.md says are offered later."""
    text = (Path(__file__).parents[2] / "docs" / "mqtt-contract.md").read_text()
    found = re.search(r"the latest \*\*(\d+)\*\* refused doors", text)
    assert found is not None
    return int(found.group(1))


async def test_refused_doors_wait_in_a_bounded_list(hass: HomeAssistant) -> None:
    """A flood cannot grow the list of refused doors waiting to be offered: the documented
    number of the latest ones are kept, and the oldest of them is offered first."""
    kept = documented_waiting_list()
    assert kept == 100
    for n in range(MAX_PENDING_DISCOVERIES + kept + 30):
        await start_discovery(hass, discovery(json.dumps(HAND_SHAKE), device_id=f"flood{n}"))
    assert waiting_discoveries(hass) == kept
    first = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
    hass.config_entries.flow.async_abort(first["flow_id"])
    await hass.async_block_till_done(wait_background_tasks=True)
    # The 30 refused first were dropped for newer ones; the oldest kept comes next.
    assert f"flood{MAX_PENDING_DISCOVERIES + 30}" in pending_door_ids(hass)
    assert waiting_discoveries(hass) == kept - 1


async def test_refused_discoveries_in_diagnostics(
    hass: HomeAssistant, setup_door: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """Every door's diagnostics show the refusals of the flood."""
    for n in range(MAX_PENDING_DISCOVERIES + 2):
        await start_discovery(hass, discovery(json.dumps(HAND_SHAKE), device_id=f"flood{n}"))
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_door)
    assert diagnostics["discoveries_refused"] == {"devicehub": 2}
