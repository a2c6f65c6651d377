"""Typed values of the MQTT door contract."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DoorFeature(StrEnum):
    """Features a door may declare in its hand_shake."""

    LOCK = "lock"  # takes lock/unlock on `command`
    OPEN = "open"  # also takes `open` (unlatch)
    STATE = "state"  # reports its lock state on `state`; without it HA is optimistic
    STRANGER = "stranger"  # reports strangers on `stranger` and `stranger/image`
    ATTENDANCE = "attendance"  # reports punches on `attendance`
    # Contract 1.1, access control (mqtt_door/access_control.py).
    CONTACT = "contact"  # reports open/closed on `access/contact`
    DOORBELL = "doorbell"  # reports presses on `access/doorbell`
    ACCESS = "access"  # reports granted/denied attempts on `access/attempt`
    ALARMS = "alarms"  # reports tamper/forced_open/duress on `alarm/<kind>`
    TAG = "tag"  # reports scanned card ids on `access/tag`
    RELAYS = "relays"  # declares `relays`, switched on `relay_command`, confirmed on `relay/<key>`
    # Contract 1.1: takes commands as JSON with an `expires` deadline and drops late ones.
    EXPIRES = "expires"


# Contract 1.1: a door declaring none of these behaves exactly as a 1.0 door.
ACCESS_CONTROL_FEATURES = frozenset(
    {
        DoorFeature.CONTACT,
        DoorFeature.DOORBELL,
        DoorFeature.ACCESS,
        DoorFeature.ALARMS,
        DoorFeature.TAG,
        DoorFeature.RELAYS,
    }
)

# A door that declares no features is a plain lock, like the doors of the old door server.
DEFAULT_FEATURES = frozenset({DoorFeature.LOCK})


class LockState(StrEnum):
    """States a door reports on `state`."""

    LOCKED = "locked"
    UNLOCKED = "unlocked"
    LOCKING = "locking"
    UNLOCKING = "unlocking"
    JAMMED = "jammed"
    OPEN = "open"
    OPENING = "opening"


class DoorCommand(StrEnum):
    """Commands Home Assistant sends on `command`."""

    LOCK = "lock"
    UNLOCK = "unlock"
    OPEN = "open"


class Availability(StrEnum):
    """Payloads of `availability` (the door's MQTT last will)."""

    ONLINE = "online"
    OFFLINE = "offline"


class DataPointType(StrEnum):
    """How the payload of `datapoint/<key>` is read."""

    NUMBER = "number"
    STRING = "string"
    OBJECT = "object"
    BYTES = "bytes"


@dataclass(frozen=True, slots=True, kw_only=True)
class DataPoint:
    """A declared data point; becomes a sensor."""

    key: str
    name: str | None = None
    type: DataPointType = DataPointType.NUMBER
    unit: str | None = None
    device_class: str | None = None
    state_class: str | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Alarm:
    """A declared alarm: a threshold on a number data point, never an expression."""

    key: str
    datapoint: str
    name: str | None = None
    above: float | None = None
    below: float | None = None
    delay: float = 0  # seconds the condition must hold before the alarm trips
    clear_delay: float = 0  # seconds the condition must be gone before it clears

    def is_tripped_by(self, value: float) -> bool:
        """Tell whether a value is past this alarm's threshold."""
        return (self.above is not None and value > self.above) or (
            self.below is not None and value < self.below
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A command a door accepts on `call`."""

    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Relay:
    """An extra output of the door (contract 1.1, feature `relays`); becomes a switch."""

    key: str
    name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HandShake:
    """What a door declares about itself."""

    name: str
    model: str | None = None
    manufacturer: str | None = None
    sw_version: str | None = None
    features: frozenset[DoorFeature] = DEFAULT_FEATURES
    heartbeat: float | None = None
    datapoints: tuple[DataPoint, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    commands: tuple[Command, ...] = ()
    relays: tuple[Relay, ...] = ()  # only with the `relays` feature

    @property
    def has_lock(self) -> bool:
        """Tell whether the door has a lock entity."""
        return bool(self.features & {DoorFeature.LOCK, DoorFeature.OPEN})

    @property
    def entity_signature(self) -> tuple[object, ...]:
        """What decides which entities exist; a change needs the entry reloaded."""
        return (self.features, self.datapoints, self.alarms, self.relays)

    def command(self, name: str) -> Command | None:
        """Return the declared command of that name."""
        return next((command for command in self.commands if command.name == name), None)

    def datapoint(self, key: str) -> DataPoint | None:
        """Return the declared data point of that key."""
        return next((point for point in self.datapoints if point.key == key), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Stranger:
    """A stranger seen by a door."""

    picture_url: str | None = None
    timestamp: str | None = None
    event_id: str | None = None
    # Contract 1.1: the door resends until acknowledged; duplicates are dropped by it.
    delivery_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Punch:
    """An attendance punch, in the vocabulary shared with terminals."""

    user_id: str
    user_name: str | None
    punch: str
    verify: str
    timestamp: str | None
    # Contract 1.1: the door resends until acknowledged; duplicates are dropped by it.
    delivery_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallResult:
    """The answer of a door to a `call`."""

    call_id: str
    ok: bool
    data: Any = None
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataPointValue:
    """A validated data point value: the sensor state plus attributes for objects."""

    state: float | int | str
    attributes: dict[str, Any] = field(default_factory=dict)
