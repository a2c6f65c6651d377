"""Live punch latency: a punch at a simulated terminal -> the event entity fires in HA.

Terminals run in a device process; each punch is stamped (CLOCK_MONOTONIC, shared by all
processes) right after the simulator pushed it, and again when the terminal's event entity
changes state in Home Assistant. Punches come at random gaps per terminal (above the
simulator's 50 ms pacing of events, so no punch waits behind another at the device), once
with 1 terminal capturing and once with 20 capturing at the same time.

Baseline: pyzk's own live_capture() loop (what a script using pyzk would do) on the same
simulator, for the 1-terminal case: the device and loopback cost without Home Assistant.

    python -m bench.punch_latency [--quick]
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.setup import async_setup_component

from custom_components.devicehub.const import DOMAIN

from . import stats
from .broker import mosquitto
from .hass import (
    add_entries,
    async_wait_ready,
    entry_entity_ids,
    home_assistant,
    run,
    run_alone,
    terminal_entry,
)
from .procs import Child, child
from .report import Aim, Figures, Row, millis, times

PUNCHES = 500
QUICK_PUNCHES = 100
# Seconds between punches at one terminal: above the simulator's 50 ms event pacing.
GAPS = {1: (0.06, 0.10), 20: (0.15, 0.45)}
QUICK_FLOOR_PUNCHES = 50
WAIT_SLACK = 30.0


class Arrivals:
    """Monotonic ns at which each (serial, user_id) punch fired its event entity."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.seen: dict[tuple[str, str], int] = {}
        self._changed = asyncio.Event()
        self._unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, self._state_changed)

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        now = time.monotonic_ns()
        state = event.data["new_state"]
        if state is None or state.domain != "event":
            return
        serial, user = state.attributes.get("serial_number"), state.attributes.get("user_id")
        if serial is not None and user is not None:
            self.seen.setdefault((str(serial), str(user)), now)
            self._changed.set()

    async def wait_for(self, keys: set[tuple[str, str]], timeout: float) -> None:  # noqa: ASYNC109
        """Wait until every key arrived (TimeoutError otherwise)."""
        async with asyncio.timeout(timeout):
            while not keys <= self.seen.keys():
                self._changed.clear()
                await self._changed.wait()

    def close(self) -> None:
        """Stop listening."""
        self._unsub()


async def _schedule(
    devices: Child, serials: list[str], arrivals: Arrivals, command: dict[str, Any]
) -> list[float]:
    """Run a punch schedule at the devices; latencies in seconds."""
    timeout = command["per_terminal"] * command["gap"][1] + WAIT_SLACK
    answer = await devices.async_request(timeout, op="schedule", **command)
    injected = {(serials[t], pin): ns for t, pin, ns in answer["injected"]}
    await arrivals.wait_for(set(injected), WAIT_SLACK)
    return [(arrivals.seen[key] - ns) / 1e9 for key, ns in injected.items()]


async def measure_devicehub(terminals: int, punches: int, broker_port: int) -> Figures:
    """Latencies with `terminals` capturing, punches spread over them."""
    per_terminal = max(1, punches // terminals)
    with child(
        "bench.devices", "--terminals", str(terminals), "--users", str(per_terminal + 1)
    ) as devices:
        found = devices.read_json(timeout=120.0)["terminals"]
        serials = [t["serial"] for t in found]
        async with home_assistant(broker_port) as hass:
            entries = add_entries(
                hass,
                (terminal_entry(t["port"], t["serial"], f"T{i}") for i, t in enumerate(found)),
            )
            assert await async_setup_component(hass, DOMAIN, {})
            await async_wait_ready(hass, lambda: entry_entity_ids(hass, entries), values=False)
            assert (await devices.async_request(op="wait_listeners"))["ok"]
            arrivals = Arrivals(hass)
            everyone = list(range(terminals))
            # One punch per terminal first: capture connected and caught up everywhere.
            warm = {"terminals": everyone, "per_terminal": 1, "gap": [0.0, 0.01], "seed": 0}
            await _schedule(devices, serials, arrivals, warm)
            command = {
                "terminals": everyone,
                "per_terminal": per_terminal,
                "gap": list(GAPS.get(terminals, GAPS[20])),
                "first_user": 1,
                "seed": 1,
            }
            latencies = await _schedule(devices, serials, arrivals, command)
            arrivals.close()
    return {"terminals": terminals, **stats.summarize(latencies, 1000)}


def _pyzk_capture(port: int, count: int, seen: dict[str, int], ready: threading.Event) -> None:
    from zk import ZK

    connection = ZK("127.0.0.1", port=port, timeout=10, ommit_ping=True).connect()
    ready.set()
    for event in connection.live_capture(new_timeout=5):
        if event is None:
            break
        seen.setdefault(str(event.user_id), time.monotonic_ns())
        if len(seen) >= count:
            connection.end_live_capture = True
    connection.disconnect()


def measure_pyzk(punches: int) -> Figures:
    """pyzk's live_capture() on one terminal, same schedule: the floor without HA."""
    with child("bench.devices", "--terminals", "1", "--users", str(punches + 1)) as devices:
        port = int(devices.read_json(timeout=120.0)["terminals"][0]["port"])
        seen: dict[str, int] = {}
        ready = threading.Event()
        reader = threading.Thread(target=_pyzk_capture, args=(port, punches, seen, ready))
        reader.start()
        try:
            ready.wait(30.0)
            assert devices.request(op="wait_listeners")["ok"]
            command = {"terminals": [0], "per_terminal": punches, "gap": list(GAPS[1])}
            answer = devices.request(punches * GAPS[1][1] + WAIT_SLACK, op="schedule", **command)
        finally:
            reader.join(WAIT_SLACK)
    injected = {pin: ns for _t, pin, ns in answer["injected"]}
    latencies = [(seen[pin] - ns) / 1e9 for pin, ns in injected.items() if pin in seen]
    return {
        "terminals": 1,
        "lost": len(injected) - len(latencies),
        **stats.summarize(latencies, 1000),
    }


async def _devicehub_cases(punches: int) -> list[Figures]:
    with mosquitto() as port:
        return [await measure_devicehub(n, punches, port) for n in (1, 20)]


def run_bench(quick: bool) -> Figures:
    """Both cases and the pyzk floor."""
    punches = QUICK_PUNCHES if quick else PUNCHES
    one, twenty = run(_devicehub_cases(punches))
    floor = measure_pyzk(QUICK_FLOOR_PUNCHES if quick else punches)
    return {"punches": punches, "devicehub_1": one, "devicehub_20": twenty, "pyzk_1": floor}


def rows(figures: Figures) -> list[Row]:
    """Median / p99 / max per case, against pyzk's loop."""
    floor = figures["pyzk_1"]
    out = []
    for key in ("devicehub_1", "devicehub_20"):
        case = figures[key]
        out.append(
            Row(
                "punch latency",
                f"{case['terminals']} terminal(s), {case['n']} punches",
                f"median {millis(case['median'])}, p99 {millis(case['p99'])}, "
                f"max {millis(case['max'])}",
                f"pyzk live_capture (1 terminal): median {millis(floor['median'])}, "
                f"p99 {millis(floor['p99'])}",
                f"median {times(stats.ratio(case['median'], floor['median']))}",
            )
        )
    return out


def aims(figures: Figures) -> list[Aim]:
    """p99 with 20 terminals."""
    return [Aim("punch latency p99, 20 terminals", figures["devicehub_20"]["p99"], 250, "ms")]


if __name__ == "__main__":
    run_alone("punch_latency", __doc__, run_bench)
