"""Run simulated doors: python -m tools.mqttdoor --host 127.0.0.1 --port 1883 --id door1."""

import argparse
import logging
import signal
import threading
from typing import Any

from .access import ACCESS_CONTROL_FEATURES, DEFAULT_RELAYS
from .config import DoorConfig, DoorMode
from .contract import DEFAULT_PREFIX, FEATURES, is_valid_device_id
from .fleet import DoorFleet

_LOGGER = logging.getLogger("tools.mqttdoor")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.mqttdoor", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--id", default="door1", help="device id; with --count N: <id>-1..N")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--name", help="display name (one door only)")
    parser.add_argument("--mode", choices=[mode.value for mode in DoorMode], default="normal")
    parser.add_argument("--delay", type=float, default=0.5, help="transition delay, seconds")
    parser.add_argument("--heartbeat", type=int, default=30, help="seconds; 0 declares none")
    parser.add_argument("--stranger-every", type=float, metavar="SECONDS")
    parser.add_argument("--punch-every", type=float, metavar="SECONDS")
    parser.add_argument("--datapoint-every", type=float, metavar="SECONDS")
    parser.add_argument(
        "--access-control",
        action="store_true",
        help="contract 1.1: declare contact, doorbell, access, alarms, tag and two relays",
    )
    parser.add_argument(
        "--access-every",
        type=float,
        metavar="SECONDS",
        help="with --access-control: a ring, an access attempt or a contact change",
    )
    parser.add_argument("--image-format", choices=["jpeg", "png"], default="jpeg")
    parser.add_argument("--mqtt5", action="store_true", help="speak MQTT 5 instead of 3.1.1")
    parser.add_argument(
        "--event-ids",
        action="store_true",
        help="contract 1.1: events carry ids and are resent until Home Assistant acknowledges",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    ids = device_ids(args.id, args.count)
    if bad := [device_id for device_id in ids if not is_valid_device_id(device_id)]:
        parser.error(f"invalid device id {bad[0]!r}: use [a-z0-9_-]{{1,64}}")
    return args


def device_ids(base: str, count: int) -> list[str]:
    return [base] if count == 1 else [f"{base}-{number}" for number in range(1, count + 1)]


def access_control_config(args: argparse.Namespace) -> dict[str, Any]:
    """The DoorConfig fields of --access-control (contract 1.1)."""
    if not args.access_control:
        return {}
    return {
        "features": FEATURES + ACCESS_CONTROL_FEATURES,
        "relays": DEFAULT_RELAYS,
        "access_every": args.access_every,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    fleet = DoorFleet(
        DoorConfig(
            device_id,
            host=args.host,
            port=args.port,
            prefix=args.prefix,
            name=args.name if args.count == 1 else None,
            mode=DoorMode(args.mode),
            transition_delay=args.delay,
            heartbeat=args.heartbeat or None,
            stranger_every=args.stranger_every,
            punch_every=args.punch_every,
            datapoint_every=args.datapoint_every,
            image_format=args.image_format,
            mqtt_v5=args.mqtt5,
            event_ids=args.event_ids,
            **access_control_config(args),
        )
        for device_id in device_ids(args.id, args.count)
    )
    stop_requested = threading.Event()
    # Ctrl-C and SIGTERM only set a flag, so the doors always get a clean stop below.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop_requested.set())
    fleet.start()
    _LOGGER.info("%d door(s) online on %s:%d, Ctrl-C stops", len(fleet), args.host, args.port)
    try:
        stop_requested.wait()
    finally:
        fleet.stop(clean=True)
        _LOGGER.info("stopped")


if __name__ == "__main__":
    main()
