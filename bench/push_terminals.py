"""Push terminals: 50 simulated terminals punching 20 times a second in total, then an
outage after which each uploads a 10,000-punch backlog.

The terminals (tools.admssim, HTTP clients) run in a device process of their own
(bench.push_fleet); the server and every figure are in this process:
- live: 50 terminals in realtime mode, punches spread evenly, 20 a second in total;
- backlog: every terminal goes offline, logs BACKLOG punches, and comes back; the server
  refuses each terminal's first upload (the terminal must send the same batch again);
  the backlog arrives in batches of BATCH_SIZE lines.
Figures: every punch stored exactly once (lost and stored twice, by (serial, user, time,
status)), event-loop lag p99 while it happens (bench.loopmon), CPU of this process per
punch, the time the backlog takes, and for live punches the delivery time (punch at the
terminal -> stored; CLOCK_MONOTONIC is shared by the processes).

Servers: ``protocol`` is tools.admssim.stubserver, built on custom_components.devicehub.adms
alone (parse, drop duplicates, OK:<n>): the protocol's own figures. It reads ATTLOG bodies
with parse_attlog_stepwise, one upload at a time (the way a view keeps the loop free);
``protocol_on_loop`` reads every upload at once with parse_attlog, to show why. The
baseline ``raw`` answers the same requests with a bare aiohttp handler that counts line
ends and parses nothing: the HTTP floor. A Home Assistant server plugs in through
PushServer.

    python -m bench.push_terminals [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import time
from typing import Any, Protocol

from aiohttp import web

from custom_components.devicehub.adms import AttendanceLine, HandshakeOptions, punch_key
from tools.admssim.stubserver import StubPushServer

from . import stats
from .hass import quiet_logs, run
from .loopmon import LoopMonitor
from .procs import Child, child
from .report import Aim, Figures, Row, json_line, millis, times

TERMINALS = 50
RATE = 20.0  # punches a second, all terminals together
LIVE_SECONDS = 30.0
QUICK_LIVE_SECONDS = 5.0
BACKLOG = 10_000  # punches a terminal
QUICK_BACKLOG = 1_000
BATCH_SIZE = 1_000  # lines an upload
DELAY = 10  # the poll interval the handshake tells (seconds), a usual setting
ERROR_DELAY = 1  # seconds before a refused batch goes again (short, to keep the run short)
WAIT_SLACK = 120.0
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

type Key = str  # punch_key(user, time, status)


class PushServer(Protocol):
    """What the benchmark needs of a server under test."""

    url: str
    stored: int  # punches taken (for the raw baseline: lines acknowledged)
    refuse_uploads: int  # answer this many uploads with an error first

    async def start(self) -> str:
        """Listen on loopback; the base URL."""

    async def stop(self) -> None:
        """Stop listening."""

    async def wait_until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until predicate holds (checked after each request)."""

    def keys(self, serial: str) -> set[Key] | None:
        """Punch keys stored for a terminal (None: the server does not keep them)."""

    def duplicates(self) -> int:
        """Punches received again and dropped."""


class ProtocolServer(StubPushServer):
    """The stub server, noting when each punch was stored; ATTLOG bodies parsed on the
    event loop."""

    executor = False
    stepwise = False
    at_once: int | None = None

    def __init__(self, serials: set[str]) -> None:
        super().__init__(
            serials,
            options=HandshakeOptions(delay=DELAY, error_delay=ERROR_DELAY),
            on_stored=self._note,
            keep_punches=False,  # a server stores punches elsewhere; keys suffice here
            parse_in_executor=self.executor,
            parse_stepwise=self.stepwise,
            uploads_at_once=self.at_once,
        )
        self.arrivals: dict[tuple[str, str], int] = {}
        self.live = True  # arrival times are noted for live punches only

    def _note(self, serial: str, line: AttendanceLine) -> None:
        if self.live:
            self.arrivals[(serial, line.user_id)] = time.monotonic_ns()

    def keys(self, serial: str) -> set[Key] | None:
        return self.terminals[serial].keys  # a set: nothing can be stored twice

    def duplicates(self) -> int:
        return sum(record.duplicates for record in self.terminals.values())


class ExecutorProtocolServer(ProtocolServer):
    """The same, ATTLOG bodies parsed in a worker thread (the parser is pure)."""

    executor = True


class StepwiseProtocolServer(ProtocolServer):
    """The same, ATTLOG bodies parsed with parse_attlog_stepwise (pauses for the loop),
    one upload at a time."""

    stepwise = True
    at_once = 1


class RawServer:
    """The floor: the same endpoints, no parsing, no duplicate check."""

    def __init__(self, serials: set[str]) -> None:
        self.serials = serials
        self.url = ""
        self.stored = 0
        self.refuse_uploads = 0
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/iclock/{endpoint}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # the bound socket
        assert server is not None
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"  # type: ignore[attr-defined]
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def keys(self, serial: str) -> set[Key] | None:
        return None

    def duplicates(self) -> int:
        return 0

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            serial = request.query.get("SN", "")
            endpoint = request.match_info["endpoint"]
            if serial not in self.serials:
                return web.Response(status=403, text="ERROR")
            if endpoint == "cdata" and request.method == "GET":
                return web.Response(
                    text=f"GET OPTION FROM: {serial}\nDelay={DELAY}\nErrorDelay={ERROR_DELAY}\n"
                    "Realtime=1\n"
                )
            body = await request.read()
            if endpoint == "cdata" and request.query.get("table") == "ATTLOG":
                if self.refuse_uploads > 0:
                    self.refuse_uploads -= 1
                    return web.Response(status=503, text="ERROR")
                lines = body.count(b"\n")
                self.stored += lines
                return web.Response(text=f"OK:{lines}")
            return web.Response(text="OK")
        finally:
            self._changed.set()


def _live_keys(injected: list[list[Any]]) -> dict[str, set[Key]]:
    keys: dict[str, set[Key]] = {}
    for serial, user, when, _ns in injected:
        keys.setdefault(serial, set()).add(punch_key(user, datetime.strptime(when, TIME_FORMAT), 0))
    return keys


def _backlog_keys(start: str, count: int) -> set[Key]:
    first = datetime.strptime(start, TIME_FORMAT)
    return {punch_key(str(1 + i), first + timedelta(seconds=i), 0) for i in range(count)}


def _check(server: PushServer, expected: dict[str, set[Key]], total: int) -> dict[str, int]:
    """Lost punches and punches stored twice (the raw floor only counts lines)."""
    if all(server.keys(serial) is None for serial in expected):
        return {
            "lost": max(0, total - server.stored),
            "stored_twice": max(0, server.stored - total),
        }
    lost = 0
    for serial, keys in expected.items():
        stored = server.keys(serial)
        assert stored is not None
        lost += len(keys - stored)
    return {"lost": lost, "stored_twice": 0}


async def _phase(
    server: PushServer, action: Callable[[], Any], total: int, within: float
) -> dict[str, Any]:
    """Run action, wait until `total` punches are stored; lag, CPU and time of it all."""
    monitor = LoopMonitor()
    monitor.start()
    cpu, began = time.process_time(), time.monotonic()
    answer = await action()
    await server.wait_until(lambda: server.stored >= total, within)
    elapsed, used = time.monotonic() - began, time.process_time() - cpu
    await monitor.stop()
    loop = monitor.figures()
    return {
        "answer": answer,
        "seconds": round(elapsed, 2),
        "cpu_s": round(used, 3),
        "loop_lag_p99_ms": loop["loop_lag_p99_ms"],
        "loop_lag_max_ms": loop["loop_lag_max_ms"],
        "longest_callback_ms": loop["longest_callback_ms"],
        "gc_longest_ms": loop["gc_longest_ms"],
    }


async def measure(
    make: Callable[[set[str]], PushServer], live_seconds: float, backlog: int
) -> Figures:
    """Both phases against one server."""
    serials = {f"PUSH{index:06d}" for index in range(TERMINALS)}
    server = make(serials)
    url = await server.start()
    try:
        with child("bench.push_fleet") as fleet:
            return await _measure(server, fleet, url, live_seconds, backlog)
    finally:
        await server.stop()


async def _measure(
    server: PushServer, fleet: Child, url: str, live_seconds: float, backlog: int
) -> Figures:
    started = await fleet.async_request(
        WAIT_SLACK, op="start", server=url, terminals=TERMINALS, batch_size=BATCH_SIZE
    )
    assert "serials" in started, started
    live_total = round(RATE * live_seconds)

    async def punch_live() -> Any:
        return await fleet.async_request(
            live_seconds + WAIT_SLACK, op="live", rate=RATE, seconds=live_seconds
        )

    live = await _phase(server, punch_live, live_total, WAIT_SLACK)
    injected = live.pop("answer")["injected"]
    expected = _live_keys(injected)
    live_check = _check(server, expected, live_total)
    arrivals: dict[tuple[str, str], int] = getattr(server, "arrivals", {})
    delivery = [
        (arrivals[(serial, user)] - ns) / 1e9
        for serial, user, _when, ns in injected
        if (serial, user) in arrivals
    ]

    if isinstance(server, ProtocolServer):
        server.live = False
    await fleet.async_request(op="offline")
    start = (await fleet.async_request(op="backlog", count=backlog))["start"]
    server.refuse_uploads = TERMINALS
    backlog_total = TERMINALS * backlog
    before = server.stored

    async def come_back() -> Any:
        return await fleet.async_request(op="online")

    spell = await _phase(server, come_back, before + backlog_total, WAIT_SLACK * 10)
    spell.pop("answer")
    backlog_keys = _backlog_keys(start, backlog)
    expected = {
        f"PUSH{index:06d}": expected.get(f"PUSH{index:06d}", set()) | backlog_keys
        for index in range(TERMINALS)
    }
    fleet_stats = await fleet.async_request(op="stats")
    return {
        "terminals": TERMINALS,
        "batch_size": BATCH_SIZE,
        "live": {
            "punches": live_total,
            "rate_per_s": RATE,
            **live,
            **live_check,
            "cpu_ms_per_punch": round(live["cpu_s"] * 1000 / live_total, 3),
            "delivery_ms": stats.summarize(delivery, 1000) if delivery else None,
        },
        "backlog": {
            "punches": backlog_total,
            "per_terminal": backlog,
            **spell,
            **_check(server, expected, live_total + backlog_total),
            "punches_per_s": round(backlog_total / spell["seconds"]) if spell["seconds"] else None,
            "cpu_us_per_punch": round(spell["cpu_s"] * 1e6 / backlog_total, 2),
            "duplicates_dropped": server.duplicates(),
            "terminal_resends": fleet_stats["resends"],
            "refused_uploads": fleet_stats["refused_uploads"],
            "pending_at_end": fleet_stats["pending"],
        },
    }


def run_bench(quick: bool) -> Figures:
    """The protocol server two ways, then the raw floor, same load."""
    live_seconds = QUICK_LIVE_SECONDS if quick else LIVE_SECONDS
    backlog = QUICK_BACKLOG if quick else BACKLOG
    return {
        "protocol": run(measure(StepwiseProtocolServer, live_seconds, backlog)),
        "protocol_on_loop": run(measure(ProtocolServer, live_seconds, backlog)),
        "raw": run(measure(RawServer, live_seconds, backlog)),
    }


def _backlog_cell(spell: Figures) -> str:
    return (
        f"{spell['seconds']:.1f} s ({spell['punches_per_s']:,}/s), lost {spell['lost']}, "
        f"stored twice {spell['stored_twice']}, lag p99 {millis(spell['loop_lag_p99_ms'])}, "
        f"CPU {spell['cpu_us_per_punch']:.1f} us/punch"
    )


def rows(figures: Figures) -> list[Row]:
    """Live and backlog rows, the protocol beside the raw HTTP floor."""
    ours, raw = figures["protocol"], figures["raw"]
    live, raw_live = ours["live"], raw["live"]
    delivery = live.get("delivery_ms") or {}
    out = [
        Row(
            "push terminals (protocol only)",
            f"{ours['terminals']} terminals, {live['rate_per_s']:.0f} punches/s, "
            f"{live['punches']} punches",
            f"lost {live['lost']}, lag p99 {millis(live['loop_lag_p99_ms'])}, "
            f"CPU {millis(live['cpu_ms_per_punch'])}/punch, delivery median "
            f"{millis(delivery.get('median'))} p99 {millis(delivery.get('p99'))}",
            f"raw HTTP: lag p99 {millis(raw_live['loop_lag_p99_ms'])}, "
            f"CPU {millis(raw_live['cpu_ms_per_punch'])}/punch",
            f"CPU {times(stats.ratio(live['cpu_ms_per_punch'], raw_live['cpu_ms_per_punch']))}",
        )
    ]
    raw_spell = raw["backlog"]
    for key, how in (
        ("protocol", "parsed stepwise, one upload at a time"),
        ("protocol_on_loop", "parsed in one go, all uploads at once"),
    ):
        if key not in figures:
            continue
        spell = figures[key]["backlog"]
        out.append(
            Row(
                "push terminals (protocol only)",
                f"backlog {spell['per_terminal']:,} x {ours['terminals']} after an outage "
                f"(batches of {ours['batch_size']:,}, first refused), {how}",
                _backlog_cell(spell),
                f"raw HTTP: {raw_spell['seconds']:.1f} s, lag p99 "
                f"{millis(raw_spell['loop_lag_p99_ms'])}, "
                f"CPU {raw_spell['cpu_us_per_punch']:.1f} us/punch",
                "CPU "
                + times(stats.ratio(spell["cpu_us_per_punch"], raw_spell["cpu_us_per_punch"])),
            )
        )
    return out


def aims(figures: Figures) -> list[Aim]:
    """Exactly once, and a loop that stays responsive while a backlog pours in."""
    ours = figures["protocol"]
    live, spell = ours["live"], ours["backlog"]
    return [
        Aim("push: punches lost (live and backlog)", live["lost"] + spell["lost"], 0, "punches"),
        Aim("push: punches stored twice", live["stored_twice"] + spell["stored_twice"], 0, "punch"),
        Aim("push: loop lag p99, live", live["loop_lag_p99_ms"], 100, "ms"),
        Aim("push: loop lag p99, backlog", spell["loop_lag_p99_ms"], 100, "ms"),
    ]


def main() -> None:
    """Run alone: one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quiet_logs()
    print(json_line("push_terminals", run_bench(parser.parse_args().quick)), flush=True)


if __name__ == "__main__":
    main()
