"""The door's answers to `call` requests: {id, command, args} -> {id, ok, data|error}."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .door import SimulatedDoor

type CallHandler = Callable[[dict[str, Any]], object]


class CallError(Exception):
    """A handler's refusal; its message becomes the result's `error`."""


def default_call_handlers(door: SimulatedDoor) -> dict[str, CallHandler]:
    """Handlers for the commands the default hand_shake declares."""

    def ping(args: dict[str, Any]) -> object:
        return "pong"

    def get_config(args: dict[str, Any]) -> object:
        return {
            "device_id": door.config.device_id,
            "mode": str(door.mode),
            "transition_delay": door.config.transition_delay,
            "heartbeat": door.config.heartbeat,
            "volume": door.volume,
        }

    def set_volume(args: dict[str, Any]) -> object:
        volume = args.get("volume")
        if not isinstance(volume, int) or isinstance(volume, bool) or not 0 <= volume <= 100:
            msg = "volume must be an integer from 0 to 100"
            raise CallError(msg)
        door.volume = volume
        return {"volume": volume}

    return {"ping": ping, "get_config": get_config, "set_volume": set_volume}
