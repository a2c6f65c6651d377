"""The door setup curve: 200, 500 and 1,000 doors, devicehub against HA's MQTT YAML platforms.

For each door count, the same simulated doors (bench.devices, 300 doors per process,
retained messages on one Mosquitto) are set up by a fresh Home Assistant process per side,
one after the other: devicehub with the doors' config entries, then HA's own MQTT platforms
for the same topics (bench.setup_scale's two cases). Each reports the seconds until every
entity is available and holds its value, and the resident memory the setup added (after a
full collection), divided by the doors: a fresh process per case so one case's freed memory
does not hide the next one's growth.

    python -m bench.setup_curve          (full run only: --quick has setup_scale's 200 doors)
    python -m bench.setup_curve --case devicehub --port 1883 --doors 500   (one case, JSON)
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
import json

from . import stats
from .broker import mosquitto
from .devices import DOORS_PER_HOST
from .hass import quiet_logs, run
from .procs import Child, child
from .report import Aim, Figures, Row, json_line, mib, seconds, times
from .setup_scale import baseline_case, devicehub_case

COUNTS = (200, 500, 1_000)
CASES = ("devicehub", "mqtt_yaml")
CASE_TIMEOUT = 600.0
# Issue 17: the doors show their values no later than the same doors as HA MQTT YAML, and
# cost no more memory each.
VALUES_RATIO_AIM = 1.0
MEMORY_RATIO_AIM = 1.0


def run_case(case: str, port: int, count: int) -> Figures:
    """One side in a fresh Home Assistant process: its timing and memory figures."""
    doors = [f"devicehub/door{number:03d}" for number in range(1, count + 1)]
    if case == "devicehub":
        return run(devicehub_case(port, [], doors))
    return run(baseline_case(port, doors))


def _point(port: int, count: int) -> Figures:
    point: Figures = {"doors": count}
    for case in CASES:
        process = Child.python(
            "bench.setup_curve", "--case", case, "--port", str(port), "--doors", str(count)
        )
        try:
            figures = process.read_json(CASE_TIMEOUT)
        finally:
            process.stop(grace=30)
        point[case] = {
            "entities": figures["entities"],
            "available_s": figures["available_s"],
            "ready_s": figures["ready_s"],
            "memory_growth_mib": figures["memory_growth_mib"],
            "memory_per_door_kib": round(figures["memory_growth_mib"] * 1024 / count, 1),
            "longest_callback_ms": figures["longest_callback_ms"],
        }
    return point


def run_bench(quick: bool) -> Figures:
    """A broker and a door host per door count; both sides measured against them."""
    points: list[Figures] = []
    failed: list[Figures] = []
    for count in () if quick else COUNTS:
        try:
            with ExitStack() as stack:
                port = stack.enter_context(mosquitto())
                hosts = [
                    stack.enter_context(
                        child(
                            "bench.devices",
                            *("--doors", str(min(DOORS_PER_HOST, count - first + 1))),
                            *("--door-first", str(first), "--broker-port", str(port)),
                        )
                    )
                    for first in range(1, count + 1, DOORS_PER_HOST)
                ]
                for host in hosts:
                    host.read_json(timeout=CASE_TIMEOUT)
                points.append(_point(port, count))
        except (RuntimeError, TimeoutError) as err:  # the other counts still run
            failed.append({"doors": count, "error": str(err)[:300]})
    return {"points": points, "failed": failed}


def rows(figures: Figures) -> list[Row]:
    """A row per door count: values and memory per door on each side."""

    def cell(case: Figures) -> str:
        return (
            f"values {seconds(case['ready_s'])}, memory "
            f"{mib(case['memory_growth_mib'])} ({case['memory_per_door_kib']:.0f} KiB/door)"
        )

    return [
        Row(
            "door setup curve",
            f"{point['doors']} doors ({point['devicehub']['entities']} entities)",
            cell(point["devicehub"]),
            f"HA MQTT YAML ({point['mqtt_yaml']['entities']} entities): {cell(point['mqtt_yaml'])}",
            f"values {times(_values_ratio(point))} the time, memory {times(_memory_ratio(point))}",
        )
        for point in figures["points"]
    ]


def _values_ratio(point: Figures) -> float | None:
    return stats.ratio(point["devicehub"]["ready_s"], point["mqtt_yaml"]["ready_s"])


def _memory_ratio(point: Figures) -> float | None:
    theirs = float(point["mqtt_yaml"]["memory_per_door_kib"])
    if theirs <= 0:
        return None  # nothing measurable to compare with
    return round(float(point["devicehub"]["memory_per_door_kib"]) / theirs, 2)


def aims(figures: Figures) -> list[Aim]:
    """Time to values and memory per door against HA MQTT YAML at every door count
    (the counts a run did not measure stay as open rows)."""
    measured = {point["doors"]: point for point in figures["points"]}
    found = []
    for count in COUNTS:
        point = measured.get(count)
        found += [
            Aim(
                f"setup curve, {count} doors: time to values vs HA MQTT YAML",
                None if point is None else _values_ratio(point),
                VALUES_RATIO_AIM,
                "x",
            ),
            Aim(
                f"setup curve, {count} doors: memory per door vs HA MQTT YAML",
                None if point is None else _memory_ratio(point),
                MEMORY_RATIO_AIM,
                "x",
            ),
        ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--port", type=int)
    parser.add_argument("--doors", type=int)
    args = parser.parse_args()
    quiet_logs()
    if args.case:
        print(json.dumps(run_case(args.case, args.port, args.doors)), flush=True)
    else:
        print(json_line("setup_curve", run_bench(args.quick)), flush=True)


if __name__ == "__main__":
    main()
