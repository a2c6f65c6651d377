"""Realtime access-control events of the protocol manual, beyond attendance (no HA imports).

Layouts from the ZKTeco "Communication Protocol Manual CMD" as published in
adrobinoga/zk-protocol (sections/realtime.md): per the manual, unverified on hardware.
The event class travels in the packet's session field, as for EF_ATTLOG. A payload that fits
none of the manual's layouts is refused (UnknownAccessLayoutError), never guessed at. Live
capture registers for ACCESS_EVENT_FLAGS and decodes with decode_access_event. The manual
names EF_BUTTON and EF_UNLOCK but gives no layout for them: they are registered for, so that
their payloads are counted (and can be captured by a user), and refused.
"""

from dataclasses import dataclass
from enum import IntFlag, StrEnum
from struct import Struct
from typing import Final


class AccessEventFlag(IntFlag):
    """CMD_REG_EVENT flags of the manual beyond EF_ATTLOG (1)."""

    BUTTON = 16
    UNLOCK = 32
    VERIFY = 128
    ALARM = 512


# What live capture registers for besides EF_ATTLOG.
ACCESS_EVENT_FLAGS: Final = (
    AccessEventFlag.BUTTON | AccessEventFlag.UNLOCK | AccessEventFlag.VERIFY | AccessEventFlag.ALARM
)


class AccessEventKind(StrEnum):
    """What an access-control event says."""

    TAMPER = "tamper"
    EXIT_BUTTON = "exit_button"
    MISOPERATION = "misoperation"
    DOOR_CLOSED = "door_closed"
    DURESS = "duress"
    PASSBACK = "passback"
    VERIFY_FAILED = "verify_failed"
    VERIFIED = "verified"


class UnknownAccessLayoutError(ValueError):
    """A payload that fits none of the manual's layouts for its event class."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TerminalAccessEvent:
    """One decoded access-control event; user_sn is the terminal's user serial (uid)."""

    kind: AccessEventKind
    user_sn: int | None = None
    match_type: int | None = None


# EF_ALARM, 4 bytes: the first byte is the alarm type.
_SHORT_ALARMS: Final = {
    0x3A: AccessEventKind.MISOPERATION,
    0x37: AccessEventKind.TAMPER,
    0x35: AccessEventKind.EXIT_BUTTON,
}
# EF_ALARM, 8 bytes: the door closes (first byte 0x54, as the manual writes it).
_DOOR_CLOSED: Final = 0x54
# EF_ALARM, 12 bytes: ffffffff, u16 alarm type, u16 user serial, u32 match type.
_LONG_ALARM: Final = Struct("<4sHHI")
_LONG_ALARMS: Final = {0x20: AccessEventKind.DURESS, 0x22: AccessEventKind.PASSBACK}
# EF_VERIFY, 7 bytes: u32 user serial (0xffffffff: not identified), then 3 fixed bytes.
_VERIFY: Final = Struct("<I3s")
_UNIDENTIFIED: Final = 0xFFFFFFFF


def decode_alarm(payload: bytes) -> TerminalAccessEvent:
    """Decode an EF_ALARM payload of 4, 8 or 12 bytes."""
    if len(payload) == 4 and payload[0] in _SHORT_ALARMS:
        return TerminalAccessEvent(kind=_SHORT_ALARMS[payload[0]])
    if len(payload) == 8 and payload[0] == _DOOR_CLOSED:
        return TerminalAccessEvent(kind=AccessEventKind.DOOR_CLOSED)
    if len(payload) == _LONG_ALARM.size:
        fixed, alarm_type, user_sn, match_type = _LONG_ALARM.unpack(payload)
        if fixed == b"\xff" * 4 and alarm_type in _LONG_ALARMS:
            return TerminalAccessEvent(
                kind=_LONG_ALARMS[alarm_type], user_sn=user_sn, match_type=match_type
            )
    raise UnknownAccessLayoutError(f"EF_ALARM payload of {len(payload)} bytes fits no layout")


def decode_verify(payload: bytes) -> TerminalAccessEvent:
    """Decode an EF_VERIFY payload: who verified, or that nobody was identified."""
    if len(payload) != _VERIFY.size:
        raise UnknownAccessLayoutError(f"EF_VERIFY payload of {len(payload)} bytes fits no layout")
    user_sn, _fixed = _VERIFY.unpack(payload)
    if user_sn == _UNIDENTIFIED:
        return TerminalAccessEvent(kind=AccessEventKind.VERIFY_FAILED)
    return TerminalAccessEvent(kind=AccessEventKind.VERIFIED, user_sn=user_sn)


def decode_access_event(flag: int, payload: bytes) -> TerminalAccessEvent:
    """Decode the payload of an access-control event of class ``flag`` (the session field)."""
    if flag == AccessEventFlag.ALARM:
        return decode_alarm(payload)
    if flag == AccessEventFlag.VERIFY:
        return decode_verify(payload)
    raise UnknownAccessLayoutError(
        f"event class {flag} ({len(payload)} bytes): the manual gives no layout for it"
    )
