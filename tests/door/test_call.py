"""`devicehub.call`: declared commands, results matched by id, timeouts and errors."""

import asyncio
from datetime import timedelta
import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import MqttMockHAClient
import voluptuous as vol

from custom_components.devicehub.const import DOMAIN

from .conftest import DOOR_ID, ENTRY_ID, Fire, run_loop, topic


def call(hass: HomeAssistant, command: str, **data: Any) -> asyncio.Task[Any]:
    """Start a call as a task (it waits for the door)."""
    return asyncio.create_task(
        hass.services.async_call(
            DOMAIN,
            "call",
            {"config_entry_id": ENTRY_ID, "command": command, **data},
            blocking=True,
            return_response=True,
        )
    )


def sent_calls(mqtt_mock: MqttMockHAClient) -> list[dict[str, Any]]:
    """The calls published to the door, decoded."""
    calls = []
    for sent in mqtt_mock.async_publish.call_args_list:
        assert sent.args[0] == topic("call")
        assert sent.args[2:] == (1, False)
        assert sent.kwargs == {"message_expiry_interval": None}
        calls.append(json.loads(sent.args[1]))
    return calls


async def test_call_returns_result(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """The call is published with a fresh id and its result comes back as response data."""
    task = call(hass, "set_volume", args={"volume": 30})
    await run_loop()
    [sent] = sent_calls(mqtt_mock)
    assert sent["command"] == "set_volume"
    assert sent["args"] == {"volume": 30}
    assert len(sent["id"]) == 32
    fire("result", {"id": sent["id"], "ok": True, "data": {"volume": 30}})
    assert await task == {"ok": True, "data": {"volume": 30}}
    assert setup_door.runtime_data.calls.pending == 0


async def test_call_by_device(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """The door can be named by its device (the action's selector) too."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR_ID), ENTRY_ID)
    assert device is not None
    task = asyncio.create_task(
        hass.services.async_call(
            DOMAIN,
            "call",
            {"device_id": device.id, "command": "ping"},
            blocking=True,
            return_response=True,
        )
    )
    await run_loop()
    [sent] = sent_calls(mqtt_mock)
    assert sent["args"] == {}
    fire("result", {"id": sent["id"], "ok": True})
    assert await task == {"ok": True, "data": None}


async def test_concurrent_calls_match_by_id(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """Results answered out of order reach the right callers."""
    tasks = [call(hass, "ping", args={"n": n}) for n in range(3)]
    await run_loop()
    sent = sent_calls(mqtt_mock)
    assert len({item["id"] for item in sent}) == 3
    for item in reversed(sent):
        fire("result", {"id": item["id"], "ok": True, "data": item["args"]["n"]})
    assert await asyncio.gather(*tasks) == [{"ok": True, "data": n} for n in range(3)]


async def test_call_timeout(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """No result in time: a translated error; a late result is counted, not delivered."""
    task = call(hass, "ping", timeout=5)
    await run_loop()
    [sent] = sent_calls(mqtt_mock)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "call_timeout"
    assert err.value.translation_placeholders == {
        "command": "ping",
        "name": "Front Door",
        "timeout": "5",
    }
    fire("result", {"id": sent["id"], "ok": True})
    await hass.async_block_till_done()
    assert setup_door.runtime_data.drops.by_reason == {"unknown_call": 1}


async def test_call_failed(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """ok=false raises with the door's error text."""
    task = call(hass, "ping")
    await run_loop()
    [sent] = sent_calls(mqtt_mock)
    fire("result", {"id": sent["id"], "ok": False, "error": "volume out of range"})
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "call_failed"
    assert err.value.translation_placeholders["error"] == "volume out of range"

    task = call(hass, "ping")
    await run_loop()
    fire("result", {"id": sent_calls(mqtt_mock)[-1]["id"], "ok": False})
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_placeholders["error"] == "-"


async def test_undeclared_command(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """Commands the door does not declare are refused and never sent."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "reboot")
    assert err.value.translation_key == "command_not_declared"
    assert err.value.translation_placeholders["commands"] == "ping, set_volume"
    mqtt_mock.async_publish.assert_not_called()


@pytest.mark.parametrize("args", [{"x": "y" * 70_000}, {"when": dt_util.utcnow()}])
async def test_invalid_args(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, args: Any
) -> None:
    """Arguments must be a JSON object small enough for a door."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "ping", args=args)
    assert err.value.translation_key == "invalid_args"
    mqtt_mock.async_publish.assert_not_called()


async def test_unknown_door(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """A device or entry that is no door is refused, whichever way it is named."""
    other = MockConfigEntry(domain=DOMAIN, data={"kind": "terminal"}, state=ConfigEntryState.LOADED)
    other.add_to_hass(hass)
    terminal = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={(DOMAIN, "terminal1")}
    )
    for target, key in (
        ({"device_id": "nope"}, "service_device_not_found"),
        ({"config_entry_id": "nope"}, "service_config_entry_not_found"),
        ({"device_id": terminal.id}, "door_not_found"),
        ({"config_entry_id": other.entry_id}, "door_not_found"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "call",
                {**target, "command": "ping"},
                blocking=True,
                return_response=True,
            )
        assert err.value.translation_key == key


async def test_door_is_named_once(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """A call names its door by device or by entry, exactly one of them."""
    for target in ({}, {"device_id": "x", "config_entry_id": ENTRY_ID}):
        with pytest.raises(vol.Invalid):
            await hass.services.async_call(
                DOMAIN, "call", {**target, "command": "ping"}, blocking=True, return_response=True
            )


async def test_unloaded_door(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """A door that is not loaded cannot be called."""
    assert await hass.config_entries.async_unload(setup_door.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "ping")
    assert err.value.translation_key == "service_config_entry_not_loaded"


async def test_unload_fails_pending_calls(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """Calls waiting when the door unloads end with an error, not a hang."""
    task = call(hass, "ping")
    await run_loop()
    assert await hass.config_entries.async_unload(setup_door.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "door_unloaded"


async def test_call_while_mqtt_down(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """A call while MQTT is disconnected fails clearly and leaves nothing pending."""
    mqtt_mock.connected = False
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "ping")
    assert err.value.translation_key == "mqtt_not_connected"
    assert setup_door.runtime_data.calls.pending == 0
