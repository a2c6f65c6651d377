"""200 doors under load: devicehub against Home Assistant's own MQTT lock + sensor platforms.

A real Mosquitto on loopback; 200 simulated doors in one process (bench.mqtt_load), each with
its own connection and last will, publishing retained `state` and `datapoint/temperature`
messages at a fixed offered rate. Home Assistant runs in a process of its own, once with
devicehub (the doors discovered and confirmed: a lock and a temperature sensor each) and once
with the same 400 entities as YAML `mqtt:` lock + sensor platforms. Per offered rate it
reports the messages/s Home Assistant turned into state changes, its CPU seconds per 10k
messages (time.process_time of the HA process only), its event loop lag (p50/p99/max of a
10 ms timer) and the devicehub/mqtt CPU ratio.

    .venv/bin/python -m bench.mqtt_throughput [--count 200] [--rates 500,2000] [--seconds 10]
        [--modes devicehub] [--bridge] [--loop-detail]

--bridge puts the doors on a second Mosquitto bridged to the one Home Assistant uses.
--loop-detail also times every event loop callback and garbage collection (bench.loopmon's
LoopMonitor: the slowest callbacks, GC pauses); it costs CPU, so compare its CPU figures only
with another --loop-detail run.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import ExitStack
import json
import sys
import time
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

from tests.states import async_wait_for_state
from tools.mqttdoor import MosquittoBroker

from .bridge import bridged_broker
from .hass import add_entries, door_entry, home_assistant, quiet_logs, run
from .loopmon import LoopLag, LoopMonitor
from .mqtt_load import BENCH_DOOR, door_id
from .procs import Child
from .profiling import profiled
from .stats import percentile

MODES = ("devicehub", "mqtt_yaml")
PREFIX = "devicehub"
# HA's MQTT lock expects upper case by default; the contract's payloads are lower case.
LOCK_STATES = ("locked", "unlocked", "locking", "unlocking", "jammed", "open", "opening")
STALL = 10.0  # seconds without a new state change: Home Assistant has absorbed all it will
CHILD_TIMEOUT = 600.0  # seconds for a child to set up or finish a window and answer


def mqtt_yaml(count: int) -> str:
    """HA's own MQTT platforms for the same doors and topics: a lock and a sensor each."""
    lines = ["mqtt:", "  lock:"]
    for number in range(1, count + 1):
        base = f"devicehub/{door_id(number)}"
        lines += [
            f"    - name: Door {number:03d}",
            f"      unique_id: {door_id(number)}_yaml_lock",
            f"      command_topic: {base}/command",
            f"      state_topic: {base}/state",
            f"      availability_topic: {base}/availability",
            "      payload_available: online",
            "      payload_not_available: offline",
            *(f"      payload_{command}: {command}" for command in ("lock", "unlock", "open")),
            *(f"      state_{state}: {state}" for state in LOCK_STATES),
            "      qos: 1",
        ]
    lines.append("  sensor:")
    for number in range(1, count + 1):
        base = f"devicehub/{door_id(number)}"
        lines += [
            f"    - name: Door {number:03d} temperature",
            f"      unique_id: {door_id(number)}_yaml_temperature",
            f"      state_topic: {base}/datapoint/temperature",
            f"      availability_topic: {base}/availability",
            "      unit_of_measurement: °C",
            "      device_class: temperature",
            "      qos: 1",
        ]
    return "\n".join(lines) + "\n"


async def async_entities(hass: HomeAssistant, mode: str, count: int) -> set[str]:
    """Set up the mode's integration; return its lock and sensor entity ids."""
    if mode == "devicehub":
        # The doors as confirmed earlier, set up together as on a restart (discovery offers
        # at most 20 doors at a time; confirming 200 is not what is measured here).
        add_entries(
            hass, [door_entry(PREFIX, door_id(n), **BENCH_DOOR) for n in range(1, count + 1)]
        )
        assert await async_setup_component(hass, "devicehub", {})
    await hass.async_block_till_done()
    platform = "devicehub" if mode == "devicehub" else "mqtt"
    entities = {
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.platform == platform and entry.domain in ("lock", "sensor")
    }
    assert len(entities) == 2 * count, f"{len(entities)} entities for {count} doors"
    for entity_id in entities:  # retained values arrive once the subscriptions are made
        await async_wait_for_state(
            hass, entity_id, lambda s: s.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE), 120
        )
    return entities


class StateChangeCounter:
    """Counts state changes of the measured entities (the same cheap callback in both modes)."""

    def __init__(self, hass: HomeAssistant, entities: set[str]) -> None:
        self.entities = entities
        self.count = 0
        self.first = self.last = 0.0
        self._unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, self._changed)

    @callback
    def _changed(self, event: Event[Any]) -> None:
        if event.data["entity_id"] in self.entities:
            self.last = time.perf_counter()
            if not self.count:
                self.first = self.last
            self.count += 1

    def close(self) -> None:
        self._unsubscribe()


async def run_home_assistant(mode: str, port: int, count: int, loop_detail: bool) -> None:
    """The HA process: set up, then measure windows as the orchestrator asks (stdin lines)."""
    started = time.perf_counter()
    async with home_assistant(port, mqtt_yaml(count) if mode == "mqtt_yaml" else "") as hass:
        entities = await async_entities(hass, mode, count)
        reply({"entities": len(entities), "setup_s": round(time.perf_counter() - started, 2)})
        while (command := await async_read_command()) is not None:
            if command.get("op") != "start":
                continue
            counter = StateChangeCounter(hass, entities)
            probe = LoopMonitor(0.01) if loop_detail else LoopLag(0.01)
            probe.start()
            cpu_before, window_start = time.process_time(), time.perf_counter()
            reply({"started": True})
            # BENCH_PROFILE=mqtt_throughput-<mode> profiles the window (its CPU figure then
            # includes the profiler's own cost: compare profiles, not that figure).
            with profiled(f"mqtt_throughput-{mode}"):
                expected = int((await async_read_command() or {}).get("sent", 0))
                while counter.count < expected:
                    if time.perf_counter() - max(counter.last, window_start) > STALL:
                        break  # nothing new for a while: what is missing will not come
                    await asyncio.sleep(0.05)  # polls its own counter; same cost in both modes
            cpu = time.process_time() - cpu_before
            busy = time.perf_counter() - window_start
            await probe.stop()
            counter.close()
            lags_ms = [lag * 1000 for lag in probe.lags]
            window = max(counter.last - counter.first, 1e-9)
            reply(
                {
                    "absorbed": counter.count,
                    "absorbed_per_s": round(counter.count / window, 1),
                    "cpu_s_per_10k": round(cpu / max(counter.count, 1) * 10_000, 3),
                    "loop_lag_ms": {
                        "p50": round(percentile(lags_ms or [0.0], 0.5), 2),
                        "p99": round(percentile(lags_ms or [0.0], 0.99), 2),
                        "max": round(max(lags_ms, default=0), 2),
                    },
                    # The window's process CPU over its wall time (2.0 would be both cores).
                    "cpu_share": round(cpu / busy, 2),
                    **({"loop": probe.figures()} if isinstance(probe, LoopMonitor) else {}),
                }
            )


def reply(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


async def async_read_command() -> dict[str, Any] | None:
    """The orchestrator's next JSON line on stdin; None once it closed stdin."""
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return json.loads(line) if line else None


def measure_mode(mode: str, port: int, fleet: Child, args: argparse.Namespace) -> dict[str, Any]:
    """Home Assistant set up in one mode, in a process of its own: a window per offered rate."""
    ha = Child.python(
        "bench.mqtt_throughput",
        *("--role", "ha", "--mode", mode, "--port", str(port), "--count", str(args.count)),
        *(("--loop-detail",) if args.loop_detail else ()),
    )
    try:
        setup = ha.read_json(CHILD_TIMEOUT)
        runs = []
        for rate in (float(r) for r in args.rates.split(",")):
            ha.request(op="start")
            load = fleet.request(CHILD_TIMEOUT, op="load", rate=rate, seconds=args.seconds)
            figures = ha.request(CHILD_TIMEOUT, op="stop", sent=load["sent"])
            fleet_cpu = round(load["cpu_s"] / load["sent"] * 10_000, 3)
            runs.append({"offered_per_s": rate, **figures, "fleet_cpu_s_per_10k": fleet_cpu})
    finally:
        ha.stop(grace=60)
    return {"setup": setup, "runs": runs}


def orchestrate(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"bench": "mqtt_throughput", "doors": args.count}
    # Home Assistant may fall behind: the broker keeps (not drops) what it has not delivered.
    with ExitStack() as stack:
        broker = stack.enter_context(MosquittoBroker(extra_config=("max_queued_messages 0",)))
        # --bridge: the doors on a broker of their own, bridged to Home Assistant's.
        doors_broker = stack.enter_context(bridged_broker(broker)) if args.bridge else broker
        results["bridged"] = args.bridge
        fleet = Child.python(
            "bench.mqtt_load", "--port", str(doors_broker.port), "--count", str(args.count)
        )
        try:
            results["fleet_start_s"] = fleet.read_json(CHILD_TIMEOUT)["start_s"]
            for mode in args.modes.split(","):
                results[mode] = measure_mode(mode, broker.port, fleet, args)
        finally:
            fleet.stop(grace=60)  # EOF on stdin: the doors leave cleanly
    if all(mode in results for mode in MODES):
        results["cpu_ratio_devicehub_over_mqtt"] = [
            round(ours["cpu_s_per_10k"] / theirs["cpu_s_per_10k"], 2)
            for ours, theirs in zip(
                results["devicehub"]["runs"], results["mqtt_yaml"]["runs"], strict=True
            )
        ]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rates", default="500,2000", help="offered messages/s, one run each")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--bridge", action="store_true", help="doors on a bridged broker")
    parser.add_argument("--loop-detail", action="store_true", help="time callbacks and GC")
    parser.add_argument("--role", choices=["orchestrator", "ha"], default="orchestrator")
    parser.add_argument("--mode", choices=MODES)
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.role == "ha":
        quiet_logs()
        run(run_home_assistant(args.mode, args.port, args.count, args.loop_detail))
    else:
        print(json.dumps(orchestrate(args)))


if __name__ == "__main__":
    main()
