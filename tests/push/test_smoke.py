"""First contact: a configured push terminal is served over Home Assistant's HTTP server."""

from homeassistant.core import HomeAssistant

from tools.admssim import PushTerminalSimulator

from .conftest import PUNCH_ENTITY, EventRecorder


async def test_live_punch(
    hass: HomeAssistant, sim: PushTerminalSimulator, punches: EventRecorder
) -> None:
    """A punch uploaded by the terminal fires one punch event, not late."""
    sim.inject_punch("1001", status=0, verify=1)
    assert (await sim.flush()).value == "nothing"
    await hass.async_block_till_done()
    assert len(punches.punches) == 1
    assert punches.punches[0]["user_id"] == "1001"
    assert punches.punches[0]["late"] is False
    assert hass.states.get(PUNCH_ENTITY).attributes["event_type"] == "check_in"
