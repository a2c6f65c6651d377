"""The punch queue and its one consumer: a clear asked for during a read, a refused clear."""

import asyncio
from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tools.zksim import AttendanceRecord, TerminalSimulator
from tools.zksim.protocol import Command

from .conftest import TIMEOUT


def add_records(simulator: TerminalSimulator, count: int) -> list[AttendanceRecord]:
    """Punches the terminal logged without a live event; enough to need a chunked read."""
    start = simulator.clock.now() + timedelta(seconds=1)
    records = [
        AttendanceRecord(uid=2, user_id="1002", timestamp=start + timedelta(seconds=n))
        for n in range(count)
    ]
    simulator.add_records(records)
    return records


async def test_clear_waits_behind_a_running_read(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A clear asked for during a read runs after it, and finds every punch delivered."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    add_records(simulator, 30)
    reading = hass.async_create_task(runtime.async_catch_up())
    clear = hass.async_create_task(runtime.delivery.async_clear_log())
    await asyncio.wait_for(reading, TIMEOUT)
    assert await asyncio.wait_for(clear, TIMEOUT) == 30
    assert simulator.record_count == 0


async def test_clear_fails_when_the_terminal_refuses(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A terminal that will not be disabled keeps its log; the action says why."""
    add_records(simulator, 2)
    await loaded_entry.runtime_data.async_catch_up()
    simulator.faults.error_commands = frozenset({Command.DISABLEDEVICE})
    with pytest.raises(HomeAssistantError) as error:
        await hass.services.async_call(
            DOMAIN,
            "clear_attendance",
            {"config_entry_id": loaded_entry.entry_id},
            blocking=True,
            return_response=True,
        )
    assert error.value.translation_key == "action_failed"
    assert simulator.record_count == 2
