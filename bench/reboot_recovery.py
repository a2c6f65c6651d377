"""Reboot recovery: a terminal reboots -> how long until live punches flow again.

A simulated terminal reboots (``sim.reboot(down_for=N)``, N = 5 s and 30 s): it forgets
every session without closing it (the live connection turns into a black hole) and refuses
new connections for N seconds. From the reboot on, someone punches every 100 ms, each punch
by another user, until one arrives live. Figures: the time from the terminal being up again
(reboot + N) to that first live punch, and from the reboot itself; medians over runs.

Two layers, both with the production settings of terminal/ (watchdog, heartbeat, timeout,
retry backoff):
- ``live_capture``: the client layer's LiveCapture alone; it has no catch-up, so punches
  missed meanwhile stay in the terminal's log only.
- ``home_assistant``: a terminal entry in Home Assistant (in this process, MQTT on a real
  broker as the integration requires); punches missed meanwhile must be delivered late,
  exactly once, by the catch-up (checked after one more forced catch-up).

Each run reboots at a random point of the heartbeat cycle (seeded); every run of every case
goes in parallel, each with its own simulator, so the whole takes about one watchdog period.
No poll of the coordinator falls in the measured window (they come every 5 min while live
capture is connected); one that does waits out the timeout on the dead call connection and
holds the catch-up, so the first live punch, back that long.

    python -m bench.reboot_recovery [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass, field
import inspect
import random
import statistics
import time
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.setup import async_setup_component

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.punch import Punch
from custom_components.devicehub.terminal.const import (
    DEFAULT_TIMEOUT,
    LIVE_HEARTBEAT_SECONDS,
    LIVE_WATCHDOG_SECONDS,
)
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from custom_components.devicehub.zk import LiveCapture, TerminalConfig
from tools.zksim import SimulatorConfig, TerminalSimulator, User

from .broker import mosquitto
from .hass import add_entries, home_assistant, quiet_logs, run, terminal_entry
from .report import Aim, Figures, Row, json_line, seconds

DOWN_FOR = (5.0, 30.0)
RUNS = 5
QUICK_RUNS = 2
PUNCH_EVERY = 0.1
# Users enrolled per simulator, one per punch: enough for this many seconds of punching.
USERS = 2000
# A run gives up when no live punch arrived this long after the reboot.
RECOVERY_DEADLINE = 180.0
# Home Assistant: how long the missed punches may take to be caught up once live is back.
CATCH_UP_DEADLINE = 60.0
READY_DEADLINE = 60.0
SEED = 4
# LiveCapture's retry backoff: terminal/runtime.py leaves it at the class default.
RETRY_BACKOFF: tuple[float, float] = (
    inspect.signature(LiveCapture).parameters["retry_backoff"].default
)

type Layer = str  # "live_capture" or "home_assistant"


@dataclass
class Run:
    """One reboot of one simulator, and every punch made and delivered around it."""

    layer: Layer
    down_for: float
    sim: TerminalSimulator
    phase: float  # seconds waited after warm-up before the reboot
    first_live: asyncio.Future[float]
    pins: list[str]
    injected: dict[str, float] = field(default_factory=dict)  # pin -> monotonic time
    deliveries: list[tuple[str, float, bool]] = field(default_factory=list)  # pin, time, late
    rebooted_at: float | None = None
    runtime: TerminalRuntime | None = None

    def deliver(self, pin: str, late: bool) -> None:
        """Note a delivered punch; the first live one after the reboot ends the wait."""
        now = time.monotonic()
        self.deliveries.append((pin, now, late))
        rebooted = self.rebooted_at
        if (
            not late
            and rebooted is not None
            and self.injected.get(pin, 0.0) >= rebooted
            and not self.first_live.done()
        ):
            self.first_live.set_result(now)

    def next_pin(self) -> str:
        """The PIN of a user who has not punched yet."""
        return self.pins[len(self.injected)] if len(self.injected) < len(self.pins) else "0"

    def inject(self) -> str:
        """Someone punches now."""
        pin = self.next_pin()
        self.injected[pin] = time.monotonic()
        self.sim.inject_punch(pin)
        return pin


def _simulator(index: int) -> TerminalSimulator:
    sim = TerminalSimulator(SimulatorConfig(users=0, serial=f"REBOOT{index:04d}", seed=index))
    sim.add_users(User(uid=n + 1, user_id=str(100_000 + n), name=f"P{n}") for n in range(USERS))
    return sim.start()


def _new_run(layer: Layer, down_for: float, index: int, rng: random.Random) -> Run:
    sim = _simulator(index)
    return Run(
        layer=layer,
        down_for=down_for,
        sim=sim,
        phase=rng.uniform(0.0, LIVE_HEARTBEAT_SECONDS),
        first_live=asyncio.get_running_loop().create_future(),
        pins=[user.user_id for user in sim.users],
    )


async def _wait_until(check: Any, what: str, timeout: float = READY_DEADLINE) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not {what} after {timeout} s")
        await asyncio.sleep(0.02)


async def _punch_until_live(run: Run) -> None:
    """Warm up, reboot at the run's phase, punch every 100 ms until one arrives live."""
    warm = run.inject()
    await _wait_until(lambda: any(pin == warm for pin, _t, _l in run.deliveries), "warm")
    await asyncio.sleep(run.phase)
    run.rebooted_at = time.monotonic()
    await asyncio.to_thread(run.sim.reboot, run.down_for)
    start = time.monotonic()
    ticks = 0
    while not run.first_live.done():
        if time.monotonic() - start > RECOVERY_DEADLINE:
            return
        run.inject()
        ticks += 1
        delay = start + ticks * PUNCH_EVERY - time.monotonic()
        await asyncio.wait([run.first_live], timeout=max(delay, 0.0))


# --- the client layer alone ----------------------------------------------------------------


async def _live_capture_run(run: Run) -> None:
    loop = asyncio.get_running_loop()
    config = TerminalConfig(host=run.sim.host, port=run.sim.port, timeout=DEFAULT_TIMEOUT)
    capture = LiveCapture(
        config,
        loop,
        on_event=lambda event: run.deliver(event.user_id, late=False),
        on_connection_change=lambda connected: None,
        watchdog_seconds=LIVE_WATCHDOG_SECONDS,
        heartbeat_seconds=LIVE_HEARTBEAT_SECONDS,
    )
    capture.start()
    try:
        await _wait_until(lambda: capture.connected, "capturing")
        await _punch_until_live(run)
    finally:
        await asyncio.to_thread(capture.stop)


# --- Home Assistant --------------------------------------------------------------------------


async def _home_assistant_runs(runs: list[Run]) -> None:
    with mosquitto() as broker_port:
        async with home_assistant(broker_port) as hass:
            entries = add_entries(
                hass,
                (
                    terminal_entry(run.sim.port, run.sim.config.serial, f"Reboot {n}")
                    for n, run in enumerate(runs)
                ),
            )
            assert await async_setup_component(hass, DOMAIN, {})
            await _wait_until(
                lambda: all(getattr(e, "runtime_data", None) is not None for e in entries),
                "set up",
            )
            for entry, run in zip(entries, runs, strict=True):
                run.runtime = entry.runtime_data
            await asyncio.gather(*(_home_assistant_run(hass, run) for run in runs))


async def _home_assistant_run(hass: HomeAssistant, run: Run) -> None:
    runtime = run.runtime
    assert runtime is not None

    @callback
    def delivered(punch: Punch) -> None:
        run.deliver(punch.user_id, punch.late)

    unsubscribe = runtime.delivery.async_add_listener(delivered)
    try:
        await _wait_until(lambda: runtime.live_connected, "capturing")
        await asyncio.wait_for(runtime.async_catch_up(), READY_DEADLINE)
        # Poll once more: the next poll is then due at the live-capture pace (5 min), as
        # after any poll in production, not at the setup's first interval (1 min), which
        # would land in the reboot and hold the worker on the dead connection for a timeout.
        await runtime.coordinator.async_refresh()
        await _punch_until_live(run)
        if not run.first_live.done():
            return
        # Every punch made: delivered once? A forced catch-up more would show a duplicate.
        await _wait_until(
            lambda: set(run.injected) <= {pin for pin, _t, _l in run.deliveries},
            "caught up",
            CATCH_UP_DEADLINE,
        )
        runtime.delivery.mark_gap()
        await asyncio.wait_for(runtime.async_catch_up(), CATCH_UP_DEADLINE)
    finally:
        unsubscribe()


# --- figures ---------------------------------------------------------------------------------


def _run_figures(run: Run) -> Figures:
    rebooted = run.rebooted_at
    assert rebooted is not None
    up = rebooted + run.down_for
    first = run.first_live.result() if run.first_live.done() else None
    after_reboot = {pin: at for pin, at in run.injected.items() if at >= rebooted}
    counts = Counter(pin for pin, _t, _l in run.deliveries if pin in after_reboot)
    late = {pin for pin, _t, is_late in run.deliveries if is_late}
    live = {pin for pin, _t, is_late in run.deliveries if not is_late}
    figures: Figures = {
        "phase_s": round(run.phase, 2),
        "from_up_s": None if first is None else round(first - up, 2),
        "from_reboot_s": None if first is None else round(first - rebooted, 2),
        "punches": len(after_reboot),
        "live": len(live & after_reboot.keys()),
    }
    # Punches the live link missed: made while the terminal was down, or up but not yet
    # captured again (before the first live one).
    missed_down = [pin for pin, at in after_reboot.items() if at < up]
    missed_up = [
        pin
        for pin, at in after_reboot.items()
        if at >= up and pin not in live and (first is None or at < first)
    ]
    if run.layer == "live_capture":
        figures["missed"] = len(missed_down) + len(missed_up)
        return figures
    missed = missed_down + missed_up
    figures.update(
        missed_while_down=len(missed_down),
        missed_while_up=len(missed_up),
        missed_late_once=sum(1 for pin in missed if counts[pin] == 1 and pin in late),
        duplicates=sum(1 for count in counts.values() if count > 1),
        undelivered=sum(1 for pin in after_reboot if counts[pin] == 0),
    )
    figures["missed_delivered_late_exactly_once"] = (
        figures["missed_late_once"] == len(missed)
        and figures["duplicates"] == 0
        and figures["undelivered"] == 0
    )
    return figures


def _spread(values: list[float | None]) -> Figures | None:
    measured = [value for value in values if value is not None]
    if not measured:
        return None
    return {
        "median": round(statistics.median(measured), 2),
        "min": round(min(measured), 2),
        "max": round(max(measured), 2),
        "n": len(measured),
    }


def _case_figures(layer: Layer, down_for: float, runs: list[Run]) -> Figures:
    per_run = [_run_figures(run) for run in runs]
    case: Figures = {
        "layer": layer,
        "down_for_s": down_for,
        "from_up_s": _spread([r["from_up_s"] for r in per_run]),
        "from_reboot_s": _spread([r["from_reboot_s"] for r in per_run]),
        "recovered": sum(1 for r in per_run if r["from_up_s"] is not None),
        "runs": per_run,
    }
    if layer == "home_assistant":
        case["missed_delivered_late_exactly_once"] = all(
            r["missed_delivered_late_exactly_once"] for r in per_run
        )
    return case


async def _measure(runs_per_case: int) -> list[Figures]:
    rng = random.Random(SEED)
    layers: tuple[Layer, ...] = ("live_capture", "home_assistant")
    cases: dict[tuple[Layer, float], list[Run]] = {}
    index = 0
    for layer in layers:
        for down_for in DOWN_FOR:
            runs = []
            for _ in range(runs_per_case):
                runs.append(_new_run(layer, down_for, index, rng))
                index += 1
            cases[layer, down_for] = runs
    everything = [run for runs in cases.values() for run in runs]
    direct = [run for run in everything if run.layer == "live_capture"]
    in_home_assistant = [run for run in everything if run.layer == "home_assistant"]
    try:
        await asyncio.gather(
            _home_assistant_runs(in_home_assistant), *(_live_capture_run(r) for r in direct)
        )
    finally:
        await asyncio.gather(*(asyncio.to_thread(run.sim.stop) for run in everything))
    return [_case_figures(layer, n, runs) for (layer, n), runs in cases.items()]


def run_bench(quick: bool, runs: int | None = None) -> Figures:
    """Every case; --quick makes fewer runs per case (the time is one watchdog either way)."""
    count = runs or (QUICK_RUNS if quick else RUNS)
    started = time.monotonic()
    cases = run(_measure(count))
    return {
        "settings": {
            "watchdog_s": LIVE_WATCHDOG_SECONDS,
            "heartbeat_s": LIVE_HEARTBEAT_SECONDS,
            "timeout_s": DEFAULT_TIMEOUT,
            "retry_backoff_s": list(RETRY_BACKOFF),
            "punch_every_s": PUNCH_EVERY,
            "runs_per_case": count,
        },
        "cases": cases,
        "seconds": round(time.monotonic() - started, 1),
    }


def rows(figures: Figures) -> list[Row]:
    """Median time to the first live punch after the terminal is up, per layer and down time."""
    settings = figures["settings"]
    baseline = f"watchdog {settings['watchdog_s']:g} s, heartbeat {settings['heartbeat_s']:g} s"
    out = []
    for case in figures["cases"]:
        from_up, from_reboot = case["from_up_s"], case["from_reboot_s"]
        text = (
            f"median {seconds(from_up['median'])} after up, "
            f"{seconds(from_reboot['median'])} after the reboot"
            if from_up and from_reboot
            else "no recovery"
        )
        if case["layer"] == "home_assistant":
            once = case["missed_delivered_late_exactly_once"]
            text += "; missed punches late exactly once" if once else "; MISSED PUNCHES WRONG"
        out.append(
            Row(
                "reboot recovery",
                f"{case['layer']}, down {case['down_for_s']:g} s",
                text,
                baseline,
            )
        )
    return out


def aims(figures: Figures) -> list[Aim]:
    """None yet: the figure is for issue 4."""
    return []


def main() -> None:
    """Run alone: one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None, help="runs per case")
    arguments = parser.parse_args()
    quiet_logs()
    print(json_line("reboot_recovery", run_bench(arguments.quick, arguments.runs)), flush=True)


if __name__ == "__main__":
    main()
