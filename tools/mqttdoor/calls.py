"""The door's answers to `call` requests: {id, command, args} -> {id, ok, data|error}.

The door owns its handlers (`SimulatedDoor.call_handlers`); the pieces here take what they
need as arguments.
"""

from collections.abc import Callable
from typing import Any

from .config import DoorConfig, DoorMode

type CallHandler = Callable[[dict[str, Any]], object]


class CallError(Exception):
    """A handler's refusal; its message becomes the result's `error`."""


def ping(args: dict[str, Any]) -> object:
    """The `ping` call: proof of life."""
    return "pong"


def config_report(config: DoorConfig, mode: DoorMode, volume: int) -> dict[str, object]:
    """The `get_config` call's data."""
    return {
        "device_id": config.device_id,
        "mode": str(mode),
        "transition_delay": config.transition_delay,
        "heartbeat": config.heartbeat,
        "volume": volume,
    }


def requested_volume(args: dict[str, Any]) -> int:
    """The `set_volume` call's volume; CallError unless it is an integer from 0 to 100."""
    volume = args.get("volume")
    if not isinstance(volume, int) or isinstance(volume, bool) or not 0 <= volume <= 100:
        msg = "volume must be an integer from 0 to 100"
        raise CallError(msg)
    return volume
