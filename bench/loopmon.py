"""Event loop health while a benchmark runs: ticker lag and the longest single callback.

A ticker task sleeps `interval` again and again and records how late it wakes (what any
timer or message handler of Home Assistant would suffer). A light wrapper around
asyncio's Handle._run times every callback and keeps the slowest ones with a name: that
tells which code stalled the loop (asyncio's own debug mode would do the same but slows
everything down by capturing a traceback per call). Python's garbage collections are
timed too (gc.callbacks): a full collection stops every thread for a time that grows with
the whole heap, inside whatever callback happens to allocate, so each callback's time is
also given without the collections that ran during it ("own" time).
"""

from __future__ import annotations

import asyncio
from asyncio.events import Handle
from collections.abc import Callable
import contextlib
import functools
import gc
import time
from typing import Any

from .stats import percentile

SLOW_CALLBACK = 0.05  # seconds; callbacks slower than this are kept, with their names
MAX_KEPT = 20


def describe(handle: Handle) -> str:
    """A short name for what a handle runs: the task's coroutine, or the callback."""
    callback: Any = getattr(handle, "_callback", None)
    while isinstance(callback, functools.partial):
        callback = callback.func
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        name = getattr(coro, "__qualname__", None) or type(coro).__name__
        return f"task {name}"
    return str(getattr(callback, "__qualname__", None) or callback)


class LoopMonitor:
    """Measures one event loop between start() and stop(); then read `figures()`."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self.slow: list[tuple[float, float, str]] = []
        self.longest = 0.0
        self.longest_what = ""
        self._original: Callable[[Handle], None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.gc_pauses: list[float] = []
        self.gc_time = 0.0
        self._gc_started = 0.0
        self.longest_own = 0.0
        self.longest_own_what = ""

    def start(self) -> None:
        """Begin measuring the running loop."""
        original = Handle._run
        self._original = original
        monitor = self

        def timed_run(handle: Handle) -> None:
            collecting = monitor.gc_time
            started = time.perf_counter()
            original(handle)
            took = time.perf_counter() - started
            if took > SLOW_CALLBACK:
                monitor.note_slow(took, took - (monitor.gc_time - collecting), handle)

        Handle._run = timed_run  # type: ignore[method-assign,assignment]
        gc.callbacks.append(self._gc_event)
        self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="bench ticker")

    def note_slow(self, took: float, own: float, handle: Handle) -> None:
        """Keep a slow callback (the slowest MAX_KEPT); own: without garbage collection."""
        what = describe(handle)
        if took > self.longest:
            self.longest, self.longest_what = took, what
        if own > self.longest_own:
            self.longest_own, self.longest_own_what = own, what
        self.slow.append((took, own, what))
        if len(self.slow) > MAX_KEPT:
            self.slow.sort(reverse=True)
            del self.slow[MAX_KEPT:]

    def _gc_event(self, phase: str, info: dict[str, int]) -> None:
        """Time every garbage collection (any thread): it stops every thread."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            pause = time.perf_counter() - self._gc_started
            self.gc_pauses.append(pause)
            self.gc_time += pause

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - before - self.interval))

    async def stop(self) -> None:
        """Stop measuring (idempotent)."""
        if self._original is not None:
            Handle._run = self._original  # type: ignore[method-assign,assignment]
            self._original = None
            gc.callbacks.remove(self._gc_event)
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    def reset(self) -> None:
        """Forget what was measured so far (keep measuring)."""
        self.lags.clear()
        self.slow.clear()
        self.longest, self.longest_what = 0.0, ""
        self.longest_own, self.longest_own_what = 0.0, ""
        self.gc_pauses.clear()

    def figures(self) -> dict[str, Any]:
        """Lag p99/max and the longest callback, in milliseconds."""
        lags = self.lags or [0.0]
        return {
            "loop_lag_p99_ms": round(percentile(lags, 0.99) * 1000, 1),
            "loop_lag_max_ms": round(max(lags) * 1000, 1),
            "longest_callback_ms": round(self.longest * 1000, 1),
            "longest_callback": self.longest_what,
            "longest_own_ms": round(self.longest_own * 1000, 1),
            "longest_own": self.longest_own_what,
            "gc_count": len(self.gc_pauses),
            "gc_longest_ms": round(max(self.gc_pauses, default=0.0) * 1000, 1),
            "gc_total_ms": round(sum(self.gc_pauses) * 1000, 1),
            "slow_callbacks": [
                [round(took * 1000, 1), round(own * 1000, 1), what]
                for took, own, what in sorted(self.slow, reverse=True)
            ],
        }
