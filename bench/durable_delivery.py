"""Durable delivery: what writing the attendance cursor before each punch costs.

A punch is announced only once its delivery is in the cursor's Store (a crash right after
cannot fire it again). Before, the cursor was written 2 s later, once per burst. Measured
here on Home Assistant's own Store and executor (this process, a temporary config folder):
the time per punch of `advance` + the awaited write, against `advance` alone (the delayed
write's share per punch is close to nothing), with the cursor as it is in a catch-up burst
(up to N ids since the last anchor in the file).

    python -m bench.durable_delivery [--quick]
"""

from __future__ import annotations

from datetime import datetime, timedelta
import statistics
import time

from custom_components.devicehub.terminal.cursor import AttendanceCursor, PunchKey

from .hass import home_assistant, run, run_alone
from .report import Aim, Figures, Row, millis

T0 = datetime(2026, 3, 2, 8, 0, 0)


def _summary(samples: list[float]) -> dict[str, float]:
    """Milliseconds per punch."""
    ordered = sorted(sample * 1000 for sample in samples)
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "mean": statistics.fmean(ordered),
    }


async def _measure(punches: int) -> Figures:
    async with home_assistant() as hass:
        cursor = AttendanceCursor(hass, "bench")
        await cursor.async_start_at(T0, [])
        durable: list[float] = []
        in_memory: list[float] = []
        for n in range(punches):
            key = PunchKey(str(n), T0 + timedelta(seconds=n), 0)
            start = time.perf_counter()
            cursor.advance(key)
            in_memory.append(time.perf_counter() - start)
            start = time.perf_counter()
            cursor.advance(key)
            await cursor.async_flush()
            durable.append(time.perf_counter() - start)
        await cursor.async_remove()
    return {"durable": _summary(durable), "in_memory": _summary(in_memory)}


def run_bench(quick: bool) -> Figures:
    """Per-punch cost of the durable cursor write."""
    return run(_measure(200 if quick else 2000))


def rows(figures: Figures) -> list[Row]:
    """Median and p99 per punch, against the in-memory step alone."""
    durable, memory = figures["durable"], figures["in_memory"]
    return [
        Row(
            "durable delivery",
            f"cursor written before each punch is announced, {durable['n']} punches",
            f"median {millis(durable['median'])}, p99 {millis(durable['p99'])}",
            f"in memory only (written 2 s later): median {millis(memory['median'])}",
        )
    ]


def aims(figures: Figures) -> list[Aim]:
    """A burst of 100 punches spends at most half a second on its writes."""
    return [Aim("durable delivery median per punch", figures["durable"]["median"], 5, "ms")]


if __name__ == "__main__":
    run_alone("durable_delivery", __doc__, run_bench)
