"""The punch queue and its one consumer: a clear asked for during a read, a refused clear."""

import asyncio
from datetime import timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.punch import Punch
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


async def test_failed_read_hands_its_waiters_to_the_next(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A read that fails while another was asked for is answered by that one.

    When that one fails too, a timer retries, 10 s later (the documented first retry), and
    delivers every punch once.
    """
    runtime: TerminalRuntime = loaded_entry.runtime_data
    delivered: list[Punch] = []
    unsubscribe = runtime.delivery.async_add_listener(delivered.append)
    records = add_records(simulator, 30)
    simulator.faults.error_commands = frozenset({Command.PREPARE_BUFFER})  # no log reads
    simulator.faults.reply_delay = 0.2  # the first read still runs when the second is asked

    first = hass.async_create_task(runtime.async_catch_up(), eager_start=True)
    second = hass.async_create_task(runtime.async_catch_up(), eager_start=True)
    await asyncio.wait_for(asyncio.gather(first, second), TIMEOUT)
    assert delivered == []

    simulator.faults.reset()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(punch.user_id, punch.timestamp.replace(tzinfo=None)) for punch in delivered] == [
        (record.user_id, record.timestamp) for record in records
    ]
    unsubscribe()


async def test_unload_cancels_what_waits(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Unloading mid-read ends the read and every queued request; nobody waits forever."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    add_records(simulator, 30)
    simulator.faults.reply_delay = 0.2  # the read is still running when the unload comes
    running = hass.async_create_task(runtime.async_catch_up(), eager_start=True)
    queued = hass.async_create_task(runtime.async_catch_up(), eager_start=True)
    clear = hass.async_create_task(runtime.delivery.async_clear_log(), eager_start=True)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    for waiting in (running, queued, clear):
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(waiting, TIMEOUT)
    assert simulator.record_count == 30  # nothing was cleared
