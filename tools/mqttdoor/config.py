"""How a simulated door is set up, and the hand_shake it declares."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .contract import (
    DEFAULT_ALARMS,
    DEFAULT_COMMANDS,
    DEFAULT_DATAPOINT_VALUES,
    DEFAULT_DATAPOINTS,
    DEFAULT_PREFIX,
    FEATURES,
    LockState,
    is_valid_device_id,
)
from .images import ImageFormat


class DoorMode(StrEnum):
    """How the door answers lock commands."""

    NORMAL = "normal"  # transitional state, then the final state after `transition_delay`
    JAM = "jam"  # transitional state, then `jammed`
    SILENT = "silent"  # records commands and calls, never answers either


@dataclass(slots=True)
class DoorConfig:
    """Everything a SimulatedDoor needs; only `device_id` is required."""

    device_id: str
    host: str = "127.0.0.1"
    port: int = 1883
    prefix: str = DEFAULT_PREFIX
    name: str | None = None  # default: "Door <device_id>"
    model: str | None = "SimDoor 1"
    manufacturer: str | None = "devicehub"
    sw_version: str | None = "1.0.0"
    features: tuple[str, ...] = FEATURES  # unknown ones are allowed: HA must ignore them
    heartbeat: int | None = 30  # seconds, declared in hand_shake; None: not declared
    datapoints: tuple[dict[str, Any], ...] = DEFAULT_DATAPOINTS
    # Values published (retained) on every connect; keys should be declared datapoints.
    datapoint_values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_DATAPOINT_VALUES))
    alarms: tuple[dict[str, Any], ...] = DEFAULT_ALARMS
    commands: tuple[str | dict[str, Any], ...] = DEFAULT_COMMANDS
    initial_state: LockState = LockState.LOCKED
    mode: DoorMode = DoorMode.NORMAL
    transition_delay: float = 0.1  # seconds between e.g. `unlocking` and `unlocked`
    open_hold: float | None = 1.0  # seconds a door stays `open` before `locked`; None: stays
    # Periodic publishing (seconds; None: off), used by the CLI and benchmarks.
    stranger_every: float | None = None
    punch_every: float | None = None
    datapoint_every: float | None = None
    access_every: float | None = None  # contract 1.1: rings, attempts, contact changes
    image_format: ImageFormat = "jpeg"
    keepalive: int = 15
    qos: int = 1
    mqtt_v5: bool = False
    client_id: str | None = None  # default: "devicehub-sim-<device_id>"
    reconnect_max_delay: int = 2  # small, so doors come back quickly after a broker restart
    # Contract 1.1: punches and strangers carry an `id` and are resent until acknowledged.
    event_ids: bool = False
    resend_after: float = 2.0  # seconds without acknowledgement before an event is resent
    extra_handshake: dict[str, Any] = field(default_factory=dict)
    # Contract 1.1: declared with the `relays` feature only.
    relays: tuple[dict[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not is_valid_device_id(self.device_id):
            msg = f"device id {self.device_id!r} does not match [a-z0-9_-]{{1,64}}"
            raise ValueError(msg)

    @property
    def display_name(self) -> str:
        return self.name or f"Door {self.device_id}"

    @property
    def mqtt_client_id(self) -> str:
        return self.client_id or f"devicehub-sim-{self.device_id}"

    def hand_shake(self) -> dict[str, Any]:
        """The retained discovery payload; optional fields left out when unset."""
        payload: dict[str, Any] = {"name": self.display_name}
        optional: dict[str, Any] = {
            "model": self.model,
            "manufacturer": self.manufacturer,
            "sw_version": self.sw_version,
            "heartbeat": self.heartbeat,
        }
        payload.update({key: value for key, value in optional.items() if value is not None})
        payload["features"] = list(self.features)
        for key, declared in (
            ("datapoints", self.datapoints),
            ("alarms", self.alarms),
            ("commands", self.commands),
        ):
            if declared:
                payload[key] = list(declared)
        if self.relays and "relays" in self.features:
            payload["relays"] = list(self.relays)
        payload.update(self.extra_handshake)
        return payload
