"""Access-control uploads of push v3 terminals: ``rtlog`` (door events) and ``rtstate``
(door sensor, relay and alarm state), as pure code.

Lines are tab-separated ``key=value`` fields, for example (the Security PUSH
specification's example, also seen in public servers):
``time=2017-01-10 11:49:32<TAB>pin=1001<TAB>cardno=0<TAB>eventaddr=1<TAB>event=0<TAB>
inoutstatus=0<TAB>verifytype=15<TAB>index=42`` and
``time=2020-09-09 14:38:53<TAB>sensor=01<TAB>relay=01<TAB>alarm=0000000000000000``.

Only door 1 is read (single-door terminals). ``sensor`` carries two bits a door
(0 no sensor, 1 closed, 2 open, 3 unknown); the specification's readers disagree whether
door 1 is the first or the last byte of a longer value, so only a one-byte value is read and
any other leaves the door state unread. ``alarm`` carries a byte a door, door 1 first; its
bits 0 forced open, 1 tamper, 2 duress password, 3 duress fingerprint (the bits above are
mains, battery and reader faults, not shown). Per the specification, unverified on hardware.
A malformed line is counted and skipped.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import re
from typing import Final

from .fields import is_valid_user_id, key_values, parse_time, small_int
from .limits import MAX_LINE_LENGTH, body_lines
from .models import ParsedLines

MAX_CARD_LENGTH: Final = 32
_CARD: Final = re.compile(r"[0-9A-Za-z]{1,32}")
_HEX: Final = re.compile(r"(?:[0-9A-Fa-f]{2}){1,16}")


class DoorEventClass(StrEnum):
    """What an ``rtlog`` event code says about the door."""

    GRANTED = "granted"
    DENIED = "denied"
    EXIT_BUTTON = "exit_button"
    DOOR_OPENED = "door_opened"
    DOOR_CLOSED = "door_closed"
    ALARM = "alarm"  # shown from rtstate, which also says when it is over
    OTHER = "other"


# The specification's event codes (its event table, shared with ZKTeco's access panels).
# 0 (granted) and 27 (unregistered, no user) are also seen in public servers' captures.
GRANTED_EVENTS: Final = frozenset({0, 1, 2, 3, 4})
DENIED_EVENTS: Final = frozenset({20, 21, 22, 23, 24, 25, 27, 29, 30})
DENIED_REASONS: Final = {
    20: "too_soon",
    21: "door_inactive",
    22: "outside_time_zone",
    23: "denied",
    24: "anti_passback",
    25: "interlock",
    27: "not_registered",
    29: "expired",
    30: "wrong_password",
}
_OTHER_CLASSES: Final = {
    200: DoorEventClass.DOOR_OPENED,
    201: DoorEventClass.DOOR_CLOSED,
    202: DoorEventClass.EXIT_BUTTON,
    100: DoorEventClass.ALARM,
    101: DoorEventClass.ALARM,
    102: DoorEventClass.ALARM,
    103: DoorEventClass.ALARM,
}


def door_event_class(event: int) -> DoorEventClass:
    """Classify an ``rtlog`` event code; codes outside the table are OTHER, never guessed."""
    if event in GRANTED_EVENTS:
        return DoorEventClass.GRANTED
    if event in DENIED_EVENTS:
        return DoorEventClass.DENIED
    return _OTHER_CLASSES.get(event, DoorEventClass.OTHER)


class DoorSensor(StrEnum):
    """Door 1's sensor in ``rtstate``."""

    NONE = "none"  # no door sensor wired or configured
    CLOSED = "closed"
    OPEN = "open"


class DoorAlarm(StrEnum):
    """Door 1's alarm bits in ``rtstate`` that are shown."""

    FORCED_OPEN = "forced_open"
    TAMPER = "tamper"
    DURESS = "duress"


_ALARM_BITS: Final = {
    DoorAlarm.FORCED_OPEN: 0b0001,
    DoorAlarm.TAMPER: 0b0010,
    DoorAlarm.DURESS: 0b1100,  # duress password or duress fingerprint
}
_SENSOR_STATES: Final = {0: DoorSensor.NONE, 1: DoorSensor.CLOSED, 2: DoorSensor.OPEN}


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorEventLine:
    """One ``rtlog`` line; ``user_id`` and ``card`` are None when the terminal sent 0."""

    time: datetime
    event: int
    door: int
    user_id: str | None = None
    card: str | None = None
    verify: int | None = None
    in_out: int | None = None

    @property
    def event_class(self) -> DoorEventClass:
        """What the event code says."""
        return door_event_class(self.event)


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorStateLine:
    """One ``rtstate`` line, door 1; ``sensor`` None when not reported or not readable."""

    time: datetime
    sensor: DoorSensor | None = None
    alarms: frozenset[DoorAlarm] | None = None  # None: no alarm field


def _optional_id(values: dict[str, str], key: str) -> str | None:
    value = values.get(key, "").strip()
    return None if value in {"", "0"} else value


def _door_event(line: str) -> DoorEventLine:
    values = key_values(line.split("\t"))
    if "time" not in values or "event" not in values:
        raise ValueError("time or event missing")
    user_id = _optional_id(values, "pin")
    if user_id is not None and not is_valid_user_id(user_id):
        raise ValueError("bad user id")
    card = _optional_id(values, "cardno")
    if card is not None and _CARD.fullmatch(card) is None:
        raise ValueError("bad card number")
    verify = values.get("verifytype")
    in_out = values.get("inoutstatus")
    return DoorEventLine(
        time=parse_time(values["time"]),
        event=small_int(values["event"], 0, 65535),
        door=small_int(values.get("eventaddr", "1"), 0, 255),
        user_id=user_id,
        card=card,
        verify=small_int(verify, 0, 255) if verify else None,
        in_out=small_int(in_out, 0, 255) if in_out else None,
    )


def _hex(values: dict[str, str], key: str) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if _HEX.fullmatch(value) is None:
        raise ValueError(f"{key} is not hexadecimal bytes")
    return value


def _door_state(line: str) -> DoorStateLine:
    values = key_values(line.split("\t"))
    if "time" not in values:
        raise ValueError("time missing")
    sensor_text = _hex(values, "sensor")
    alarm_text = _hex(values, "alarm")
    sensor = None
    if sensor_text is not None and len(sensor_text) == 2:
        sensor = _SENSOR_STATES.get(int(sensor_text, 16) & 0b11)
    alarms = None
    if alarm_text is not None:
        door_one = int(alarm_text[:2], 16)
        alarms = frozenset(alarm for alarm, bits in _ALARM_BITS.items() if door_one & bits)
    return DoorStateLine(time=parse_time(values["time"]), sensor=sensor, alarms=alarms)


def _read[T](body: bytes, read_line: Callable[[str], T]) -> ParsedLines[T]:
    records: list[T] = []
    malformed = 0
    first_reason: str | None = None
    for number, line in enumerate(body_lines(body), start=1):
        reason: str | None = None
        if len(line) > MAX_LINE_LENGTH:
            reason = f"longer than {MAX_LINE_LENGTH} characters"
        else:
            try:
                records.append(read_line(line))
            except ValueError as err:
                reason = str(err)[:80]
        if reason is not None:
            malformed += 1
            if first_reason is None:
                first_reason = f"line {number}: {reason}"
    return ParsedLines(
        records=tuple(records), malformed=malformed, first_malformed_reason=first_reason
    )


def parse_rtlog(body: bytes) -> ParsedLines[DoorEventLine]:
    """Read an ``rtlog`` body (the body caps apply: BodyTooLargeError)."""
    return _read(body, _door_event)


def parse_rtstate(body: bytes) -> ParsedLines[DoorStateLine]:
    """Read an ``rtstate`` body (the body caps apply: BodyTooLargeError)."""
    return _read(body, _door_state)
