"""The terminal's view of an exchange: outcomes, request records, reply readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class UploadResult(StrEnum):
    """What one upload attempt came to."""

    ACCEPTED = "accepted"  # the server answered OK: the batch is delivered
    REFUSED = "refused"  # any other answer: the batch is sent again later
    UNREACHABLE = "unreachable"  # no answer at all
    OFFLINE = "offline"  # the terminal is in an offline spell: nothing sent
    NOTHING = "nothing"  # nothing to upload


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the terminal made and the answer it got (status 0 = no answer)."""

    method: str
    endpoint: str
    status: int
    reply: str
    table: str | None = None
    lines: int = 0


@dataclass(frozen=True, slots=True)
class ExecutedCommand:
    """A command the terminal received and what it answered."""

    command_id: str
    text: str
    return_code: int


def time_zone(value: str | None) -> timedelta | None:
    """The handshake's TimeZone: hours when -12 < v < 12, otherwise minutes."""
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return timedelta(hours=number) if -12 < number < 12 else timedelta(minutes=number)


def key_values(reply: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in reply.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values
