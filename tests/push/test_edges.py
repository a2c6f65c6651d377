"""Less common exchanges: results of unknown commands, user tables, pings, empty terminals."""

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from tools.admssim import PushTerminalSimulator

from .conftest import SERIAL, SimFactory, runtime_of
from .test_commands import _call_while_polling


async def test_result_of_unknown_command_counted(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A result for a command Home Assistant did not queue (or queued before a restart) is
    answered and counted, and its device facts are kept."""
    status, reply = await sim.post_raw(
        "devicecmd", b"ID=4242&Return=0&CMD=INFO\n~DeviceName=SpeedFace-V5L\nUserCount=12\n"
    )
    assert (status, reply) == (200, "OK")
    runtime = runtime_of(loaded_entry)
    assert runtime.commands.unknown_results == 1
    assert runtime.facts["model"] == "SpeedFace-V5L"
    assert runtime.user_count == 12
    state = hass.states.get("sensor.gate_users")
    assert state is not None
    assert state.state == "12"


async def test_user_table_upload_replaces_users(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A USERINFO table upload is the whole user table: names and count are replaced."""
    runtime = runtime_of(loaded_entry)
    runtime.take_users((), complete=False)
    status, reply = await sim.post_raw(
        "cdata", b"PIN=1\tName=Ann\nPIN=2\tName=Bo\n", {"table": "USERINFO"}
    )
    assert (status, reply) == (200, "OK:2")
    assert runtime.ledger.users == {"1": "Ann", "2": "Bo"}
    assert runtime.user_count == 2


async def test_ping_and_poll_info(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A v3 ping is answered OK; a poll's INFO= gives firmware and counters."""
    response = await sim._client().get(f"{sim.config.server}/iclock/ping?SN={SERIAL}")
    assert (response.status, await response.text()) == (200, "OK")
    response = await sim._client().get(
        f"{sim.config.server}/iclock/getrequest",
        params={"SN": SERIAL, "INFO": "Ver 8.0.4,31,7,1500,192.0.2.9"},
    )
    assert (response.status, await response.text()) == (200, "OK")
    facts = runtime_of(loaded_entry).facts
    assert (facts["firmware"], facts["users"], facts["records"]) == ("Ver 8.0.4", "31", "1500")


async def test_get_users_of_empty_terminal(
    hass: HomeAssistant, make_sim: SimFactory, loaded_entry: MockConfigEntry
) -> None:
    """A terminal without users answers the query with -1: an empty list, not an error."""
    sim = await make_sim()
    assert await sim.handshake()
    response = await _call_while_polling(
        hass,
        loaded_entry,
        sim,
        DOMAIN,
        "get_users",
        {"device_id": _device(hass)},
        uploads=True,
    )
    assert response["users"] == []
    assert response["command"]["return_code"] == 0


def _device(hass: HomeAssistant) -> str:
    from .test_commands import _device_id

    return _device_id(hass)


@pytest.mark.parametrize(("group", "expected"), [("3", "3"), ("", "1")])
async def test_set_user_group(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    group: str,
    expected: str,
) -> None:
    """The group id of the pull terminals' action is the push terminal's group number."""
    data: dict[str, Any] = {"device_id": _device(hass), "user_id": "9", "name": "Iv"}
    if group:
        data["group_id"] = group
    await _call_while_polling(hass, loaded_entry, sim, DOMAIN, "set_user", data)
    assert sim.users["9"].group == expected


async def test_set_user_bad_group(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A group id that is not a number is refused before anything is queued."""
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "set_user",
            {"device_id": _device(hass), "user_id": "9", "name": "Iv", "group_id": "staff"},
            blocking=True,
            return_response=True,
        )
    assert runtime_of(loaded_entry).commands.waiting == 0


async def test_last_twenty_command_results_kept(hass: HomeAssistant) -> None:
    """Diagnostics keep the last 20 command results."""
    from custom_components.devicehub.adms import Info
    from custom_components.devicehub.push.commands import CommandQueue

    queue: CommandQueue[Info] = CommandQueue()
    for _ in range(25):
        pending = queue.enqueue("Info", Info())
        assert queue.take(10) == [pending]
        assert queue.resolve(pending.command_id, 0, {})
    assert len(queue.results) == 20
    assert queue.results[-1].command_id == pending.command_id
