"""The devicehub MQTT door contract, as the device side sees it (no Home Assistant imports)."""

from dataclasses import dataclass
from enum import StrEnum
import json
import re
from typing import Any, Final

DEFAULT_PREFIX: Final = "devicehub"
DEVICE_ID_PATTERN: Final = re.compile(r"[a-z0-9_-]{1,64}")

# `state` (the door reports its lock state) is what devicehub's door family reads to stop being
# optimistic; a door that publishes `state` declares it.
# `expires` (contract 1.1): commands come as JSON with a deadline, and late ones are dropped.
FEATURES: Final = ("lock", "open", "state", "stranger", "attendance", "expires")
PUNCH_KINDS: Final = (
    "check_in",
    "check_out",
    "break_out",
    "break_in",
    "overtime_in",
    "overtime_out",
)


class LockState(StrEnum):
    """Values of the retained `state` topic."""

    LOCKED = "locked"
    UNLOCKED = "unlocked"
    LOCKING = "locking"
    UNLOCKING = "unlocking"
    JAMMED = "jammed"
    OPEN = "open"
    OPENING = "opening"


class DoorCommand(StrEnum):
    """Payloads Home Assistant sends on the `command` topic."""

    LOCK = "lock"
    UNLOCK = "unlock"
    OPEN = "open"


# The transitional state a command goes through, then the state it settles in.
COMMAND_TRANSITIONS: Final[dict[DoorCommand, tuple[LockState, LockState]]] = {
    DoorCommand.LOCK: (LockState.LOCKING, LockState.LOCKED),
    DoorCommand.UNLOCK: (LockState.UNLOCKING, LockState.UNLOCKED),
    DoorCommand.OPEN: (LockState.OPENING, LockState.OPEN),
}

DEFAULT_DATAPOINTS: Final[tuple[dict[str, Any], ...]] = (
    {
        "key": "temperature",
        "type": "number",
        "unit": "°C",
        "device_class": "temperature",
        "min": -20,
        "max": 80,
    },
    {"key": "mode", "type": "string"},
    {"key": "battery_info", "type": "object"},
)
DEFAULT_DATAPOINT_VALUES: Final[dict[str, Any]] = {
    "temperature": 21.5,
    "mode": "auto",
    "battery_info": {"level": 87, "voltage": 3.9},
}
DEFAULT_ALARMS: Final[tuple[dict[str, Any], ...]] = (
    {"key": "overheat", "datapoint": "temperature", "above": 50, "delay": 5},
)
DEFAULT_COMMANDS: Final[tuple[str | dict[str, Any], ...]] = (
    "ping",
    "get_config",
    {"name": "set_volume"},
)


def parse_command(text: str) -> tuple[str, float | None]:
    """The command word and its deadline (Unix seconds) from a `command` payload.

    Contract 1.0 sends the bare word; 1.1 sends `{"command", "expires"}` to doors that declare
    the `expires` feature. A payload that is neither gives the text itself, no deadline.
    """
    stripped = text.strip()
    if not stripped.startswith("{"):
        return stripped, None
    try:
        data = json.loads(stripped)
    except ValueError:
        return stripped, None
    if not isinstance(data, dict) or not isinstance(data.get("command"), str):
        return stripped, None
    expires = data.get("expires")
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        return data["command"], None
    return data["command"], float(expires)


def is_valid_device_id(device_id: str) -> bool:
    """Tell whether a device id is one the contract accepts."""
    return DEVICE_ID_PATTERN.fullmatch(device_id) is not None


def command_name(declared: str | dict[str, Any]) -> str:
    """Name of a declared command: a bare string or an object with a `name`."""
    return declared if isinstance(declared, str) else str(declared["name"])


@dataclass(frozen=True, slots=True)
class DoorTopics:
    """Every topic of one door under one prefix."""

    prefix: str
    device_id: str

    def _topic(self, suffix: str) -> str:
        return f"{self.prefix}/{self.device_id}/{suffix}"

    @property
    def hand_shake(self) -> str:
        return self._topic("hand_shake")

    @property
    def hand_shake_ack(self) -> str:
        return self._topic("hand_shake/ack")

    @property
    def ack(self) -> str:
        return self._topic("ack")

    @property
    def availability(self) -> str:
        return self._topic("availability")

    @property
    def state(self) -> str:
        return self._topic("state")

    @property
    def command(self) -> str:
        return self._topic("command")

    @property
    def stranger(self) -> str:
        return self._topic("stranger")

    @property
    def stranger_image(self) -> str:
        return self._topic("stranger/image")

    @property
    def attendance(self) -> str:
        return self._topic("attendance")

    @property
    def call(self) -> str:
        return self._topic("call")

    @property
    def result(self) -> str:
        return self._topic("result")

    def datapoint(self, key: str) -> str:
        return self._topic(f"datapoint/{key}")
