"""Durable delivery: what making each punch durable before its announcement costs.

A punch is announced only once its delivery survives a kill. It is recorded in the cursor's
journal (a memory-mapped ring, journal.py) and the Store follows in the background; before,
each punch awaited a Store write. Measured here on Home Assistant's own Store and executor
(this process, a temporary config folder), per punch, side by side: the journaled step
(room check, advance, journal write), the old awaited Store write, and `advance` alone; and a
burst of punches journaled back to back until its background saves are done (wall time per
punch), with the cursor as it is in a catch-up burst (up to N ids since the last anchor).

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
        await cursor.async_load()
        await cursor.async_start_at(T0, [])
        journaled: list[float] = []
        store_write: list[float] = []
        in_memory: list[float] = []
        for n in range(punches):
            key = PunchKey(str(n), T0 + timedelta(seconds=n), 0)
            start = time.perf_counter()
            cursor.advance(key)
            in_memory.append(time.perf_counter() - start)
            start = time.perf_counter()
            await cursor.async_make_room()
            cursor.record_delivery(key)
            journaled.append(time.perf_counter() - start)
            await hass.async_block_till_done()  # its background save, outside the figure
            start = time.perf_counter()
            cursor.advance(key)
            await cursor.async_flush()  # the old way: an awaited Store write per punch
            store_write.append(time.perf_counter() - start)
        start = time.perf_counter()
        for n in range(punches, 2 * punches):
            await cursor.async_make_room()
            cursor.record_delivery(PunchKey(str(n), T0 + timedelta(seconds=n), 0))
        await hass.async_block_till_done()
        burst = (time.perf_counter() - start) / punches
        await cursor.async_remove()
    return {
        "journaled": _summary(journaled),
        "store_write": _summary(store_write),
        "in_memory": _summary(in_memory),
        "burst_per_punch": burst * 1000,
    }


def run_bench(quick: bool) -> Figures:
    """Per-punch cost of the durable cursor write."""
    return run(_measure(200 if quick else 2000))


def rows(figures: Figures) -> list[Row]:
    """Median and p99 per punch of the journaled step, against the old awaited write."""
    journaled, written, memory = (
        figures["journaled"],
        figures["store_write"],
        figures["in_memory"],
    )
    return [
        Row(
            "durable delivery",
            f"journaled before each punch is announced, {journaled['n']} punches; a burst "
            f"of {journaled['n']} with its background saves: "
            f"{millis(figures['burst_per_punch'])} per punch",
            f"median {millis(journaled['median'])}, p99 {millis(journaled['p99'])}",
            f"Store write awaited per punch (before): median {millis(written['median'])}, "
            f"p99 {millis(written['p99'])}; in memory only: median {millis(memory['median'])}",
        )
    ]


def aims(figures: Figures) -> list[Aim]:
    """Making a punch durable costs at most a quarter of a millisecond of the event loop."""
    return [Aim("durable delivery median per punch", figures["journaled"]["median"], 0.25, "ms")]


if __name__ == "__main__":
    run_alone("durable_delivery", __doc__, run_bench)
