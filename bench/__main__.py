"""Run every benchmark, side by side with its baseline, and write the figures.

    python -m bench [--quick] [--only attendance_sync,setup_scale] [--out DIR] [--render]

Starts what it needs itself (simulators, Mosquitto, Home Assistant in this process) and
stops it all on exit, error or Ctrl-C. Writes <out>/latest.json (every figure) and
<out>/latest.md (the table), the attendance and door setup plots (docs/bench/), and
prints the table. --quick (under three minutes) writes quick.json / quick.md / a quick plot
under <out> instead, leaving the committed results alone.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import platform
import sys
import time
import traceback
from typing import Any

from homeassistant.const import __version__ as ha_version

from . import (
    attendance_sync,
    durable_delivery,
    external,
    lock_roundtrip,
    punch_latency,
    push_terminals,
    setup_curve,
    setup_scale,
    user_copy,
)
from .broker import version as mosquitto_version
from .hass import quiet_logs
from .plot import plot_attendance, plot_setup_curve
from .procs import ROOT, exit_on_sigterm
from .report import Aim, Figures, Row, render_markdown, render_text, write_json


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A benchmark module's entry points."""

    name: str
    run: Callable[[bool], Figures]
    rows: Callable[[Figures], list[Row]]
    aims: Callable[[Figures], list[Aim]]


BENCHMARKS = [
    *(
        Benchmark(m.__name__.rsplit(".", 1)[1], m.run_bench, m.rows, m.aims)
        for m in (
            attendance_sync,
            punch_latency,
            setup_scale,
            setup_curve,
            user_copy,
            durable_delivery,
        )
    ),
    # Owned by another module of bench/ and reused as it is (see bench.external).
    Benchmark(
        "mqtt_throughput", external.throughput, external.throughput_rows, external.throughput_aims
    ),
    Benchmark("lock_roundtrip", lock_roundtrip.run_bench, lock_roundtrip.rows, lock_roundtrip.aims),
    Benchmark("mqtt_roundtrip", external.roundtrip, external.roundtrip_rows, external.no_aims),
    Benchmark("mqtt_bridge", external.bridge, external.bridge_rows, external.bridge_aims),
    Benchmark("push_terminals", push_terminals.run_bench, push_terminals.rows, push_terminals.aims),
]
PLOT = ROOT / "docs" / "bench" / "attendance_sync.png"
SETUP_CURVE_PLOT = ROOT / "docs" / "bench" / "setup_curve.png"


def context(quick: bool) -> dict[str, str]:
    """Where and how the figures were measured (for the table's heading line)."""
    load = os.getloadavg()[0]
    return {
        "mode": "--quick" if quick else "full run",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "CPUs": str(os.cpu_count()),
        "load average at start": f"{load:.1f}",
        "Python": platform.python_version(),
        "Home Assistant": ha_version,
        "Mosquitto": mosquitto_version(),
    }


def run_all(chosen: list[Benchmark], quick: bool) -> dict[str, Any]:
    """Run the chosen benchmarks; a failing one is recorded and the others still run."""
    about = context(quick)
    started = time.monotonic()
    results: dict[str, Any] = {}
    failed = []
    for bench in chosen:
        print(f"==> {bench.name}", file=sys.stderr, flush=True)
        began = time.monotonic()
        try:
            figures = bench.run(quick)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(bench.name)
            results[bench.name] = {"error": traceback.format_exc(limit=3)}
            continue
        figures["seconds"] = round(time.monotonic() - began, 1)
        print(f"    {figures['seconds']} s", file=sys.stderr, flush=True)
        results[bench.name] = figures
    return {
        "context": about,
        "seconds": round(time.monotonic() - started, 1),
        "failed": failed,
        "benchmarks": results,
    }


def table(document: dict[str, Any]) -> tuple[list[Row], list[Aim]]:
    """Rows and aims of every benchmark that produced figures."""
    rows: list[Row] = []
    aims: list[Aim] = []
    for bench in BENCHMARKS:
        figures = document["benchmarks"].get(bench.name)
        if figures is not None and "error" not in figures:
            rows += bench.rows(figures)
            aims += bench.aims(figures)
    return rows, aims


def write(document: dict[str, Any], out: Path, quick: bool) -> tuple[list[Row], list[Aim]]:
    """<out>/latest.json and .md (or quick.*), and the attendance plot."""
    rows, aims = table(document)
    document["aims"] = [aim.as_dict() for aim in aims]
    stem = "quick" if quick else "latest"
    write_json(out / f"{stem}.json", document)
    markdown = render_markdown(rows, aims, document["context"])
    (out / f"{stem}.md").write_text(markdown, encoding="utf-8")
    attendance = document["benchmarks"].get("attendance_sync", {"error": "not run"})
    if "error" not in attendance:
        plot = out / "quick_attendance_sync.png" if quick else PLOT
        plot_attendance(attendance, plot, " (--quick)" if quick else "")
    curve = document["benchmarks"].get("setup_curve", {})
    if curve.get("points"):  # full run only
        plot_setup_curve(curve, SETUP_CURVE_PLOT)
    return rows, aims


def main() -> int:
    """Run, write, print; exit status 1 if a benchmark failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under two minutes")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--render", action="store_true", help="rewrite the table and plot from the last JSON"
    )
    args = parser.parse_args()
    exit_on_sigterm()
    quiet_logs()
    out = Path(args.out)
    stem = "quick" if args.quick else "latest"
    if args.render:
        document = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    else:
        chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only.split(",")]
        document = run_all(chosen, args.quick)
    rows, aims = write(document, out, args.quick)
    print(render_text(rows, aims))
    print(f"benchmarks in {document['seconds']} s; figures in {out / stem}.json")
    return 1 if document["failed"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # everything started was stopped on the way out
        print("interrupted", file=sys.stderr)
        sys.exit(130)
