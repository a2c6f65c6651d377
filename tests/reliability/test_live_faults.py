"""Live capture against terminal faults the end-to-end soak first ran into."""

import pytest

from tests.zk.conftest import config_for
from tests.zk.test_live import WHEN, CaptureFactory, start_capture
from tests.zksim_fixtures import SimulatorFactory

__all__ = ["start_capture"]


@pytest.mark.parametrize("down_for", [0.0, 0.5])
async def test_udp_capture_notices_a_reboot(
    zk_simulator: SimulatorFactory, start_capture: CaptureFactory, down_for: float
) -> None:
    """Over UDP a rebooted terminal answers the old session's heartbeat with ACK_UNAUTH.

    That answer is no sign of life for the session: it will never carry an event again, so
    the capture must reconnect (it used to count it as a heartbeat and stay deaf forever).
    """
    sim = zk_simulator(users=5, tcp=False, event_holdoff=0.0)
    capture, recorder = start_capture(config_for(sim, timeout=0.3))
    assert await recorder.next_change() is True
    assert capture.transport == "udp"
    sim.reboot(down_for=down_for)
    assert await recorder.next_change() is False
    assert "heartbeat answered with code 2005" in str(capture.last_error) or down_for
    assert await recorder.next_change(within=down_for + 5) is True
    assert sim.wait_for_listeners(1)
    sim.inject_punch(sim.users[2].user_id, when=WHEN)
    assert (await recorder.next_event()).user_id == sim.users[2].user_id
