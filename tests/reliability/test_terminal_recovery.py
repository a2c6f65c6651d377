"""A terminal that reboots silently: Home Assistant notices, reconnects, and stays truthful."""

from collections.abc import Callable, Iterator
from datetime import timedelta
import logging
from unittest.mock import patch

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tests.terminal.conftest import (
    LOCK_ENTITY,
    StateRecorder,
    async_wait_live,
    async_wait_live_connected,
    loaded_entry,
    punches,
    record_states,
)
from tools.zksim import TerminalSimulator

__all__ = ["loaded_entry", "punches", "record_states"]


@pytest.fixture(autouse=True)
def fast_watchdog() -> Iterator[None]:
    """Live capture notices a silent terminal within a second."""
    with (
        patch("custom_components.devicehub.terminal.runtime.LIVE_WATCHDOG_SECONDS", 1.0),
        patch("custom_components.devicehub.terminal.runtime.LIVE_HEARTBEAT_SECONDS", 0.3),
    ):
        yield


async def test_silent_reboot_keeps_entities_available(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    record_states: Callable[[str], StateRecorder],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reboot forgets every session, the call connection's too.

    Live capture's watchdog notices; the poll that follows must run on a new connection,
    not time out on the forgotten one and show a terminal that is up as unavailable.
    """
    caplog.set_level(logging.INFO)
    lock = record_states(LOCK_ENTITY)
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    for _ in range(2):
        await hass.async_add_executor_job(simulator.reboot, 0)
        await async_wait_live_connected(hass, runtime, connected=False)
        await async_wait_live_connected(hass, runtime)
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))  # the next poll
        await hass.async_block_till_done(wait_background_tasks=True)
        assert runtime.coordinator.last_update_success
    assert STATE_UNAVAILABLE not in [state.state for state in lock.states]
    assert "Error fetching" not in caplog.text


async def test_undecodable_live_event_is_caught_up(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    punches: StateRecorder,
) -> None:
    """A live event of a layout nobody knows is still a punch: it comes from the log, once.

    It used to be counted and dropped, so the punch waited for the next link failure or
    restart, which may be days away.
    """
    await async_wait_live(hass, simulator)
    simulator.event_size = 20  # no firmware known to us sends these
    record = await hass.async_add_executor_job(simulator.inject_punch, "1002", 1)
    await punches.wait(1)
    simulator.event_size = 32
    after = await hass.async_add_executor_job(simulator.inject_punch, "1003", 0)
    await punches.wait(2)
    assert [
        (event["user_id"], event["timestamp"], event["late"]) for event in punches.events()
    ] == [
        (
            "1002",
            record.timestamp.replace(tzinfo=dt_util.get_default_time_zone()).isoformat(),
            True,
        ),
        (
            "1003",
            after.timestamp.replace(tzinfo=dt_util.get_default_time_zone()).isoformat(),
            False,
        ),
    ]
    runtime: TerminalRuntime = loaded_entry.runtime_data
    assert runtime.live is not None
    assert runtime.live.invalid_events == 1


async def test_clock_set_back_during_an_outage(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    punches: StateRecorder,
) -> None:
    """The terminal clock goes back an hour, then the link drops: punches meanwhile arrive."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    await hass.async_add_executor_job(simulator.inject_punch, "1001")
    await punches.wait(1)
    simulator.clock.jump(timedelta(hours=-1))
    await hass.async_add_executor_job(simulator.reboot, 1.0)
    await async_wait_live_connected(hass, runtime, connected=False)
    during = await hass.async_add_executor_job(simulator.inject_punch, "1002")
    await async_wait_live_connected(hass, runtime)
    await runtime.async_catch_up()  # the whole log has been read: nothing more to wait for
    await hass.async_block_till_done()
    assert len(punches.events()) == 2
    assert (
        punches.events()[-1]["timestamp"]
        == during.timestamp.replace(tzinfo=dt_util.get_default_time_zone()).isoformat()
    )
