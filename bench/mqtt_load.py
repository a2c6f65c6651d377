"""N simulated doors in their own process, publishing state and data point messages on demand.

Started by bench.mqtt_throughput; talks in JSON lines on stdin/stdout:
    -> {"ready": N, "start_s": ...}                    once every door is connected
    <- {"op": "load", "rate": <messages per second>, "seconds": <seconds>}
    -> {"sent": n, "elapsed_s": ..., "cpu_s": ...}     when done (cpu_s: this process)
EOF on stdin stops the doors cleanly.

Each door alternates between a new temperature (retained `datapoint/temperature`) and a new
lock state (retained `state`), so every message changes one entity's state in Home Assistant.

    python -m bench.mqtt_load --port 1883 --count 200
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from tools.mqttdoor import DoorFleet, LockState, SimulatedDoor
from tools.mqttdoor.contract import DEFAULT_DATAPOINTS

# The same two entities per door as the YAML MQTT configuration it is compared with.
BENCH_DOOR: dict[str, Any] = {
    "features": ("lock", "state"),
    "datapoints": tuple(d for d in DEFAULT_DATAPOINTS if d["key"] == "temperature"),
    "datapoint_values": {"temperature": 20.0},
    "alarms": (),
    "commands": (),
    "heartbeat": None,
    "transition_delay": 0.0,
}
TICK = 0.01  # publish in small batches every 10 ms
_published_before = 0


def door_id(number: int) -> str:
    return f"door{number:03d}"


def publish_next(door: SimulatedDoor, visit: int) -> None:
    """Odd visits move the lock, even ones the temperature: both always change state."""
    if visit % 2:
        door.publish_state(LockState.UNLOCKED if door.state is LockState.LOCKED else "locked")
    else:
        door.publish_datapoint("temperature", 20 + (visit // 2) % 40 / 2)


def run_load(fleet: DoorFleet, rate: float, seconds: float) -> dict[str, float]:
    """Offer `rate` messages/s for `seconds`, round robin over the doors."""
    global _published_before  # noqa: PLW0603 - one process, one fleet
    doors = fleet.doors
    total = int(rate * seconds)
    per_tick = max(1, round(rate * TICK))
    cpu_before, started = time.process_time(), time.perf_counter()
    sent = 0
    while sent < total:
        for _ in range(min(per_tick, total - sent)):
            number = _published_before + sent  # runs continue the sequence: values keep changing
            publish_next(doors[number % len(doors)], 1 + number // len(doors))
            sent += 1
        # Keep to the schedule: sleep until this batch's slot is over (never catch up early).
        delay = started + (sent / rate) - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    fleet.flush(timeout=60)
    _published_before += sent
    return {
        "sent": sent,
        "elapsed_s": round(time.perf_counter() - started, 3),
        "cpu_s": round(time.process_time() - cpu_before, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    fleet = DoorFleet.numbered(
        args.count, host=args.host, port=args.port, id_format="door{:03d}", **BENCH_DOOR
    )
    started = time.perf_counter()
    fleet.start(timeout=120)
    print(json.dumps({"ready": len(fleet), "start_s": round(time.perf_counter() - started, 3)}))
    sys.stdout.flush()
    try:
        for line in sys.stdin:
            command = json.loads(line)
            if command.get("op") == "load":
                figures = run_load(fleet, float(command["rate"]), float(command["seconds"]))
                print(json.dumps(figures), flush=True)
    finally:
        fleet.stop(clean=True)


if __name__ == "__main__":
    main()
