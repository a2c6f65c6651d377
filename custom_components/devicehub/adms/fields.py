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


def parse_time(text: str) -> datetime:
    """A terminal time ``yyyy-mm-dd hh:mm:ss``, naive (terminal local time)."""
    return datetime.strptime(text.strip(), TIME_FORMAT)


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
    """An integer within bounds, or ValueError."""
    value = int(text.strip())
    if not low <= value <= high:
        raise ValueError(f"{value} out of range")
    return value
