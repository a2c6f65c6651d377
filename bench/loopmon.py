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

# Callbacks slower than this are kept, with their names (issue 17: none of devicehub's
# own callbacks over 20 ms during setup).
SLOW_CALLBACK = 0.02  # seconds
OWN_PACKAGE = "custom_components.devicehub"
MAX_KEPT = 1000  # slow callbacks kept (bounded memory)
FULL_GENERATION = 2  # CPython's oldest generation: a full collection


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


def module_of(handle: Handle) -> str:
    """The module of what a handle runs (its task's coroutine, or the callback).

    A config entry's setup runs in Home Assistant's ConfigEntry task: while the task is
    suspended there, it is named after the entry's domain (``custom_components.<domain>``),
    so that devicehub's own setup steps are told apart from Home Assistant's.
    """
    callback: Any = getattr(handle, "_callback", None)
    while isinstance(callback, functools.partial):
        callback = callback.func
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        frame = getattr(coro, "cr_frame", None)
        if frame is None:
            return ""
        qualname = str(getattr(coro, "__qualname__", ""))
        entry = frame.f_locals.get("self") if qualname.startswith("ConfigEntry.") else None
        if (domain := getattr(entry, "domain", None)) is not None:
            return f"custom_components.{domain}"
        return str(frame.f_globals.get("__name__", ""))
    return str(getattr(callback, "__module__", "") or "")


def own_step_end(handle: Handle) -> str:
    """Where devicehub's innermost coroutine of a task handle waits now (module:line): after a
    slow step, the await that ended it, which tells the step apart from the entry's others."""
    callback: Any = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if not isinstance(owner, asyncio.Task):
        return ""
    found = ""
    awaited: Any = owner.get_coro()
    while (frame := getattr(awaited, "cr_frame", None)) is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(OWN_PACKAGE):
            found = f"{module.removeprefix(OWN_PACKAGE + '.')}:{frame.f_lineno}"
        awaited = getattr(awaited, "cr_await", None)
    return found


def overlap(start: float, end: float, intervals: list[tuple[float, float]]) -> float:
    """Seconds of [start, end] covered by the (disjoint) intervals."""
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in intervals)


class LoopLag:
    """How late the running event loop wakes a ticker task: its responsiveness, nothing else.

    Light enough to run while CPU time is measured (no wrapper around every callback).
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._ticker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin measuring the running loop (forgets the lags of an earlier run)."""
        self.lags.clear()
        self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="bench ticker")

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - before - self.interval))

    async def stop(self) -> None:
        """Stop measuring (idempotent)."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None


class LoopMonitor(LoopLag):
    """Measures one event loop between start() and stop(); then read `figures()`.

    Garbage collections are told apart from a callback's own time by overlap in time, not
    by counting inside the callback: the thread that collected may hand the GIL over
    before its "stop" notification runs.
    """

    def __init__(self, interval: float = 0.005) -> None:
        super().__init__(interval)
        self.slow: list[tuple[float, float, str]] = []  # start, end, what
        self.own_slow: list[tuple[float, float, str]] = []  # devicehub's own among them
        self.own_cpu: list[tuple[float, float, float]] = []  # start, end, loop thread CPU
        self.gc_intervals: list[tuple[float, float]] = []
        self.gc_full = 0  # collections of the oldest generation
        self._gc_started = 0.0
        self._original: Callable[[Handle], None] | None = None

    def start(self) -> None:
        """Begin measuring the running loop."""
        original = Handle._run
        self._original = original
        slow, own_slow, own_cpu = self.slow, self.own_slow, self.own_cpu

        def timed_run(handle: Handle) -> None:
            # Read before the step runs: a task that ends with it has no frame left after.
            module = module_of(handle)
            # devicehub's steps only: where the step resumes (cheap, but not for every handle).
            resumed = own_step_end(handle) if module.startswith(OWN_PACKAGE) else ""
            started, cpu_started = time.perf_counter(), time.thread_time()
            original(handle)
            ended = time.perf_counter()
            if ended - started > SLOW_CALLBACK and len(slow) < MAX_KEPT:
                what = describe(handle)
                if module.startswith(OWN_PACKAGE):
                    # CPU of the loop's thread: the rest of the step's time it waited for
                    # the GIL (worker threads) or for a collection.
                    cpu = time.thread_time() - cpu_started
                    where = own_step_end(handle) or "its end"
                    what += f" (from {resumed or 'its start'} to {where}, CPU {cpu * 1000:.1f} ms)"
                    own_slow.append((started, ended, what))
                    own_cpu.append((started, ended, cpu))
                slow.append((started, ended, what))

        Handle._run = timed_run  # type: ignore[method-assign,assignment]
        gc.callbacks.append(self._gc_event)
        super().start()

    def _gc_event(self, phase: str, info: dict[str, int]) -> None:
        """Time every garbage collection (any thread): it stops every thread."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            self.gc_intervals.append((self._gc_started, time.perf_counter()))
            self._gc_started = 0.0
            if info.get("generation") == FULL_GENERATION:
                self.gc_full += 1

    async def stop(self) -> None:
        """Stop measuring (idempotent)."""
        if self._original is not None:
            Handle._run = self._original  # type: ignore[method-assign,assignment]
            self._original = None
            gc.callbacks.remove(self._gc_event)
        await super().stop()

    def callbacks(self) -> list[tuple[float, float, str]]:
        """(seconds, seconds without garbage collection, what) per slow callback, slowest
        first."""
        timed = [
            (end - start, end - start - overlap(start, end, self.gc_intervals), what)
            for start, end, what in self.slow
        ]
        return sorted(timed, reverse=True)

    def figures(self) -> dict[str, Any]:
        """Lag p99/max, the longest callback with and without GC, in milliseconds."""
        lags = self.lags or [0.0]
        timed = self.callbacks()
        longest = timed[0] if timed else (0.0, 0.0, "")
        own = max(timed, key=lambda item: item[1], default=(0.0, 0.0, ""))
        pauses = [end - start for start, end in self.gc_intervals]
        ours = max(
            (
                (end - start - overlap(start, end, self.gc_intervals), what)
                for start, end, what in self.own_slow
            ),
            default=(0.0, ""),
        )
        return {
            "loop_lag_p99_ms": round(percentile(lags, 0.99) * 1000, 1),
            "loop_lag_max_ms": round(max(lags) * 1000, 1),
            "longest_callback_ms": round(longest[0] * 1000, 1),
            "longest_callback": longest[2],
            "longest_own_ms": round(own[1] * 1000, 1),
            "longest_own": own[2],
            "longest_devicehub_ms": round(ours[0] * 1000, 1),
            "longest_devicehub": ours[1],
            # Steps under SLOW_CALLBACK are not kept: none of them used more CPU than that.
            # A collection run by the loop's thread counts in its CPU: taken out as above.
            "longest_devicehub_cpu_ms": round(
                max(
                    (
                        max(0.0, cpu - overlap(start, end, self.gc_intervals))
                        for start, end, cpu in self.own_cpu
                    ),
                    default=0.0,
                )
                * 1000,
                1,
            ),
            "gc_count": len(pauses),
            "gc_full_count": self.gc_full,
            "gc_longest_ms": round(max(pauses, default=0.0) * 1000, 1),
            "gc_total_ms": round(sum(pauses) * 1000, 1),
            "slow_callbacks": [
                [round(took * 1000, 1), round(own_time * 1000, 1), what]
                for took, own_time, what in timed[:10]
            ],
        }
