"""Run a simulated push terminal against a server until Ctrl-C.

python -m tools.admssim --server http://127.0.0.1:8123 --serial CQZ7232560025 --punch-every 30
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import logging
import signal

from .config import PushVersion, SimulatorConfig
from .simulator import PushTerminalSimulator
from .terminal import SimUser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m tools.admssim", description=__doc__)
    parser.add_argument("--server", default="http://127.0.0.1:8123", help="base URL")
    parser.add_argument("--serial", default="CQZ7232560025")
    parser.add_argument("--model", default="SpeedFace-V5L")
    parser.add_argument("--push-version", choices=[v.value for v in PushVersion], default="2.4.1")
    parser.add_argument("--users", type=int, default=50, help="users enrolled at start")
    parser.add_argument("--punch-every", type=float, default=None, help="seconds between punches")
    parser.add_argument("--punches", type=int, default=None, help="stop after so many delivered")
    parser.add_argument("--no-access-control", action="store_true", help="refuse unlocks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> SimulatorConfig:
    """The simulator settings the arguments ask for."""
    return SimulatorConfig(
        server=args.server,
        serial=args.serial,
        model=args.model,
        push_version=PushVersion(args.push_version),
        access_control=not args.no_access_control,
    )


async def run(args: argparse.Namespace) -> int:
    """Run until interrupted, or until ``--punches`` punches were delivered."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with PushTerminalSimulator(config_from(args)) as terminal:
        terminal.add_users(SimUser(str(pin), f"User {pin}") for pin in range(1, args.users + 1))
        terminal.start(args.punch_every, users=max(args.users, 1), seed=args.seed)
        print(f"admssim {args.serial} -> {args.server}; Ctrl-C stops", flush=True)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.2)
            if args.punches is not None and len(terminal.punches_sent) >= args.punches:
                break
        sent = len(terminal.punches_sent)
    print(f"admssim stopped: {sent} punches delivered, {terminal.pending} pending", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
