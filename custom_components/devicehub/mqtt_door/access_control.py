"""Contract 1.1 access-control payloads: contact, doorbell, access, alarms, tag, relays.

Each is a feature the door declares in its hand_shake; a door that does not declare one never
gets its entities, and its topics are dropped as undeclared. Card numbers and other
credential values are masked here, before they reach a state, a log or the diagnostics.
"""

from dataclasses import dataclass
from enum import StrEnum
import json
from typing import Any, Final

from .errors import DropReason, PayloadError
from .payloads import (
    Payload,
    decode_text,
    delivery_id,
    json_object,
    normalize_timestamp,
    optional_text,
)

MAX_TAG_LENGTH: Final = 64  # characters of a scanned tag id
MAX_RELAYS: Final = 16
MASK_KEEP: Final = 4  # characters of a credential kept at its end: "****4321"


class ContactState(StrEnum):
    """Payloads of `contact` (retained)."""

    OPEN = "open"
    CLOSED = "closed"


class AccessResult(StrEnum):
    """Event types of the access event entity."""

    GRANTED = "granted"
    DENIED = "denied"


class Credential(StrEnum):
    """How a person asked for access."""

    CARD = "card"
    FINGERPRINT = "fingerprint"
    FACE = "face"
    PIN = "pin"
    QR = "qr"
    OTHER = "other"


class AlarmKind(StrEnum):
    """The alarms of `alarm/<kind>` (retained `on` / `off`)."""

    TAMPER = "tamper"
    FORCED_OPEN = "forced_open"
    DURESS = "duress"


class RelayState(StrEnum):
    """Payloads of `relay/<key>` from the door and of the `relay_command` state."""

    ON = "on"
    OFF = "off"


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactReport:
    """One `contact` message (a repeated state is a new report)."""

    is_open: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Ring:
    """A doorbell press; `delivery_id` is the door's event id (contract 1.1) if it sent one."""

    timestamp: str | None = None
    delivery_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessAttempt:
    """A granted or denied attempt at a door or a terminal; `credential_id` is already masked."""

    result: AccessResult
    credential: Credential
    user_id: str | None = None
    user_name: str | None = None
    credential_id: str | None = None
    reason: str | None = None
    timestamp: str | None = None
    delivery_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmReport:
    """One `alarm/<kind>` message."""

    kind: AlarmKind
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RelayReport:
    """One `relay/<key>` message: the output's state as the door confirms it."""

    key: str
    is_on: bool


def mask_credential(value: str) -> str:
    """Keep only the last few characters of a card number, PIN or QR text."""
    if len(value) <= MASK_KEEP:
        return "*" * len(value)
    return "*" * 4 + value[-MASK_KEEP:]


def _word(payload: Payload) -> str:
    return decode_text(payload, limit=64).strip().lower()


def parse_contact(payload: Payload) -> ContactReport:
    """Parse `open` / `closed`."""
    try:
        return ContactReport(is_open=ContactState(_word(payload)) is ContactState.OPEN)
    except ValueError as err:
        raise PayloadError(DropReason.UNKNOWN_STATE, "contact") from err


def parse_ring(payload: Payload) -> Ring:
    """Parse `{"ts"?, "id"?}`; an empty payload is a bare press."""
    data = json_object(payload, empty_allowed=True)
    return Ring(timestamp=normalize_timestamp(data.get("ts")), delivery_id=delivery_id(data))


def _credential(value: Any) -> Credential:
    if value is None:
        return Credential.OTHER
    if not isinstance(value, str):
        raise PayloadError(DropReason.INVALID_PAYLOAD, "credential is not text")
    try:
        return Credential(value)
    except ValueError:
        return Credential.OTHER


def parse_access(payload: Payload) -> AccessAttempt:
    """Parse `{result, credential?, user_id?, name?, credential_id?, reason?, ts?, id?}`."""
    data = json_object(payload)
    try:
        result = AccessResult(str(data.get("result")))
    except ValueError as err:
        raise PayloadError(DropReason.INVALID_PAYLOAD, "result is not granted/denied") from err
    # The detail of an error never carries the credential itself.
    try:
        credential_id = optional_text(data, "credential_id", limit=MAX_TAG_LENGTH)
    except PayloadError as err:
        raise PayloadError(DropReason.INVALID_PAYLOAD, "bad credential_id") from err
    return AccessAttempt(
        result=result,
        credential=_credential(data.get("credential")),
        user_id=optional_text(data, "user_id"),
        user_name=optional_text(data, "name"),
        credential_id=None if credential_id is None else mask_credential(credential_id),
        reason=optional_text(data, "reason"),
        timestamp=normalize_timestamp(data.get("ts")),
        delivery_id=delivery_id(data),
    )


def parse_alarm(kind: str, payload: Payload) -> AlarmReport:
    """Parse `on` / `off` of `alarm/<kind>`."""
    try:
        alarm = AlarmKind(kind)
    except ValueError as err:
        raise PayloadError(DropReason.UNDECLARED, "unknown alarm kind") from err
    try:
        state = RelayState(_word(payload))
    except ValueError as err:
        raise PayloadError(DropReason.UNKNOWN_STATE, "alarm") from err
    return AlarmReport(kind=alarm, active=state is RelayState.ON)


def parse_tag(payload: Payload) -> str:
    """Parse `{"tag_id"}`: the id goes to Home Assistant's tags only, never to a log."""
    try:
        tag_id = optional_text(json_object(payload), "tag_id", limit=MAX_TAG_LENGTH)
    except PayloadError as err:
        raise PayloadError(err.reason, "bad tag") from err
    if tag_id is None or not tag_id.isprintable():
        raise PayloadError(DropReason.INVALID_PAYLOAD, "bad tag")
    return tag_id


def parse_relay(key: str, payload: Payload) -> RelayReport:
    """Parse `on` / `off` of `relay/<key>`."""
    try:
        return RelayReport(key=key, is_on=RelayState(_word(payload)) is RelayState.ON)
    except ValueError as err:
        raise PayloadError(DropReason.UNKNOWN_STATE, "relay") from err


def relay_command_payload(key: str, turn_on: bool) -> str:
    """Return the `relay_command` payload Home Assistant sends."""
    state = RelayState.ON if turn_on else RelayState.OFF
    return json.dumps({"relay": key, "state": state.value})
