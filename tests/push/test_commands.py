"""Commands through the queue: the lock, users, the clock and restart, confirmed by the
terminal's next poll or refused with a translated error when it does not come."""

import asyncio
from typing import Any

from homeassistant.components.lock import LockState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.push.const import COMMAND_MARGIN, CONF_CODE, CONF_UNLOCK_SECONDS
from tests.action_cases import ADA_ROW, ALAN_ROW, assert_bad_targets_refused
from tools.admssim import PushTerminalSimulator, PushVersion, SimUser

from .conftest import DELAY, LOCK_ENTITY, SERIAL, SimFactory, push_entry, runtime_of, until


async def _call_while_polling(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    sim: PushTerminalSimulator,
    domain: str,
    service: str,
    data: dict[str, Any],
    *,
    uploads: bool = False,
) -> Any:
    """Call an action; once its command is queued, the terminal polls (and uploads)."""
    runtime = runtime_of(loaded_entry)
    task = asyncio.ensure_future(
        hass.services.async_call(
            domain, service, data, blocking=True, return_response=domain == DOMAIN
        )
    )
    await until(lambda: runtime.commands.waiting > 0 or task.done())
    if not task.done():
        await sim.poll_once()
        if uploads:
            await sim.flush()
    return await task


async def test_unlock_confirmed(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Unlocking shows `unlocking` until the terminal confirms at its next poll, then
    unlocked for the unlock time, then locked; an attendance model gets AC_UNLOCK."""
    await sim.poll_once()
    states: list[str] = []
    # A callback runs in the loop as the state is written; a plain function would run in
    # the executor, and could append after the assertion on a busy machine.
    hass.bus.async_listen(
        "state_changed",
        callback(
            lambda event: (
                states.append(event.data["new_state"].state)
                if event.data["entity_id"] == LOCK_ENTITY
                else None
            )
        ),
    )
    await _call_while_polling(
        hass, loaded_entry, sim, "lock", "unlock", {ATTR_ENTITY_ID: LOCK_ENTITY}
    )
    assert states == [LockState.UNLOCKING, LockState.UNLOCKED]
    assert [command.text for command in sim.commands] == ["AC_UNLOCK"]
    assert len(sim.unlocks) == 1
    async_fire_time_changed(hass, dt_util.utcnow() + COMMAND_MARGIN)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK_ENTITY).state == LockState.LOCKED
    results = runtime_of(loaded_entry).commands.results
    assert [(r.name, r.return_code) for r in results] == [("AcUnlock", 0)]


async def test_access_model_opens_with_control_device(
    hass: HomeAssistant, make_sim: SimFactory, loaded_entry: MockConfigEntry
) -> None:
    """A push v3 access model registers as such and gets CONTROL DEVICE with the seconds."""
    hass.config_entries.async_update_entry(loaded_entry, options={CONF_UNLOCK_SECONDS: 7})
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    sim = await make_sim(push_version=PushVersion.V3)
    assert await sim.handshake()
    assert runtime_of(loaded_entry).is_access_model
    await sim.poll_once()
    await _call_while_polling(
        hass, loaded_entry, sim, "lock", "open", {ATTR_ENTITY_ID: LOCK_ENTITY}
    )
    assert [command.text for command in sim.commands] == ["CONTROL DEVICE 01010107"]
    assert sim.unlocks[0].seconds == 7
    assert hass.states.get(LOCK_ENTITY).state == LockState.OPEN


async def test_unlock_not_confirmed(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """No poll within the poll delay plus the margin: a translated error, the lock locked,
    and the command withdrawn, so a later poll never opens the door."""
    await sim.poll_once()
    runtime = runtime_of(loaded_entry)
    task = asyncio.ensure_future(
        hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK_ENTITY}, blocking=True)
    )
    await until(lambda: runtime.commands.waiting == 1)
    assert hass.states.get(LOCK_ENTITY).state == LockState.UNLOCKING
    # The documented deadline: the poll delay plus 15 seconds.
    assert runtime.settings.command_timeout.total_seconds() == DELAY + 15
    async_fire_time_changed(hass, dt_util.utcnow() + runtime.settings.command_timeout)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "unlock_not_confirmed"
    assert err.value.translation_placeholders == {
        "name": "Gate",
        "command": "AcUnlock",
        "timeout": "25",
    }
    assert hass.states.get(LOCK_ENTITY).state == LockState.LOCKED
    assert runtime.commands.waiting == 0
    assert await sim.poll_once() == []
    assert sim.unlocks == []


async def test_unlock_refused_by_terminal(
    hass: HomeAssistant, make_sim: SimFactory, loaded_entry: MockConfigEntry
) -> None:
    """A terminal without a lock output answers -1002: a translated error with the code."""
    sim = await make_sim(access_control=False)
    assert await sim.handshake()
    with pytest.raises(HomeAssistantError) as err:
        await _call_while_polling(
            hass, loaded_entry, sim, "lock", "unlock", {ATTR_ENTITY_ID: LOCK_ENTITY}
        )
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_placeholders["code"] == "-1002"
    assert hass.states.get(LOCK_ENTITY).state == LockState.LOCKED


async def test_unlock_code(
    hass: HomeAssistant, make_sim: SimFactory, entry: MockConfigEntry, http_client: Any
) -> None:
    """With a code set, a wrong or missing code is refused before anything is queued."""
    hass.config_entries.async_update_entry(entry, options={CONF_CODE: "4321"})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    sim = await make_sim()
    await sim.poll_once()
    for code in (None, "1234"):
        data = {ATTR_ENTITY_ID: LOCK_ENTITY} | ({"code": code} if code else {})
        with pytest.raises(ServiceValidationError):
            await hass.services.async_call("lock", "unlock", data, blocking=True)
    assert runtime_of(entry).commands.waiting == 0
    await _call_while_polling(
        hass, entry, sim, "lock", "unlock", {ATTR_ENTITY_ID: LOCK_ENTITY, "code": "4321"}
    )
    assert len(sim.unlocks) == 1


async def test_lock_unavailable_while_offline(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Commands reach the terminal only while it polls: the lock is unavailable otherwise."""
    await sim.poll_once()
    assert hass.states.get(LOCK_ENTITY).state == LockState.LOCKED
    async_fire_time_changed(
        hass, dt_util.utcnow() + runtime_of(loaded_entry).settings.online_window
    )
    await hass.async_block_till_done()
    assert hass.states.get(LOCK_ENTITY).state == STATE_UNAVAILABLE
    await sim.poll_once()
    assert hass.states.get(LOCK_ENTITY).state == LockState.LOCKED


def _device_id(hass: HomeAssistant) -> str:
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, SERIAL)
    assert entry is not None
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, SERIAL), entry.entry_id)
    assert device is not None
    return device.id


async def test_users_managed(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """get_users, set_user and delete_user, answered as for pull terminals, each with the
    terminal's result of its command."""
    target = {"device_id": _device_id(hass)}
    response = await _call_while_polling(
        hass, loaded_entry, sim, DOMAIN, "get_users", target, uploads=True
    )
    assert response["users"] == [ADA_ROW, ALAN_ROW]
    assert response["command"]["command"] == "QueryUsers"
    assert response["command"]["return_code"] == 0

    response = await _call_while_polling(
        hass,
        loaded_entry,
        sim,
        DOMAIN,
        "set_user",
        {**target, "user_id": "1003", "name": "Grace Hopper", "card": 123456, "password": "12"},
    )
    assert response["user"]["user_id"] == "1003"
    assert response["user"]["card"] == 123456
    assert response["command"]["succeeded"] is True
    assert sim.users["1003"] == SimUser(
        user_id="1003", name="Grace Hopper", password="12", card="123456", group="1"
    )

    response = await _call_while_polling(
        hass, loaded_entry, sim, DOMAIN, "delete_user", {**target, "user_id": "1001"}
    )
    assert response["deleted"] == "1001"
    assert "1001" not in sim.users
    response = await _call_while_polling(
        hass, loaded_entry, sim, DOMAIN, "get_users", target, uploads=True
    )
    assert [user["user_id"] for user in response["users"]] == ["1002", "1003"]


async def test_user_names_on_punches(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Names learned from the user table name the punches, and survive a restart."""
    target = {"config_entry_id": loaded_entry.entry_id}
    await _call_while_polling(hass, loaded_entry, sim, DOMAIN, "get_users", target, uploads=True)
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    delivered: list[Any] = []
    runtime_of(loaded_entry).punches.async_add_listener(delivered.append)
    sim.inject_punch("1002")
    await sim.flush()
    assert delivered[0].user_name == "Alan Turing"


async def test_set_user_invalid_field(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A field the terminal could misread is refused before anything is queued."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_user",
            {"device_id": _device_id(hass), "user_id": "1004", "name": "X", "password": "abc"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "invalid_argument"
    assert runtime_of(loaded_entry).commands.waiting == 0


async def test_sync_time_and_buttons(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """sync_time and the clock button make the terminal call now (it sets its clock from
    the reply's Date); restart queues REBOOT."""
    response = await _call_while_polling(
        hass, loaded_entry, sim, DOMAIN, "sync_time", {"device_id": _device_id(hass)}
    )
    assert dt_util.parse_datetime(response["time"]) is not None
    assert response["command"]["command"] == "Info"
    assert sim.clock_syncs > 0
    await _call_while_polling(
        hass, loaded_entry, sim, "button", "press", {ATTR_ENTITY_ID: "button.gate_sync_clock"}
    )
    await _call_while_polling(
        hass, loaded_entry, sim, "button", "press", {ATTR_ENTITY_ID: "button.gate_restart"}
    )
    assert [command.text for command in sim.commands] == ["INFO", "INFO", "REBOOT"]
    assert sim.reboots == 1
    state = hass.states.get("sensor.gate_users")
    assert state is not None
    assert state.state == "2"


async def test_pull_terminal_actions_untouched(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A call that targets no push terminal goes on to the terminal actions as before: Home
    Assistant's own target resolution answers it, and every bad target is refused the same
    way as without a push terminal."""

    async def get_users(**target: Any) -> Any:
        return await hass.services.async_call(
            DOMAIN, "get_users", target, blocking=True, return_response=True
        )

    await assert_bad_targets_refused(hass, get_users)


async def test_action_on_unloaded_push_terminal(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """An unloaded push terminal is refused with the terminal's translated error."""
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "sync_time",
            {"config_entry_id": loaded_entry.entry_id},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "terminal_not_loaded"


async def test_second_unlock_ignored_while_opening(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A second unlock while the first waits queues nothing more."""
    await sim.poll_once()
    runtime = runtime_of(loaded_entry)
    first = asyncio.ensure_future(
        hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK_ENTITY}, blocking=True)
    )
    await until(lambda: runtime.commands.waiting == 1)
    # One lock call at a time (PARALLEL_UPDATES): the second runs once the first is done.
    second = asyncio.ensure_future(
        hass.services.async_call("lock", "unlock", {ATTR_ENTITY_ID: LOCK_ENTITY}, blocking=True)
    )
    await sim.poll_once()
    await first
    await second
    assert runtime.commands.waiting == 0
    await hass.services.async_call("lock", "lock", {ATTR_ENTITY_ID: LOCK_ENTITY}, blocking=True)
    assert await sim.poll_once() == []
    assert len(sim.unlocks) == 1
    assert hass.states.get(LOCK_ENTITY).state == LockState.UNLOCKED


async def test_push_entry_helper_unused_serial() -> None:
    """The helper makes entries for any serial (used by the two-terminal tests)."""
    assert push_entry("X1").unique_id == "X1"
