"""The door's lock: states, confirmed commands, optimistic doors, codes and errors."""

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
import json
import time
from typing import Any
from unittest.mock import patch

from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceNotSupported, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.door.const import CONF_COMMAND_TIMEOUT, CONF_UNLOCK_CODE

from .conftest import HAND_SHAKE, Fire, run_loop, topic

LOCK = "lock.front_door"
OPTIMISTIC = HAND_SHAKE | {"features": ["lock"]}


def command_published(mqtt_mock: MqttMockHAClient, command: str, expiry: int = 10) -> None:
    """Assert the one command sent to the door: over MQTT 5, it expires with the timeout."""
    mqtt_mock.async_publish.assert_called_once_with(
        topic("command"), command, 1, False, message_expiry_interval=expiry
    )


def start(hass: HomeAssistant, service: str, **data: Any) -> asyncio.Task[Any]:
    """Start a lock action that waits for the door, as a task the test can await."""
    call: Coroutine[Any, Any, Any] = hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: LOCK, **data}, blocking=True
    )
    return asyncio.create_task(call)


def later(hass: HomeAssistant, seconds: float) -> None:
    """Move Home Assistant's clock."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))


@pytest.mark.parametrize(
    "state", ["locked", "unlocked", "locking", "unlocking", "jammed", "open", "opening"]
)
async def test_door_states(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire, state: str
) -> None:
    """Every state the door reports is shown."""
    fire("state", state)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == state


async def test_unknown_state_is_dropped(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """An unknown state changes nothing and is counted."""
    fire("state", "locked")
    fire("state", "half-open")
    fire("state", b"\xff")
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert setup_door.runtime_data.drops.by_reason == {"unknown_state": 1, "not_utf8": 1}


async def test_lock_confirmed(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """Locking shows until the door confirms."""
    fire("state", "unlocked")
    await hass.async_block_till_done()
    task = start(hass, "lock")
    await run_loop()
    command_published(mqtt_mock, "lock")
    assert hass.states.get(LOCK).state == "locking"
    fire("state", "locking")  # the door's own progress report keeps it waiting
    await run_loop()
    assert not task.done()
    fire("state", "locked")
    await task
    assert hass.states.get(LOCK).state == "locked"


async def test_unlock_not_confirmed(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Without confirmation the state reverts and the action fails, translated."""
    fire("state", "locked")
    await hass.async_block_till_done()
    task = start(hass, "unlock")
    await run_loop()
    assert hass.states.get(LOCK).state == "unlocking"
    later(hass, 9)
    await run_loop()
    assert not task.done()
    later(hass, 11)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "command_not_confirmed"
    assert err.value.translation_placeholders == {
        "name": "Front Door",
        "command": "unlock",
        "timeout": "10",
    }
    assert hass.states.get(LOCK).state == "locked"


@pytest.mark.parametrize("door_options", [{CONF_COMMAND_TIMEOUT: 3}])
async def test_timeout_option(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """The wait for confirmation is configurable."""
    task = start(hass, "lock")
    await run_loop()
    later(hass, 4)
    with pytest.raises(HomeAssistantError):
        await task
    assert hass.states.get(LOCK).state == STATE_UNKNOWN


async def test_jammed_while_locking(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A door that jams fails the action at once."""
    task = start(hass, "lock")
    await run_loop()
    fire("state", "jammed")
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "door_jammed"
    assert hass.states.get(LOCK).state == "jammed"


async def test_open_confirmed(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """A door that declares open can be opened."""
    task = start(hass, "open")
    await run_loop()
    command_published(mqtt_mock, "open")
    assert hass.states.get(LOCK).state == "opening"
    fire("state", "open")
    await task
    assert hass.states.get(LOCK).state == "open"


async def test_commands_queue(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """One command at a time per door: a second one waits for the first to end."""
    first = start(hass, "unlock")
    await run_loop()
    second = start(hass, "lock")
    await run_loop()
    assert hass.states.get(LOCK).state == "unlocking"
    later(hass, 11)
    with pytest.raises(HomeAssistantError):
        await first
    await run_loop()
    assert hass.states.get(LOCK).state == "locking"
    fire("state", "locked")
    await second
    assert hass.states.get(LOCK).state == "locked"


async def test_unload_while_pending(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """Unloading lets a waiting action return."""
    task = start(hass, "lock")
    await run_loop()
    assert await hass.config_entries.async_unload(setup_door.entry_id)
    await task


@pytest.mark.parametrize("hand_shake", [OPTIMISTIC])
async def test_optimistic_door(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """A door without a state topic is assumed to do what it is told; open is unsupported."""
    state = hass.states.get(LOCK)
    assert state.attributes["assumed_state"] is True
    assert state.attributes["supported_features"] == 0
    await hass.services.async_call(LOCK_DOMAIN, "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    command_published(mqtt_mock, "unlock")
    assert hass.states.get(LOCK).state == "unlocked"
    await hass.services.async_call(LOCK_DOMAIN, "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert hass.states.get(LOCK).state == "locked"
    with pytest.raises(ServiceNotSupported):
        await hass.services.async_call(LOCK_DOMAIN, "open", {ATTR_ENTITY_ID: LOCK}, blocking=True)


@pytest.mark.parametrize("hand_shake", [OPTIMISTIC])
async def test_undeclared_state_is_followed(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """A door that reports its state without declaring it stops being optimistic."""
    assert hass.states.get(LOCK).attributes["assumed_state"] is True
    fire("state", "locked")
    await hass.async_block_till_done()
    state = hass.states.get(LOCK)
    assert state.state == "locked"
    assert "assumed_state" not in state.attributes
    task = start(hass, "unlock")
    await run_loop()
    assert hass.states.get(LOCK).state == "unlocking"  # now waits for the door to confirm
    fire("state", "unlocked")
    await task
    assert hass.states.get(LOCK).state == "unlocked"


@pytest.mark.parametrize("hand_shake", [HAND_SHAKE | {"features": ["open"]}])
async def test_optimistic_open(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """An optimistic door that was opened relatches: it is shown unlocked."""
    await hass.services.async_call(LOCK_DOMAIN, "open", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert hass.states.get(LOCK).state == "unlocked"


@pytest.mark.parametrize("hand_shake", [OPTIMISTIC])
@pytest.mark.parametrize(("saved", "shown"), [("locked", "locked"), ("jammed", STATE_UNKNOWN)])
async def test_optimistic_restore(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    door_entry: MockConfigEntry,
    saved: str,
    shown: str,
) -> None:
    """An optimistic door restores its assumed locked/unlocked state after a restart."""
    mock_restore_cache(hass, [State(LOCK, saved)])
    door_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == shown


@pytest.mark.parametrize("door_options", [{CONF_UNLOCK_CODE: "1234"}])
async def test_unlock_code(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """Unlock and open need the door's code; lock does not."""
    assert hass.states.get(LOCK).attributes["code_format"] == r"^\d*$"
    for code in ({}, {ATTR_CODE: "0000"}, {ATTR_CODE: "12345"}):
        for service in ("unlock", "open"):
            with pytest.raises(ServiceValidationError) as err:
                await hass.services.async_call(
                    LOCK_DOMAIN, service, {ATTR_ENTITY_ID: LOCK, **code}, blocking=True
                )
            assert err.value.translation_key == "invalid_code"
    mqtt_mock.async_publish.assert_not_called()
    task = start(hass, "unlock", code="1234")
    await run_loop()
    command_published(mqtt_mock, "unlock")
    fire("state", "unlocked")
    await task
    mqtt_mock.async_publish.reset_mock()
    task = start(hass, "lock")
    await run_loop()
    command_published(mqtt_mock, "lock")
    fire("state", "locked")
    await task


async def test_mqtt_down(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """Commands while MQTT is disconnected fail clearly and leave the state alone."""
    fire("state", "locked")
    await hass.async_block_till_done()
    mqtt_mock.connected = False
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(LOCK_DOMAIN, "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert err.value.translation_key == "mqtt_not_connected"
    assert err.value.translation_placeholders == {"name": "Front Door"}
    assert hass.states.get(LOCK).state == "locked"


async def test_publish_failure(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A publish that fails is reported the same way."""
    with (
        patch(
            "custom_components.devicehub.door.runtime.mqtt.async_publish",
            side_effect=HomeAssistantError("gone"),
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await hass.services.async_call(LOCK_DOMAIN, "lock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    assert err.value.translation_key == "mqtt_not_connected"
    assert hass.states.get(LOCK).state == STATE_UNKNOWN


async def test_command_goes_out_before_unlocking_shows(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """`unlocking` is written once the broker has the command, never before it went out."""
    fire("state", "locked")
    await hass.async_block_till_done()
    broker_has_it = asyncio.Event()
    published: list[str] = []

    async def publish(_hass: HomeAssistant, _topic: str, payload: str, **_: Any) -> None:
        published.append(payload)
        await broker_has_it.wait()

    with patch("custom_components.devicehub.door.runtime.mqtt.async_publish", publish):
        task = start(hass, "unlock")
        try:
            await run_loop()
            assert published == ["unlock"]
            assert hass.states.get(LOCK).state == "locked"
        finally:
            broker_has_it.set()
        await run_loop()
        assert hass.states.get(LOCK).state == "unlocking"
        fire("state", "unlocked")
        await task
    assert hass.states.get(LOCK).state == "unlocked"


async def test_confirmed_before_the_broker_answered(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A door faster than the broker's acknowledgement: `unlocking` is never shown."""
    fire("state", "locked")
    await hass.async_block_till_done()
    shown: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            shown.append(event.data["new_state"].state) if event.data["entity_id"] == LOCK else None
        ),
    )

    async def publish(*_: Any, **__: Any) -> None:
        fire("state", "unlocked")
        await run_loop()

    with patch("custom_components.devicehub.door.runtime.mqtt.async_publish", publish):
        await hass.services.async_call(LOCK_DOMAIN, "unlock", {ATTR_ENTITY_ID: LOCK}, blocking=True)
    await hass.async_block_till_done()
    assert shown == ["unlocked"]


@pytest.mark.parametrize("hand_shake", [HAND_SHAKE | {"features": ["lock", "state", "expires"]}])
@pytest.mark.parametrize("door_options", [{CONF_COMMAND_TIMEOUT: 7}])
async def test_command_deadline(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """A door declaring `expires` gets JSON with the deadline: now plus the command timeout."""
    fire("state", "locked")
    await hass.async_block_till_done()
    before = time.time()
    task = start(hass, "unlock")
    await run_loop()
    after = time.time()
    (sent_topic, payload, qos, retain), kwargs = mqtt_mock.async_publish.call_args
    assert (sent_topic, qos, retain, kwargs) == (
        topic("command"),
        1,
        False,
        {"message_expiry_interval": 7},  # the mocked connection is MQTT 5
    )
    command = json.loads(payload)
    assert command["command"] == "unlock"
    assert before + 7 - 0.001 <= command["expires"] <= after + 7 + 0.001
    fire("state", "unlocked")
    await task


@pytest.mark.parametrize("mqtt_config_entry_data", [{"broker": "mock-broker", "protocol": "3.1.1"}])
async def test_no_message_expiry_over_mqtt_3(
    hass: HomeAssistant, setup_door: MockConfigEntry, mqtt_mock: MqttMockHAClient, fire: Fire
) -> None:
    """MQTT 3.1.1 has no message expiry (Home Assistant would refuse it): none is asked."""
    fire("state", "locked")
    await hass.async_block_till_done()
    task = start(hass, "unlock")
    await run_loop()
    mqtt_mock.async_publish.assert_called_once_with(
        topic("command"), "unlock", 1, False, message_expiry_interval=None
    )
    fire("state", "unlocked")
    await task
