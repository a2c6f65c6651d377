"""Run a simulated terminal until Ctrl-C: python -m tools.zksim --port 4370 --users 50."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
import logging
import signal
import threading
from types import FrameType
from typing import Any

from .config import PYZK_EVENT_SIZES, SimulatorConfig
from .firmware import PROFILES
from .records import RECORD_SIZES, USER_SIZES, RecordSize, UserSize
from .simulator import TerminalSimulator


def _user_size(text: str) -> UserSize:
    for size in USER_SIZES:
        if str(size) == text:
            return size
    raise argparse.ArgumentTypeError(f"user size must be one of {USER_SIZES}")


def _record_size(text: str) -> RecordSize:
    for size in RECORD_SIZES:
        if str(size) == text:
            return size
    raise argparse.ArgumentTypeError(f"record size must be one of {RECORD_SIZES}")


def parse_args(argv: Sequence[str] | None = None) -> SimulatorConfig:
    """The command line as a SimulatorConfig."""
    parser = argparse.ArgumentParser(prog="python -m tools.zksim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4370, help="0 picks a free port")
    parser.add_argument("--password", type=int, default=0, help="comm key (0 = none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--serial", default="", help="serial number (default from the seed)")
    parser.add_argument(
        "--firmware",
        choices=sorted(PROFILES),
        default=None,
        help="firmware profile: layouts, refused options, event lengths of a real generation "
        "(the size options below override it)",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--user-size", type=_user_size, default=None, help="28 or 72 bytes")
    parser.add_argument(
        "--record-size", type=_record_size, default=None, help="8, 16, 40 or 49 bytes"
    )
    parser.add_argument("--encoding", default="utf-8", help="of user names (gbk, cp1256 ...)")
    parser.add_argument(
        "--event-size", type=int, default=None, help=f"realtime event payload ({PYZK_EVENT_SIZES})"
    )
    parser.add_argument(
        "--punch-every", type=float, default=None, help="seconds between simulated punches"
    )
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--udp-only", action="store_true")
    transport.add_argument("--tcp-only", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "tcp": not args.udp_only,
        "udp": not args.tcp_only,
        "password": args.password,
        "seed": args.seed,
        "serial": args.serial,
        "users": args.users,
        "records": args.records,
        "encoding": args.encoding,
        "punch_every": args.punch_every,
    }
    for name in ("user_size", "record_size", "event_size"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if args.firmware:
        return SimulatorConfig.for_firmware(args.firmware, **settings)
    return SimulatorConfig(**settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    config = parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with TerminalSimulator(config) as sim:
        transports = "+".join(name for name, on in (("tcp", config.tcp), ("udp", config.udp)) if on)
        print(
            f"zksim {config.serial_number()} on {sim.host}:{sim.port} ({transports}), "
            f"firmware {config.firmware_profile or 'default'} ({config.record_size}-byte records, "
            f"{config.user_size}-byte users), "
            f"{len(sim.users)} users, {sim.record_count} records; Ctrl-C stops",
            flush=True,
        )
        stop.wait()
    print("zksim stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
