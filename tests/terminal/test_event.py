"""Punches: live events end to end, caught up late, exactly once."""

from collections.abc import Callable

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tools.zksim import TerminalSimulator

from .conftest import PUNCH_ENTITY, SERIAL, TITLE, StateRecorder, async_wait_live, punch_events


async def test_live_punch(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    record_states: Callable[[str], StateRecorder],
) -> None:
    """A punch at the terminal fires the event entity with who, how and when."""
    recorder = record_states(PUNCH_ENTITY)
    await async_wait_live(hass, simulator)
    record = await hass.async_add_executor_job(simulator.inject_punch, "1002", 1, 15)
    states = await recorder.wait(1)
    timestamp = record.timestamp.replace(tzinfo=dt_util.get_default_time_zone())
    assert punch_events(states) == [
        {
            "event_type": "check_out",
            "user_id": "1002",
            "user_name": "Alan Turing",
            "verify": "face",
            "timestamp": timestamp.isoformat(),
            "terminal": TITLE,
            "serial_number": SERIAL,
            "late": False,
        }
    ]
