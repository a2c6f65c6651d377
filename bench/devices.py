"""Simulated devices in a process of their own, driven by JSON lines on stdin.

Terminals (tools.zksim) and MQTT doors (tools.mqttdoor) live here, not in the process that
runs Home Assistant, so that neither their CPU time nor their threads count against it
(real devices are separate machines). Started by the benchmarks:

    python -m bench.devices --terminals 20 --users 50
    python -m bench.devices --doors 200 --broker-port 1883

The first line printed is {"terminals": [{"port", "serial"}...], "doors": [...]}; then each
command line gets one answer line. EOF on stdin stops everything.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
import json
import random
import sys
import threading
import time
from typing import Any

from tools.mqttdoor import DoorConfig, DoorFleet
from tools.zksim import SimulatorConfig, TerminalSimulator, User
from tools.zksim.records import RECORD_SIZES, RecordSize

FIRST_USER_ID = 10_000
LAST_DAY = date(2026, 6, 30)


def utc_offset() -> timedelta:
    """How far UTC is from this host's local time, to whole minutes.

    Home Assistant runs in UTC in the benchmarks; a terminal shows its local time, so its
    clock is moved by this much to agree (no clock drift repair, no cursor surprises).
    """
    delta = datetime.now(UTC).replace(tzinfo=None) - datetime.now()
    return timedelta(minutes=round(delta.total_seconds() / 60))


def user_id(index: int) -> str:
    """The PIN of the index-th enrolled user of every simulated terminal."""
    return str(FIRST_USER_ID + index)


def start_terminals(
    stack: ExitStack, count: int, users: int, records: int, record_size: RecordSize = 40
) -> list[TerminalSimulator]:
    """count terminals with the same users and their own serial numbers, serving."""
    sims = []
    for index in range(count):
        config = SimulatorConfig(
            users=0,
            seed=index + 1,
            serial=f"BENCH{index:08d}",
            clock_offset=utc_offset(),
            record_size=record_size,
        )
        sim = TerminalSimulator(config)
        sim.add_users(User(uid=k + 1, user_id=user_id(k), name=f"User {k}") for k in range(users))
        if records:
            sim.generate_records(records, LAST_DAY)
            sim.attendance_dataset()  # encode once now, not during the first read
        sims.append(stack.enter_context(sim))
    return sims


def run_schedule(sims: list[TerminalSimulator], command: dict[str, Any]) -> list[list[Any]]:
    """Punch on several terminals at once, each with random gaps; (terminal, pin, ns) each."""
    per_terminal = int(command["per_terminal"])
    low, high = command["gap"]
    first_user = int(command.get("first_user", 0))
    injected: list[list[Any]] = []
    lock = threading.Lock()

    def punch_on(index: int) -> None:
        rng = random.Random(f"{command.get('seed', 0)}-{index}")
        for number in range(per_terminal):
            time.sleep(rng.uniform(low, high))
            pin = user_id(first_user + number)
            sims[index].inject_punch(pin)
            stamp = time.monotonic_ns()
            with lock:
                injected.append([index, pin, stamp])

    threads = [
        threading.Thread(target=punch_on, args=(index,), name=f"bench-punch-{index}")
        for index in command["terminals"]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return injected


def handle(sims: list[TerminalSimulator], command: dict[str, Any]) -> dict[str, Any]:
    """Answer one command."""
    match command.get("op"):
        case "wait_listeners":
            timeout = float(command.get("timeout", 30.0))
            deadline = time.monotonic() + timeout
            ok = all(
                sim.wait_for_listeners(1, max(0.0, deadline - time.monotonic())) for sim in sims
            )
            return {"ok": ok}
        case "schedule":
            return {"injected": run_schedule(sims, command)}
        case "unlocks":
            return {"count": len(sims[int(command["terminal"])].unlocks)}
        case other:
            return {"error": f"unknown op {other!r}"}


def commands() -> Iterator[dict[str, Any]]:
    """Command lines from stdin until EOF or quit."""
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        if command.get("op") == "quit":
            return
        yield command


DOOR_START_SECONDS = 0.4  # allowed per door to connect
DOORS_PER_HOST = 300


def main() -> None:
    """Start the devices, print where they are, serve commands, stop everything."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=0)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--records", type=int, default=0)
    parser.add_argument("--record-size", type=int, choices=RECORD_SIZES, default=40)
    parser.add_argument("--doors", type=int, default=0)
    parser.add_argument("--broker-port", type=int, default=1883)
    parser.add_argument("--door-prefixes", default="devicehub")
    parser.add_argument("--door-first", type=int, default=1, help="number of the first door")
    parser.add_argument("--transition-delay", type=float, default=0.0)
    args = parser.parse_args()
    with ExitStack() as stack:
        sims = start_terminals(stack, args.terminals, args.users, args.records, args.record_size)
        doors: list[str] = []
        for prefix in args.door_prefixes.split(",") if args.doors else []:
            fleet = DoorFleet(
                DoorConfig(
                    f"door{number:03d}",
                    port=args.broker_port,
                    prefix=prefix,
                    transition_delay=args.transition_delay,
                    client_id=f"bench-{prefix}-door{number:03d}",  # unique across prefixes
                )
                for number in range(args.door_first, args.door_first + args.doors)
            )
            # Each door is a paho client with a thread of its own, slow to start on two
            # busy cores; paho's select() also stops at descriptor 1024 (three per door), so
            # bench.setup_curve starts a host per DOORS_PER_HOST doors.
            fleet.start(timeout=max(60.0, DOOR_START_SECONDS * args.doors))
            stack.callback(fleet.stop, False)
            doors += [f"{prefix}/{door.config.device_id}" for door in fleet]
        terminals = [{"port": sim.port, "serial": sim.config.serial_number()} for sim in sims]
        print(json.dumps({"terminals": terminals, "doors": doors}), flush=True)
        for command in commands():
            print(json.dumps(handle(sims, command)), flush=True)


if __name__ == "__main__":
    main()
