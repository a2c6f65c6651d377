"""Run every benchmark, side by side with its baseline, and write the figures.

    python -m bench [--quick] [--only attendance_sync,setup_scale] [--out DIR]

Starts what it needs itself (simulators, Mosquitto, Home Assistant in this process) and
stops it all on exit, error or Ctrl-C. Writes <out>/latest.json (every figure) and
<out>/latest.md (the table), the attendance plot (docs/bench/attendance_sync.png), and
prints the table. --quick (under two minutes) writes quick.json / quick.md / a quick plot
under <out> instead, leaving the committed results alone.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
import os
from pathlib import Path
import platform
import sys
import time
import traceback
from typing import Any

from homeassistant.const import __version__ as ha_version

from . import attendance_sync, external, lock_roundtrip, punch_latency, setup_scale
from .broker import version as mosquitto_version
from .hass import quiet_logs
from .plot import plot_attendance
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
        for m in (attendance_sync, punch_latency, setup_scale)
    ),
    # Owned by another module of bench/ and reused as it is (see bench.external).
    Benchmark(
        "mqtt_throughput", external.throughput, external.throughput_rows, external.throughput_aims
    ),
    Benchmark("lock_roundtrip", lock_roundtrip.run_bench, lock_roundtrip.rows, lock_roundtrip.aims),
    Benchmark("mqtt_roundtrip", external.roundtrip, external.roundtrip_rows, external.no_aims),
]
PLOT = ROOT / "docs" / "bench" / "attendance_sync.png"


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


def main() -> int:
    """Run, write, print; exit status 1 if a benchmark failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under two minutes")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    exit_on_sigterm()
    quiet_logs()
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only.split(",")]
    about = context(args.quick)
    started = time.monotonic()
    results: dict[str, Any] = {}
    rows: list[Row] = []
    aims: list[Aim] = []
    failed = []
    for bench in chosen:
        print(f"==> {bench.name}", file=sys.stderr, flush=True)
        began = time.monotonic()
        try:
            figures = bench.run(args.quick)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(bench.name)
            results[bench.name] = {"error": traceback.format_exc(limit=3)}
            continue
        figures["seconds"] = round(time.monotonic() - began, 1)
        print(f"    {figures['seconds']} s", file=sys.stderr, flush=True)
        results[bench.name] = figures
        rows += bench.rows(figures)
        aims += bench.aims(figures)
    out = Path(args.out)
    stem = "quick" if args.quick else "latest"
    document = {
        "context": about,
        "seconds": round(time.monotonic() - started, 1),
        "failed": failed,
        "aims": [aim.as_dict() for aim in aims],
        "benchmarks": results,
    }
    write_json(out / f"{stem}.json", document)
    (out / f"{stem}.md").write_text(render_markdown(rows, aims, about), encoding="utf-8")
    if "attendance_sync" in results and "error" not in results["attendance_sync"]:
        plot = out / "quick_attendance_sync.png" if args.quick else PLOT
        plot_attendance(results["attendance_sync"], plot, " (--quick)" if args.quick else "")
    print(render_text(rows, aims))
    print(f"{len(chosen)} benchmarks in {document['seconds']} s; figures in {out / stem}.json")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # everything started was stopped on the way out
        print("interrupted", file=sys.stderr)
        sys.exit(130)
