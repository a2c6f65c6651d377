"""Stopping Home Assistant never waits on devicehub.

Home Assistant does not unload config entries when it stops: devicehub stops its threads
and connections on the stop event itself. Were a worker thread left, Python's shutdown
would wait on it (Home Assistant allows 10 s) and print "Found N non-daemonic threads".
The shutdown times with and without devices are measured by bench/shutdown.py.
"""

from pathlib import Path

from tests.mosquitto import MosquittoBroker
from tests.zksim_fixtures import SimulatorFactory
from tools.mqttdoor import DoorConfig, SimulatedDoor
from tools.zksim import SimulatorConfig

from .realhass import LIVE_CONNECTED, NON_DAEMONIC, door_entry, hass_with_entries, terminal_entry

READY_TIMEOUT = 30.0


def test_sigterm_with_terminals_and_doors_leaves_nothing_running(
    tmp_path: Path, zk_simulator: SimulatorFactory, mosquitto_broker: MosquittoBroker
) -> None:
    """SIGTERM with two capturing terminals and a door: every devicehub thread and
    terminal session is gone, and Python's exit waits on no thread."""
    terminals = [zk_simulator(SimulatorConfig(users=3, records=5, seed=n)) for n in (1, 2)]
    door_config = DoorConfig(
        "shutdown_door", host=mosquitto_broker.host, port=mosquitto_broker.port, heartbeat=None
    )
    entries = [
        terminal_entry(f"Terminal {n}", sim.config.serial_number(), sim.port)
        for n, sim in enumerate(terminals, start=1)
    ]
    entries.append(door_entry(door_config))
    with (
        SimulatedDoor(door_config),
        hass_with_entries(tmp_path / "config", mosquitto_broker.port, entries) as hass,
    ):
        for n in (1, 2):
            hass.wait_for_line(LIVE_CONNECTED.format(title=f"Terminal {n}"), READY_TIMEOUT)
        assert all(sim.session_count == 2 for sim in terminals)  # calls + live capture
        took = hass.stop()
        output = hass.lines()
        print(f"Home Assistant stopped {took:.2f} s after SIGTERM")

    assert hass.exit_code == 0, "\n".join(output[-15:])
    assert not [line for line in output if NON_DAEMONIC in line], "\n".join(output[-40:])
    stopped = [line for line in output if "stopped on Home Assistant's stop" in line]
    assert len(stopped) == 2, "\n".join(output[-40:])
    # Each terminal saw its sessions closed, not abandoned.
    assert [sim.session_count for sim in terminals] == [0, 0]
