"""Parsing and building of the door payloads other than the hand_shake."""

from datetime import UTC, datetime
import json
import math
from typing import Any, Final
from urllib.parse import urlsplit

from ..punch import punch_type, verify_method
from .errors import DropReason, PayloadError
from .models import (
    Availability,
    CallResult,
    DataPoint,
    DataPointType,
    DataPointValue,
    LockState,
    Punch,
    Stranger,
)

type Payload = bytes | bytearray | str

MAX_TEXT_BYTES: Final = 64 * 1024  # every text payload is capped before it is parsed
MAX_IMAGE_BYTES: Final = 2 * 1024 * 1024
MAX_STATE_LENGTH: Final = 255  # Home Assistant's limit on a state
MAX_FIELD_LENGTH: Final = 255
MAX_JSON_DEPTH: Final = 32
# Epoch values above this are milliseconds (this is in the year 5138 as seconds).
_EPOCH_MILLISECONDS: Final = 1e11

_IMAGE_SIGNATURES: Final = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def finite_number(value: Any) -> float | None:
    """Return a finite JSON number (not a bool) as is, None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def decode_text(payload: Payload, limit: int = MAX_TEXT_BYTES) -> str:
    """Return a text payload, refusing oversized or non UTF-8 ones."""
    if isinstance(payload, str):
        if len(payload) > limit:
            raise PayloadError(DropReason.TOO_LARGE, f"{len(payload)} characters")
        return payload
    if len(payload) > limit:
        raise PayloadError(DropReason.TOO_LARGE, f"{len(payload)} bytes")
    try:
        return bytes(payload).decode("utf-8")
    except UnicodeDecodeError as err:
        raise PayloadError(DropReason.NOT_UTF8) from err


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# One decoder for every payload: json.loads with an option builds a new decoder per call,
# which took three times as long as decoding a number.
_DECODER: Final = json.JSONDecoder(parse_constant=_refuse_constant)


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json(text: str) -> Any:
    """Decode JSON, refusing NaN/Infinity, deep nesting and overlong integers."""
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError) as err:
        raise PayloadError(DropReason.INVALID_JSON, type(err).__name__) from err
    # Home Assistant serializes attributes and responses with orjson, which stops at 255.
    if _depth(value) > MAX_JSON_DEPTH:
        raise PayloadError(DropReason.INVALID_JSON, "nested too deeply")
    return value


def json_object(payload: Payload, *, empty_allowed: bool = False) -> dict[str, Any]:
    """Decode a JSON object payload; an empty one is `{}` where that is allowed."""
    text = decode_text(payload)
    if empty_allowed and not text.strip():
        return {}
    value = load_json(text)
    if not isinstance(value, dict):
        raise PayloadError(DropReason.INVALID_PAYLOAD, "expected a JSON object")
    return value


MAX_DELIVERY_ID_LENGTH: Final = 64


def optional_text(data: dict[str, Any], key: str, limit: int = MAX_FIELD_LENGTH) -> str | None:
    """Return a text (or whole number) field of at most `limit` characters, or None."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(DropReason.INVALID_PAYLOAD, f"{key} is not text")
    text = str(value)
    if not 0 < len(text) <= limit:
        raise PayloadError(DropReason.INVALID_PAYLOAD, f"{key} has a bad length")
    return text


def normalize_timestamp(value: Any) -> str | None:
    """Return an ISO 8601 text for epoch seconds/milliseconds or an ISO 8601 string."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= 64:
        try:
            return datetime.fromisoformat(value).isoformat()
        except ValueError as err:
            raise PayloadError(DropReason.INVALID_PAYLOAD, "bad timestamp") from err
    seconds = finite_number(value)
    if seconds is None:
        raise PayloadError(DropReason.INVALID_PAYLOAD, "bad timestamp")
    if seconds > _EPOCH_MILLISECONDS:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    except (ValueError, OverflowError, OSError) as err:
        raise PayloadError(DropReason.INVALID_PAYLOAD, "bad timestamp") from err


def is_http_url(value: str) -> bool:
    """Tell whether a URL is http(s) with a host: the only ones fetched."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def parse_availability(payload: Payload) -> Availability:
    """Parse `online` / `offline`."""
    text = decode_text(payload).strip()
    try:
        return Availability(text)
    except ValueError as err:
        raise PayloadError(DropReason.UNKNOWN_STATE, "availability") from err


def parse_lock_state(payload: Payload) -> LockState:
    """Parse a lock state reported on `state`."""
    text = decode_text(payload).strip()
    try:
        return LockState(text)
    except ValueError as err:
        raise PayloadError(DropReason.UNKNOWN_STATE, "lock state") from err


def parse_stranger(payload: Payload) -> Stranger:
    """Parse `{picture_url?, ts?, event_id?}`; an empty payload is a bare sighting."""
    data = json_object(payload, empty_allowed=True)
    url = optional_text(data, "picture_url")
    if url is not None and not is_http_url(url):
        raise PayloadError(DropReason.INVALID_PAYLOAD, "picture_url is not http(s)")
    return Stranger(
        picture_url=url,
        timestamp=normalize_timestamp(data.get("ts")),
        event_id=optional_text(data, "event_id"),
        delivery_id=delivery_id(data),
    )


def parse_attendance(payload: Payload) -> Punch:
    """Parse `{user_id, name?, punch, ts, verify?}` into the shared punch vocabulary."""
    data = json_object(payload)
    user_id = optional_text(data, "user_id")
    if user_id is None:
        raise PayloadError(DropReason.INVALID_PAYLOAD, "user_id is missing")
    raw_punch = data.get("punch")
    if isinstance(raw_punch, bool) or not isinstance(raw_punch, str | int):
        raise PayloadError(DropReason.INVALID_PAYLOAD, "punch is missing")
    raw_verify = data.get("verify")
    if isinstance(raw_verify, bool) or not isinstance(raw_verify, str | int | None):
        raise PayloadError(DropReason.INVALID_PAYLOAD, "verify is not text or a code")
    return Punch(
        user_id=user_id,
        user_name=optional_text(data, "name"),
        punch=punch_type(raw_punch),
        verify=verify_method(-1 if raw_verify is None else raw_verify),
        timestamp=normalize_timestamp(data.get("ts")),
        delivery_id=delivery_id(data),
    )


def delivery_id(data: dict[str, Any]) -> str | None:
    """The event's `id` (contract 1.1): text of at most 64 characters."""
    value = optional_text(data, "id")
    if value is not None and len(value) > MAX_DELIVERY_ID_LENGTH:
        raise PayloadError(DropReason.INVALID_PAYLOAD, "id is longer than 64 characters")
    return value


def ack_event_payload(delivery_id: str) -> str:
    """The acknowledgement of a delivered event, on `ack`."""
    return json.dumps({"id": delivery_id})


def _as_int_if_whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def parse_datapoint(point: DataPoint, payload: Payload) -> DataPointValue:
    """Read a data point value per its declared type and limits."""
    if point.type is DataPointType.BYTES:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        if size > MAX_TEXT_BYTES:
            raise PayloadError(DropReason.TOO_LARGE, f"{size} bytes")
        return DataPointValue(state=size)
    text = decode_text(payload)
    if point.type is DataPointType.STRING:
        return DataPointValue(state=text.strip()[:MAX_STATE_LENGTH])
    value = load_json(text)
    if point.type is DataPointType.OBJECT:
        if not isinstance(value, dict):
            raise PayloadError(DropReason.INVALID_PAYLOAD, "expected a JSON object")
        # The state summarizes the object (its number of fields); the fields are attributes.
        return DataPointValue(state=len(value), attributes=value)
    reading = finite_number(value)
    if reading is None:
        raise PayloadError(DropReason.INVALID_PAYLOAD, "expected a number")
    if (point.minimum is not None and reading < point.minimum) or (
        point.maximum is not None and reading > point.maximum
    ):
        raise PayloadError(DropReason.OUT_OF_RANGE, str(reading))
    return DataPointValue(state=_as_int_if_whole(reading))


def parse_result(payload: Payload) -> CallResult:
    """Parse `{id, ok, data?, error?}`."""
    data = json_object(payload)
    call_id = optional_text(data, "id")
    ok = data.get("ok")
    if call_id is None or not isinstance(ok, bool):
        raise PayloadError(DropReason.INVALID_PAYLOAD, "id or ok missing")
    error = data.get("error")
    if error is not None and not isinstance(error, str):
        error = json.dumps(error)
    return CallResult(
        call_id=call_id,
        ok=ok,
        data=data.get("data"),
        error=None if error is None else error[:MAX_FIELD_LENGTH],
    )


def image_content_type(data: bytes) -> str:
    """Return the content type of a JPEG/PNG/GIF/WebP picture; refuse anything else."""
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadError(DropReason.TOO_LARGE, f"{len(data)} bytes")
    for signature, content_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise PayloadError(DropReason.INVALID_IMAGE, "not a JPEG, PNG, GIF or WebP picture")


def ack_payload(accepted: bool) -> str:
    """Return the `hand_shake/ack` payload."""
    return json.dumps({"accepted": accepted})


def command_payload(command: str, expires: float | None) -> str:
    """A command as sent on `command`: the bare word, or JSON with its deadline (1.1).

    expires is Unix time in seconds; a door declaring `expires` drops the command after it.
    """
    if expires is None:
        return command
    return json.dumps({"command": command, "expires": round(expires, 3)})


def call_payload(call_id: str, command: str, args: dict[str, Any]) -> str:
    """Return the `call` payload."""
    return json.dumps({"id": call_id, "command": command, "args": args})
