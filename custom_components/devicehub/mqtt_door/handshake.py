"""The hand_shake payload: schema, parsing and its stored form."""

from typing import Any, Final

import voluptuous as vol

from .errors import DropReason, PayloadError
from .models import (
    DEFAULT_FEATURES,
    Alarm,
    Command,
    DataPoint,
    DataPointType,
    DoorFeature,
    HandShake,
    Relay,
)
from .payloads import Payload, decode_text, finite_number, load_json
from .topics import is_valid_id

MAX_DECLARED: Final = 64  # data points, alarms and commands, each
MAX_HEARTBEAT: Final = 86_400
_FEATURE_VALUES: Final = frozenset(feature.value for feature in DoorFeature)


def _text(max_length: int) -> vol.All:
    return vol.All(str, vol.Length(min=1, max=max_length))


def _key(value: Any) -> str:
    if not is_valid_id(value):
        raise vol.Invalid("expected [a-z0-9_-]{1,64}")
    return str(value)


def _command_name(value: Any) -> str:
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= 64
        or not all(char.isascii() and (char.isalnum() or char in "_.-") for char in value)
    ):
        raise vol.Invalid("expected a command name of letters, digits, _ . -")
    return value


def number(value: Any) -> float:
    """Accept a finite JSON number, not a bool."""
    if (checked := finite_number(value)) is None:
        raise vol.Invalid("expected a finite number")
    return checked


def _seconds(value: Any) -> float:
    seconds = number(value)
    if not 0 <= seconds <= MAX_HEARTBEAT:
        raise vol.Invalid("seconds out of range")
    return seconds


def _heartbeat(value: Any) -> float:
    seconds = _seconds(value)
    if seconds < 1:
        raise vol.Invalid("a heartbeat is at least one second")
    return seconds


_DATAPOINT_SCHEMA: Final = vol.Schema(
    {
        vol.Required("key"): _key,
        vol.Optional("name"): _text(100),
        vol.Optional("type"): vol.In([kind.value for kind in DataPointType]),
        vol.Optional("unit"): _text(32),
        vol.Optional("device_class"): _text(32),
        vol.Optional("state_class"): _text(32),
        vol.Optional("min"): number,
        vol.Optional("max"): number,
    },
    extra=vol.REMOVE_EXTRA,
)
_ALARM_SCHEMA: Final = vol.Schema(
    {
        vol.Required("key"): _key,
        vol.Required("datapoint"): _key,
        vol.Optional("name"): _text(100),
        vol.Optional("above"): number,
        vol.Optional("below"): number,
        vol.Optional("delay"): _seconds,
        vol.Optional("clear_delay"): _seconds,
    },
    extra=vol.REMOVE_EXTRA,
)
# Contract 1.1: the extra outputs of a door with the `relays` feature.
MAX_RELAYS: Final = 16
_RELAY_SCHEMA: Final = vol.Schema(
    {vol.Required("key"): _key, vol.Optional("name"): _text(100)}, extra=vol.REMOVE_EXTRA
)
_COMMAND_SCHEMA: Final = vol.Any(
    _command_name,
    vol.Schema(
        {vol.Required("name"): _command_name, vol.Optional("description"): _text(255)},
        extra=vol.REMOVE_EXTRA,
    ),
)
_HAND_SHAKE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): _text(100),
        vol.Optional("model"): _text(100),
        vol.Optional("manufacturer"): _text(100),
        vol.Optional("sw_version"): _text(100),
        vol.Optional("features"): vol.All([str], vol.Length(max=16)),
        vol.Optional("heartbeat"): _heartbeat,
        vol.Optional("datapoints"): vol.All([_DATAPOINT_SCHEMA], vol.Length(max=MAX_DECLARED)),
        vol.Optional("alarms"): vol.All([_ALARM_SCHEMA], vol.Length(max=MAX_DECLARED)),
        vol.Optional("commands"): vol.All([_COMMAND_SCHEMA], vol.Length(max=MAX_DECLARED)),
        vol.Optional("relays"): vol.All([_RELAY_SCHEMA], vol.Length(max=MAX_RELAYS)),
    },
    extra=vol.REMOVE_EXTRA,
)


def _without_nulls(value: dict[str, Any]) -> dict[str, Any]:
    """Treat `null` like a missing field, in the payload and in its declared items."""
    return {
        key: [
            {name: part for name, part in item.items() if part is not None}
            if isinstance(item, dict)
            else item
            for item in field
        ]
        if isinstance(field, list)
        else field
        for key, field in value.items()
        if field is not None
    }


def _unique(keys: list[str], what: str) -> None:
    if len(set(keys)) != len(keys):
        raise PayloadError(DropReason.INVALID_PAYLOAD, f"duplicate {what}")


def hand_shake_from_object(raw: Any) -> HandShake:
    """Validate a decoded hand_shake object (also the form kept in the config entry)."""
    if not isinstance(raw, dict):
        raise PayloadError(DropReason.INVALID_PAYLOAD, "hand_shake is not an object")
    try:
        data = _HAND_SHAKE_SCHEMA(_without_nulls(raw))
    except vol.Invalid as err:
        raise PayloadError(DropReason.INVALID_PAYLOAD, str(err)) from err
    datapoints = tuple(
        DataPoint(
            key=point["key"],
            name=point.get("name"),
            type=DataPointType(point.get("type", DataPointType.NUMBER)),
            unit=point.get("unit"),
            device_class=point.get("device_class"),
            state_class=point.get("state_class"),
            minimum=point.get("min"),
            maximum=point.get("max"),
        )
        for point in data.get("datapoints", [])
    )
    alarms = tuple(
        Alarm(
            key=alarm["key"],
            datapoint=alarm["datapoint"],
            name=alarm.get("name"),
            above=alarm.get("above"),
            below=alarm.get("below"),
            delay=alarm.get("delay", 0),
            clear_delay=alarm.get("clear_delay", 0),
        )
        for alarm in data.get("alarms", [])
    )
    commands = tuple(
        Command(name=item) if isinstance(item, str) else Command(**item)
        for item in data.get("commands", [])
    )
    _unique([point.key for point in datapoints], "data point keys")
    _unique([alarm.key for alarm in alarms], "alarm keys")
    _unique([command.name for command in commands], "command names")
    relays = tuple(
        Relay(key=relay["key"], name=relay.get("name")) for relay in data.get("relays", [])
    )
    _unique([relay.key for relay in relays], "relay keys")
    numbers = {point.key for point in datapoints if point.type is DataPointType.NUMBER}
    for point in datapoints:
        if (
            point.minimum is not None
            and point.maximum is not None
            and point.minimum > point.maximum
        ):
            raise PayloadError(DropReason.INVALID_PAYLOAD, f"min > max for {point.key}")
    for alarm in alarms:
        if alarm.datapoint not in numbers:
            raise PayloadError(DropReason.INVALID_PAYLOAD, f"alarm {alarm.key}: no number point")
        if alarm.above is None and alarm.below is None:
            raise PayloadError(DropReason.INVALID_PAYLOAD, f"alarm {alarm.key}: no threshold")
    # Unknown features are ignored so that newer doors still work with this version.
    features = frozenset(
        DoorFeature(item) for item in data.get("features", []) if item in _FEATURE_VALUES
    )
    features = features if "features" in data else DEFAULT_FEATURES
    return HandShake(
        name=data["name"],
        model=data.get("model"),
        manufacturer=data.get("manufacturer"),
        sw_version=data.get("sw_version"),
        features=features,
        heartbeat=data.get("heartbeat"),
        datapoints=datapoints,
        alarms=alarms,
        commands=commands,
        # Relays are outputs of the `relays` feature; without it they are not there.
        relays=relays if DoorFeature.RELAYS in features else (),
    )


def parse_hand_shake(payload: Payload) -> HandShake | None:
    """Parse a received hand_shake; None for an empty payload (the door unregistered)."""
    text = decode_text(payload)
    if not text.strip():
        return None
    return hand_shake_from_object(load_json(text))


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def hand_shake_to_object(hand_shake: HandShake) -> dict[str, Any]:
    """Return the JSON form of a hand_shake, as the contract writes it."""
    written = _hand_shake_1_0_object(hand_shake)
    if hand_shake.relays:  # contract 1.1; absent for doors without relays, as before
        written["relays"] = [
            _drop_none({"key": relay.key, "name": relay.name}) for relay in hand_shake.relays
        ]
    return written


def _hand_shake_1_0_object(hand_shake: HandShake) -> dict[str, Any]:
    return _drop_none(
        {
            "name": hand_shake.name,
            "model": hand_shake.model,
            "manufacturer": hand_shake.manufacturer,
            "sw_version": hand_shake.sw_version,
            "features": sorted(feature.value for feature in hand_shake.features),
            "heartbeat": hand_shake.heartbeat,
            "datapoints": [
                _drop_none(
                    {
                        "key": point.key,
                        "name": point.name,
                        "type": point.type.value,
                        "unit": point.unit,
                        "device_class": point.device_class,
                        "state_class": point.state_class,
                        "min": point.minimum,
                        "max": point.maximum,
                    }
                )
                for point in hand_shake.datapoints
            ],
            "alarms": [
                _drop_none(
                    {
                        "key": alarm.key,
                        "datapoint": alarm.datapoint,
                        "name": alarm.name,
                        "above": alarm.above,
                        "below": alarm.below,
                        "delay": alarm.delay,
                        "clear_delay": alarm.clear_delay,
                    }
                )
                for alarm in hand_shake.alarms
            ],
            "commands": [
                _drop_none({"name": command.name, "description": command.description})
                for command in hand_shake.commands
            ],
        }
    )
