"""Actions of terminals, with their responses and their errors."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.cursor import CursorPosition, PunchKey
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tests.action_cases import ADA_ROW, ALAN_ROW, assert_bad_targets_refused
from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import AttendanceRecord, BusyMode, DeviceBusyError, TerminalSimulator
from tools.zksim.protocol import Command

from .conftest import (
    FIRMWARE_PROFILES,
    SERIAL,
    StateRecorder,
    async_setup_entry,
    async_wait_live,
    entry_data,
    punch_data,
)


async def call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a devicehub action and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


@pytest.fixture
def device_id(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> str:
    """The device id of the loaded terminal."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SERIAL), loaded_entry.entry_id
    )
    assert device is not None
    return device.id


async def test_get_attendance(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    unload_at_teardown: None,
) -> None:
    """Records in the period (naive times are HA's local time), optionally of one user."""
    now = simulator.clock.now().replace(second=0)
    records = [
        AttendanceRecord(uid=1, user_id="1001", timestamp=now - timedelta(hours=3), punch=0),
        AttendanceRecord(uid=2, user_id="1002", timestamp=now - timedelta(hours=2), verify=15),
        AttendanceRecord(uid=1, user_id="1001", timestamp=now - timedelta(hours=1), punch=1),
    ]
    simulator.add_records(records)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    zone = dt_util.get_default_time_zone()

    response = await call(
        hass,
        "get_attendance",
        config_entry_id=config_entry.entry_id,
        start=(now - timedelta(hours=2, minutes=1)).isoformat(),
        end=(now - timedelta(minutes=59)).replace(tzinfo=zone),
    )
    assert response == {
        "records": [
            {
                "user_id": "1002",
                "user_name": "Alan Turing",
                "timestamp": records[1].timestamp.replace(tzinfo=zone).isoformat(),
                "punch": "check_in",
                "verify": "face",
            },
            {
                "user_id": "1001",
                "user_name": "Ada Lovelace",
                "timestamp": records[2].timestamp.replace(tzinfo=zone).isoformat(),
                "punch": "check_out",
                "verify": "fingerprint",
            },
        ],
        "invalid_records": 0,
    }
    response = await call(
        hass, "get_attendance", config_entry_id=config_entry.entry_id, user_id="1001"
    )
    assert [record["punch"] for record in response["records"]] == ["check_in", "check_out"]


async def test_get_users(hass: HomeAssistant, device_id: str) -> None:
    """Users come back without their passwords."""
    response = await call(hass, "get_users", device_id=device_id)
    assert response == {
        "users": [
            ADA_ROW,
            ALAN_ROW,
            {
                "user_id": "1003",
                "name": "Grace Hopper",
                "privilege": "user",
                "enabled": True,
                "group_id": "1",
                "card": 123456,
            },
        ]
    }


async def test_set_and_delete_user(
    hass: HomeAssistant, simulator: TerminalSimulator, device_id: str
) -> None:
    """A user is written to the terminal, then removed; the users sensor follows."""
    response = await call(
        hass,
        "set_user",
        device_id=device_id,
        user_id="2001",
        name="Katherine Johnson",
        privilege="admin",
        password="1234",
        card=42,
        group_id="2",
    )
    assert response == {
        "user": {
            "user_id": "2001",
            "name": "Katherine Johnson",
            "privilege": "admin",
            "enabled": True,
            "group_id": "2",
            "card": 42,
        }
    }
    written = simulator.user("2001")
    assert written is not None
    assert (written.password, written.privilege) == ("1234", 14)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_desk_users").state == "4"

    assert await call(hass, "delete_user", device_id=device_id, user_id="2001") == {
        "deleted": "2001"
    }
    assert simulator.user("2001") is None

    with pytest.raises(ServiceValidationError) as error:
        await call(hass, "delete_user", device_id=device_id, user_id="2001")
    assert error.value.translation_key == "unknown_user"
    with pytest.raises(ServiceValidationError) as error:
        await call(hass, "set_user", device_id=device_id, user_id="ü1", name="X")
    assert error.value.translation_key == "invalid_argument"


async def test_sync_time(hass: HomeAssistant, simulator: TerminalSimulator, device_id: str) -> None:
    """The clock is set to HA's time in the terminal's zone, which the response says."""
    simulator.clock.jump(3600)
    response = await call(hass, "sync_time", device_id=device_id)
    [set_to] = simulator.time_sets
    assert response == {"time": set_to.replace(tzinfo=dt_util.get_default_time_zone()).isoformat()}
    assert abs((dt_util.now().replace(tzinfo=None) - set_to).total_seconds()) < 3


async def test_clear_attendance(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    device_id: str,
    punches: StateRecorder,
) -> None:
    """Refused while punches wait for delivery; allowed once all were delivered."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    # Two punches the terminal logged without a live event (say, while HA was busy).
    later = simulator.clock.now() + timedelta(seconds=2)
    simulator.add_records(
        AttendanceRecord(uid=1, user_id="1001", timestamp=later + timedelta(seconds=n))
        for n in range(2)
    )
    with pytest.raises(ServiceValidationError) as error:
        await call(hass, "clear_attendance", device_id=device_id)
    assert error.value.translation_key == "undelivered_attendance"
    assert error.value.translation_placeholders == {"name": "Front desk", "count": "2"}
    assert simulator.record_count == 2

    runtime.delivery.mark_gap()
    await runtime.async_catch_up()
    await punches.wait(2)
    assert await call(hass, "clear_attendance", device_id=device_id) == {"cleared": 2}
    assert simulator.record_count == 0


async def test_clear_attendance_turns_punches_away_meanwhile(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    device_id: str,
    punches: StateRecorder,
) -> None:
    """A punch during the check is refused by the disabled terminal, so none is lost unseen.

    Tried again once the action is done, it is taken and delivered live.
    """
    await async_wait_live(hass, simulator)
    first = await hass.async_add_executor_job(simulator.inject_punch, "1001")
    await punches.wait(1)
    attempts: list[str] = []
    new_in = CursorPosition.new_in

    def punch_during_the_check(position: CursorPosition, log: Sequence[PunchKey]) -> list[int]:
        # The check asks this of the log, on the terminal's worker thread.
        if not attempts:
            try:
                simulator.inject_punch("1002")
            except DeviceBusyError as err:
                attempts.append(f"{err} (enabled: {simulator.enabled})")
            else:
                attempts.append("accepted")
        return new_in(position, log)

    with patch.object(CursorPosition, "new_in", punch_during_the_check):
        assert await call(hass, "clear_attendance", device_id=device_id) == {"cleared": 1}
    assert attempts == ["punch by 1002 refused: the terminal is busy (enabled: False)"]
    assert (simulator.enabled, simulator.record_count) == (True, 0)

    again = await hass.async_add_executor_job(simulator.inject_punch, "1002")
    await punches.wait(2)
    assert punches.events() == [
        punch_data(first, "Ada Lovelace", late=False),
        punch_data(again, "Alan Turing", late=False),
    ]
    assert simulator.records == [again]


async def test_clear_attendance_failure_enables_the_terminal(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    device_id: str,
) -> None:
    """A clear the terminal refuses fails the action; the log stays, punches are taken."""
    # Delivered (caught up) first: nothing left to deliver, so the check lets the clear go on.
    earlier = simulator.clock.now() - timedelta(hours=1)
    simulator.add_records([AttendanceRecord(uid=1, user_id="1001", timestamp=earlier)])
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await runtime.async_catch_up()
    simulator.faults.error_commands = frozenset({Command.CLEAR_ATTLOG})
    with pytest.raises(HomeAssistantError) as error:
        await call(hass, "clear_attendance", device_id=device_id)
    assert error.value.translation_key == "action_failed"
    assert error.value.translation_placeholders["error"] == (
        "clearing attendance: terminal refused (Can't clear response)"
    )
    assert (simulator.enabled, simulator.record_count) == (True, 1)


@pytest.mark.parametrize("entry_timeout", [0.5])
async def test_terminal_failure(
    hass: HomeAssistant, simulator: TerminalSimulator, device_id: str
) -> None:
    """A terminal that does not answer fails the action with a translated error."""
    simulator.faults.mute = True
    with pytest.raises(HomeAssistantError) as error:
        await call(hass, "get_users", device_id=device_id)
    assert error.value.translation_key == "action_failed"


async def test_terminal_busy(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    device_id: str,
) -> None:
    """A terminal whose only session live capture holds refuses the action, clearly."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    simulator.faults.busy = BusyMode.ACK_ERROR
    await hass.async_add_executor_job(runtime.terminal._client.close)
    with pytest.raises(HomeAssistantError) as error:
        await call(hass, "get_users", device_id=device_id)
    assert error.value.translation_key == "terminal_busy"


async def test_password_changed(
    hass: HomeAssistant, simulator: TerminalSimulator, device_id: str
) -> None:
    """A comm key changed on the terminal fails the action and asks for the new key."""
    simulator._device.config = replace(simulator._device.config, password=999)
    await hass.async_add_executor_job(simulator.reboot, 0)
    with pytest.raises(HomeAssistantError):
        await call(hass, "get_users", device_id=device_id)  # the old session is gone
    with pytest.raises(HomeAssistantError) as error:
        await call(hass, "get_users", device_id=device_id)
    assert error.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.usefixtures("loaded_entry")
async def test_bad_targets(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """Unknown devices and entries, doors and unloaded terminals are refused clearly."""
    # Home Assistant's own translated errors for targets it can tell apart; ours for a door.
    await assert_bad_targets_refused(hass, partial(call, hass, "get_users"))


async def test_end_before_start(hass: HomeAssistant, device_id: str) -> None:
    """A period that ends before it starts is refused."""
    with pytest.raises(ServiceValidationError) as error:
        await call(
            hass,
            "get_attendance",
            device_id=device_id,
            start="2026-03-02 10:00:00",
            end="2026-03-02 09:00:00",
        )
    assert error.value.translation_key == "end_before_start"


async def test_terminals_run_concurrently(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    zk_simulator: SimulatorFactory,
    device_id: str,
    loaded_entry: MockConfigEntry,
) -> None:
    """A slow terminal delays only its own calls; calls to one terminal queue up."""
    slow_sim = zk_simulator(serial="SLOW1")
    slow = MockConfigEntry(
        domain=DOMAIN, title="Slow", unique_id="SLOW1", data=entry_data(slow_sim, timeout=5)
    )
    await async_setup_entry(hass, slow)
    slow_sim.faults.reply_delay = 0.3

    slow_users = hass.async_create_task(call(hass, "get_users", config_entry_id=slow.entry_id))
    slow_clock = hass.async_create_task(call(hass, "sync_time", config_entry_id=slow.entry_id))
    fast = await call(hass, "get_users", device_id=device_id)
    assert len(fast["users"]) == 3
    assert not slow_users.done()
    assert len((await slow_users)["users"]) == 10
    assert "time" in await slow_clock
    assert len(slow_sim.time_sets) == 1
    slow_sim.faults.reset()


@pytest.mark.parametrize("firmware", FIRMWARE_PROFILES)
async def test_user_rewrite_keeps_group_and_time_zones(
    hass: HomeAssistant, simulator: TerminalSimulator, device_id: str, firmware: str
) -> None:
    """Users read with their group; a rewrite keeps group and time zones as they were."""
    zones = bytes([1, 0, 2, 0, 0, 0, 0, 0]) if simulator.config.user_size == 72 else b"\x02\x00"
    simulator.add_users(replace(user, group_id="4", time_zones=zones) for user in simulator.users)
    response = await call(hass, "get_users", device_id=device_id)
    assert [user["group_id"] for user in response["users"]] == ["4", "4", "4"]
    await call(hass, "set_user", device_id=device_id, user_id="1003", name="Grace", card=9)
    stored = simulator.user("1003")
    assert stored is not None
    assert (stored.name, stored.card, stored.group_id, stored.time_zones) == (
        "Grace",
        9,
        "4",
        zones,
    )
    await call(hass, "set_user", device_id=device_id, user_id="1003", name="Grace", group_id="5")
    stored = simulator.user("1003")
    assert stored is not None
    assert (stored.group_id, stored.time_zones) == ("5", zones)
