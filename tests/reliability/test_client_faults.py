"""The terminal client on a connection the terminal silently forgot (it rebooted)."""

import asyncio

import pytest

from custom_components.devicehub.zk import AsyncTerminal, TerminalClient, TerminalError
from tests.zk.conftest import config_for
from tests.zksim_fixtures import SimulatorFactory


def test_a_door_pulse_is_never_repeated(zk_simulator: SimulatorFactory) -> None:
    """An unlock that failed is not sent again behind the caller's back: it may have worked."""
    sim = zk_simulator(users=1)
    client = TerminalClient(config_for(sim, timeout=0.3))
    try:
        client.unlock(3)
        sim.reboot(0)
        with pytest.raises(TerminalError):
            client.unlock(3)
        assert len(sim.unlocks) == 1
        client.unlock(3)  # a new connection
        assert len(sim.unlocks) == 2
    finally:
        client.close()


async def test_reset_queues_behind_calls_and_after_close(zk_simulator: SimulatorFactory) -> None:
    """reset() drops the connection for the next call; after close() it does nothing."""
    sim = zk_simulator(users=1)
    terminal = AsyncTerminal(config_for(sim, timeout=0.3))
    await terminal.get_time()
    await asyncio.gather(terminal.get_counts(), terminal.reset())
    assert not await terminal.run(lambda client: client.connected)
    await terminal.get_time()  # a new connection
    await terminal.close()
    await terminal.reset()
