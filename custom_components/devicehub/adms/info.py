"""Device facts: INFO results, v3 registry bodies, options uploads, getrequest's INFO=."""

from types import MappingProxyType
from typing import Final

from .fields import key_values
from .limits import MAX_LINE_LENGTH, body_lines
from .models import DeviceInfo, PollInfo

# A terminal reports a few dozen facts; more than this is not a device info body.
MAX_INFO_KEYS: Final = 512
MAX_VALUE_LENGTH: Final = 256


def _device_info(fields: list[str]) -> DeviceInfo:
    values = key_values([field for field in fields if len(field) <= MAX_LINE_LENGTH])
    kept = {
        key: value
        for key, value in list(values.items())[:MAX_INFO_KEYS]
        if len(key) <= 64 and len(value) <= MAX_VALUE_LENGTH
    }
    return DeviceInfo(values=MappingProxyType(kept))


def parse_device_info(body: bytes) -> DeviceInfo:
    """Read ``key=value`` lines (``~`` prefixes dropped), as an INFO result carries them."""
    return _device_info(body_lines(body))


def parse_registry(body: bytes) -> DeviceInfo:
    """Read a v3 registry or options body: ``key=value`` pairs separated by commas."""
    return _device_info([item for line in body_lines(body) for item in line.split(",")])


def parse_poll_info(info: str) -> PollInfo:
    """Read getrequest's ``INFO=<firmware>,<users>,<fingerprints>,<records>,<ip>,...``."""
    fields = tuple(part.strip() for part in info[:MAX_LINE_LENGTH].split(","))

    def number(index: int) -> int | None:
        if index < len(fields) and fields[index].isdigit() and len(fields[index]) <= 9:
            return int(fields[index])
        return None

    return PollInfo(
        firmware=fields[0][:MAX_VALUE_LENGTH],
        users=number(1),
        fingerprints=number(2),
        records=number(3),
        ip_address=fields[4][:64] if len(fields) > 4 and fields[4] else None,
        raw=fields,
    )
