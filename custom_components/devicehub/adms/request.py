"""Which request a terminal made: method and path onto a RequestKind, serial checked."""

from collections.abc import Mapping
import re
from types import MappingProxyType
from typing import Final

from .errors import AdmsRequestError, RefusalReason
from .models import AdmsRequest, RequestKind

ICLOCK_PREFIX: Final = "/iclock/"
# Serial numbers are printable ASCII letters and digits; ZKTeco serials are 13-15 long.
MAX_SERIAL_LENGTH: Final = 32
_SERIAL: Final = re.compile(r"[A-Za-z0-9]{1,32}")
MAX_QUERY_VALUE_LENGTH: Final = 1_024

_ENDPOINTS: Final = {
    "cdata": {"GET": RequestKind.HANDSHAKE, "POST": RequestKind.UPLOAD},
    "fdata": {"POST": RequestKind.UPLOAD},  # the specification's other ATTPHOTO address
    "getrequest": {"GET": RequestKind.POLL},
    "devicecmd": {"POST": RequestKind.COMMAND_RESULT},
    "registry": {"POST": RequestKind.REGISTRY, "GET": RequestKind.REGISTRY},
    "push": {"GET": RequestKind.PUSH, "POST": RequestKind.PUSH},
    "ping": {"GET": RequestKind.PING},
    "querydata": {"POST": RequestKind.QUERY_DATA},
}
# Endpoints a Home Assistant view serves, one URL each (``/iclock/<name>``).
ENDPOINT_NAMES: Final = tuple(_ENDPOINTS)


def is_valid_serial(serial: object) -> bool:
    """Tell whether a serial number is 1 to 32 ASCII letters and digits."""
    return isinstance(serial, str) and _SERIAL.fullmatch(serial) is not None


def endpoint_name(path: str) -> str:
    """The endpoint of an ``/iclock/...`` path; some firmware appends ``.aspx``."""
    if not path.startswith(ICLOCK_PREFIX):
        raise AdmsRequestError(RefusalReason.UNKNOWN_PATH, "not under /iclock/")
    name = path.removeprefix(ICLOCK_PREFIX).rstrip("/").removesuffix(".aspx")
    if name not in _ENDPOINTS:
        raise AdmsRequestError(RefusalReason.UNKNOWN_PATH, f"endpoint {name[:32]!r}")
    return name


def parse_request(method: str, path: str, query: Mapping[str, str]) -> AdmsRequest:
    """Classify a terminal request; raise AdmsRequestError for a bad serial or unknown path.

    A known endpoint called with a method it does not take is RequestKind.UNKNOWN (counted,
    not an error), so a view can answer it without guessing.
    """
    name = endpoint_name(path)
    serial = query.get("SN")
    if not is_valid_serial(serial):
        raise AdmsRequestError(RefusalReason.BAD_SERIAL)
    assert serial is not None  # is_valid_serial checked it
    if any(len(value) > MAX_QUERY_VALUE_LENGTH for value in query.values()):
        raise AdmsRequestError(RefusalReason.BAD_QUERY, "query value too long")
    kind = _ENDPOINTS[name].get(method.upper(), RequestKind.UNKNOWN)
    table = query.get("table")
    if kind is RequestKind.HANDSHAKE and table:
        kind = RequestKind.UNKNOWN  # e.g. table=RemoteAtt (remote attendance): not served
    if kind is RequestKind.UPLOAD and not table:
        raise AdmsRequestError(RefusalReason.MISSING_TABLE)
    return AdmsRequest(
        kind=kind,
        serial=serial,
        table=table or None,
        stamp=query.get("Stamp"),
        push_version=query.get("pushver"),
        language=query.get("language"),
        options=query.get("options"),
        info=query.get("INFO"),
        query=MappingProxyType(dict(query)),
    )
