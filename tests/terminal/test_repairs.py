"""Repairs of terminals: a drifting clock is fixed by setting it."""

from datetime import timedelta

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tools.zksim import AttendanceRecord, TerminalSimulator

OFFSET_SENSOR = "sensor.front_desk_clock_offset"


async def poll(hass: HomeAssistant) -> None:
    """Let the fallback poll interval pass and wait for the poll."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)


async def start_fix_flow(hass: HomeAssistant, issue_id: str) -> dict:
    """Open the fix flow of an issue, as the repairs dashboard does."""
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_init(DOMAIN, data={"issue_id": issue_id})


async def test_clock_drift_issue_fixed_by_sync(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Beyond a minute of drift an issue appears; its fix sets the terminal clock."""
    issue_id = f"terminal_clock_drift_{loaded_entry.entry_id}"
    simulator.clock.jump(-300)
    await poll(hass)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders == {"name": "Front desk", "offset": "-300"}
    assert -301 <= float(hass.states.get(OFFSET_SENSOR).state) <= -299

    result = await start_fix_flow(hass, issue_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {"name": "Front desk", "offset": "-300"}

    simulator.faults.mute = True
    manager = repairs_flow_manager(hass)
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_sync"}

    simulator.faults.reset()
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(simulator.time_sets) == 1
    assert abs(float(hass.states.get(OFFSET_SENSOR).state)) <= 1
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_fix_flow_of_unloaded_terminal(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An issue whose terminal is gone cannot be fixed; unloading withdraws its issues."""
    issue_id = f"terminal_clock_drift_{loaded_entry.entry_id}"
    simulator.clock.jump(120)
    await poll(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    result = await start_fix_flow(hass, issue_id)

    runtime: TerminalRuntime = loaded_entry.runtime_data
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert runtime.live is None
    manager = repairs_flow_manager(hass)
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "terminal_not_loaded"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.usefixtures("loaded_entry")
async def test_unrelated_issue_falls_back(hass: HomeAssistant) -> None:
    """An issue id of no family gets the plain confirmation flow."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        "something_else",
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="terminal_unreachable",
        translation_placeholders={"name": "x", "since": "y"},
    )
    result = await start_fix_flow(hass, "something_else")
    assert result["step_id"] == "confirm"


async def test_log_in_no_known_layout_raises_an_issue(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Records fitting no layout: an issue names firmware and sizes; nothing is delivered."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    issue_id = f"terminal_unknown_layout_{loaded_entry.entry_id}"
    delivered: list[object] = []
    runtime.delivery.async_add_listener(delivered.append)
    now = simulator.clock.now()
    simulator.add_records(
        AttendanceRecord(uid=1, user_id="1001", timestamp=now + timedelta(seconds=s))
        for s in (2, 3, 4)
    )
    simulator.faults.invalid_dates_every = 1  # every record: 31 February
    runtime.delivery.mark_gap()
    await runtime.async_catch_up()
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders == {
        "name": "Front desk",
        "dataset": "attendance",
        "firmware": "ZMM220_TFT K40 Ver 6.60 Apr 28 2017",
        "body_bytes": "120",
        "count": "3",
        "sizes": "40, 8",
    }
    assert delivered == []

    simulator.faults.invalid_dates_every = 0  # readable again: the issue goes
    await runtime.async_catch_up()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert len(delivered) == 3
