"""Shutdown time of a real `hass` process: SIGTERM until it exited, with and without devices.

    python -m bench.shutdown [--runs N]

Each run starts Home Assistant on a new configuration (MQTT on a local Mosquitto), once with
no devicehub entry and once with two capturing terminals (tools/zksim) and an MQTT door
(tools/mqttdoor), waits until everything is connected, sends SIGTERM and times the exit.
Prints one JSON line: the median seconds of each case and their difference.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
import json
from pathlib import Path
import statistics
import tempfile
from typing import Any

from tests.shutdown.realhass import (
    LIVE_CONNECTED,
    NON_DAEMONIC,
    door_entry,
    hass_with_entries,
    terminal_entry,
)
from tools.mqttdoor import DoorConfig, SimulatedDoor
from tools.mqttdoor.broker import MosquittoBroker
from tools.zksim import SimulatorConfig, TerminalSimulator

READY_TIMEOUT = 30.0
TERMINALS = 2


@contextmanager
def devices(broker: MosquittoBroker) -> Iterator[list[dict[str, Any]]]:
    """Two simulated terminals and a simulated door, as config entries."""
    with ExitStack() as stack:
        entries = []
        for n in range(1, TERMINALS + 1):
            sim = stack.enter_context(TerminalSimulator(SimulatorConfig(users=3, seed=n)))
            entries.append(terminal_entry(f"Terminal {n}", sim.config.serial_number(), sim.port))
        door = DoorConfig("bench_door", host=broker.host, port=broker.port, heartbeat=None)
        stack.enter_context(SimulatedDoor(door))
        entries.append(door_entry(door))
        yield entries


def one_run(broker: MosquittoBroker, with_devices: bool) -> float:
    """Seconds from SIGTERM until Home Assistant exited."""
    with tempfile.TemporaryDirectory(prefix="devicehub-shutdown-") as scratch, ExitStack() as stack:
        entries = stack.enter_context(devices(broker)) if with_devices else []
        with hass_with_entries(Path(scratch, "config"), broker.port, entries) as hass:
            if with_devices:
                for n in range(1, TERMINALS + 1):
                    hass.wait_for_line(LIVE_CONNECTED.format(title=f"Terminal {n}"), READY_TIMEOUT)
            took = hass.stop()
            if any(NON_DAEMONIC in line for line in hass.lines()):
                print(f"note: Python's exit waited on threads ({with_devices=})", flush=True)
            return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as workdir:
        broker = MosquittoBroker(workdir=Path(workdir))
        broker.start()
        try:
            without: list[float] = []
            with_devices: list[float] = []
            for _ in range(runs):  # interleaved, so that the machine's load hits both alike
                without.append(one_run(broker, with_devices=False))
                with_devices.append(one_run(broker, with_devices=True))
        finally:
            broker.stop()
    figures = {
        "runs": runs,
        "without_devices_s": round(statistics.median(without), 2),
        "with_devices_s": round(statistics.median(with_devices), 2),
        "extra_s": round(statistics.median(with_devices) - statistics.median(without), 2),
        "samples_without_s": [round(t, 2) for t in without],
        "samples_with_s": [round(t, 2) for t in with_devices],
    }
    print(json.dumps({"bench": "shutdown", **figures}), flush=True)


if __name__ == "__main__":
    main()
