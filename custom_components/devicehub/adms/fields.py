"""Small readers shared by the parsers: tab-separated ``key=value`` fields, ids, times."""

from datetime import datetime
import re
from typing import Final

# User ids (PINs): digits by default, letters where the terminal allows string PINs.
MAX_USER_ID_LENGTH: Final = 24
_USER_ID: Final = re.compile(r"[A-Za-z0-9]{1,24}")
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


def is_valid_user_id(value: str) -> bool:
    """Tell whether a user id is 1 to 24 ASCII letters and digits."""
    return _USER_ID.fullmatch(value) is not None


_TIME: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_INTEGER: Final = re.compile(r"-?[0-9]{1,10}")


def parse_time(text: str) -> datetime:
    """A terminal time ``yyyy-mm-dd hh:mm:ss``, naive (terminal local time).

    The exact layout is checked first, then the C parser reads it (strptime costs ten
    times more, and a backlog has tens of thousands of lines).
    """
    text = text.strip()
    if _TIME.fullmatch(text) is None:
        raise ValueError(f"time does not match {TIME_FORMAT}")
    return datetime.fromisoformat(text)


def key_values(fields: list[str], *, strip_tilde: bool = True) -> dict[str, str]:
    """Read ``key=value`` fields; a field without ``=`` is ignored, tildes dropped."""
    values: dict[str, str] = {}
    for item in fields:
        key, sep, value = item.partition("=")
        key = key.strip()
        if strip_tilde:
            key = key.removeprefix("~")
        if sep and key:
            values[key] = value.strip()
    return values


def small_int(text: str, low: int = -(2**31), high: int = 2**31 - 1) -> int:
    """An integer of ASCII digits within bounds, or ValueError (int() alone would take
    other scripts' digits, underscores and spaces)."""
    text = text.strip()
    if _INTEGER.fullmatch(text) is None:
        raise ValueError(f"invalid integer {text[:12]!r}")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{value} out of range")
    return value
