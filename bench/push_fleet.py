"""Simulated push terminals in a process of their own, driven by JSON lines on stdin.

Real push terminals are separate machines, so their HTTP clients must not spend the CPU
of the process under measure. Started by bench.push_terminals:

    python -m bench.push_fleet

Each command line gets one answer line; EOF on stdin stops every terminal.
  {"op": "start", "server": url, "terminals": n, "batch_size": b}  -> {"serials": [...]}
  {"op": "live", "rate": punches per second in total, "seconds": s}
        -> {"injected": [[serial, user_id, "yyyy-mm-dd hh:mm:ss", monotonic ns], ...]}
  {"op": "offline"} / {"op": "online"} -> {"ok": true}
  {"op": "backlog", "count": c} -> {"start": "yyyy-mm-dd hh:mm:ss"}: c punches a terminal,
        users "1".."c", one second apart from start (status 0, verify 1)
  {"op": "stats"} -> {"sent", "pending", "resends", "refused_uploads"}
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
import json
import sys
import time
from typing import Any

from tools.admssim import PushTerminalSimulator, SimulatorConfig

BACKLOG_START = datetime(2025, 1, 1)
LIVE_FIRST_USER = 1_000_000  # live punches never share a key with backlog ones
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Fleet:
    """The terminals and the commands on them."""

    def __init__(self) -> None:
        self.terminals: list[PushTerminalSimulator] = []
        self.next_user = LIVE_FIRST_USER

    async def start(self, server: str, terminals: int, batch_size: int) -> dict[str, Any]:
        for index in range(terminals):
            config = SimulatorConfig(
                server=server,
                serial=f"PUSH{index:06d}",
                batch_size=batch_size,
                sync_clock=False,
                request_timeout=120.0,
            )
            self.terminals.append(PushTerminalSimulator(config))
        accepted = await asyncio.gather(*(terminal.handshake() for terminal in self.terminals))
        if not all(accepted):
            return {"error": f"{accepted.count(False)} terminals were refused"}
        for terminal in self.terminals:
            terminal.start()
        return {"serials": [terminal.serial for terminal in self.terminals]}

    async def live(self, rate: float, seconds: float) -> dict[str, Any]:
        injected = []
        loop = asyncio.get_running_loop()
        count = round(rate * seconds)
        began = loop.time()
        for index in range(count):
            await asyncio.sleep(max(0.0, began + index / rate - loop.time()))
            terminal = self.terminals[index % len(self.terminals)]
            self.next_user += 1
            punch = terminal.inject_punch(str(self.next_user))
            when = punch.time.strftime(TIME_FORMAT)
            injected.append([terminal.serial, punch.user_id, when, time.monotonic_ns()])
        return {"injected": injected}

    def backlog(self, count: int) -> dict[str, Any]:
        for terminal in self.terminals:
            terminal.add_backlog(count, BACKLOG_START, users=count)
        return {"start": BACKLOG_START.strftime(TIME_FORMAT)}

    def stats(self) -> dict[str, Any]:
        refused = sum(
            1
            for terminal in self.terminals
            for exchange in terminal.exchanges
            if exchange.table == "ATTLOG" and exchange.status != 200
        )
        return {
            "sent": sum(len(terminal.punches_sent) for terminal in self.terminals),
            "pending": sum(terminal.pending for terminal in self.terminals),
            "resends": sum(terminal.resends for terminal in self.terminals),
            "refused_uploads": refused,
        }

    async def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        match command.pop("op"):
            case "start":
                return await self.start(**command)
            case "live":
                return await self.live(**command)
            case "offline":
                for terminal in self.terminals:
                    terminal.go_offline()
                return {"ok": True}
            case "online":
                for terminal in self.terminals:
                    terminal.go_online()
                return {"ok": True}
            case "backlog":
                return self.backlog(**command)
            case "stats":
                return self.stats()
            case other:
                return {"error": f"unknown op {other!r}"}

    async def close(self) -> None:
        for terminal in self.terminals:
            await terminal.close()


async def serve() -> None:
    """Answer command lines until stdin closes."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    fleet = Fleet()
    try:
        while line := await reader.readline():
            answer = await fleet.handle(json.loads(line))
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        await fleet.close()


def main() -> None:
    """Run until stdin closes."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
