"""The terminal's time encodings: 31-day months packed in a u32, and the 6-byte event form.

Times are naive and in the terminal's local time; years 2000-2099 only.
"""

from __future__ import annotations

from datetime import datetime

SECONDS_PER_DAY = 86_400
_DAYS_PER_MONTH = 31
_MONTHS_PER_YEAR = 12
FIRST_YEAR = 2000
LAST_YEAR = 2099


def encode_time(when: datetime) -> int:
    """Pack a naive datetime into the terminal's u32 form."""
    if when.tzinfo is not None:
        raise ValueError("terminal times are naive local times")
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise ValueError(f"year {when.year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    days = ((when.year % 100) * _MONTHS_PER_YEAR + when.month - 1) * _DAYS_PER_MONTH + when.day - 1
    return days * SECONDS_PER_DAY + (when.hour * 60 + when.minute) * 60 + when.second


class TimeDecoder:
    """Decodes u32 times, remembering each decoded day and value.

    Attendance logs repeat days heavily and often repeat exact times; caching keeps the
    decode of 200k records mostly dictionary lookups. Invalid dates (31 February) decode to
    ``None``.
    """

    __slots__ = ("_days", "_invalid", "_values")

    def __init__(self) -> None:
        self._days: dict[int, tuple[int, int, int] | None] = {}
        self._values: dict[int, datetime] = {}
        self._invalid: set[int] = set()

    def decode(self, raw: int) -> datetime | None:
        """Return the datetime for a raw u32 value, or None if it names no real date."""
        value = self._values.get(raw)
        if value is not None or raw in self._invalid:
            return value
        day_number, second_of_day = divmod(raw, SECONDS_PER_DAY)
        ymd = self._day(day_number)
        if ymd is None:
            self._invalid.add(raw)
            return None
        hour, rest = divmod(second_of_day, 3600)
        minute, second = divmod(rest, 60)
        value = datetime(ymd[0], ymd[1], ymd[2], hour, minute, second)
        self._values[raw] = value
        return value

    def _day(self, day_number: int) -> tuple[int, int, int] | None:
        if day_number in self._days:
            return self._days[day_number]
        month_number, day_index = divmod(day_number, _DAYS_PER_MONTH)
        year_index, month_index = divmod(month_number, _MONTHS_PER_YEAR)
        year, month, day = FIRST_YEAR + year_index, month_index + 1, day_index + 1
        ymd: tuple[int, int, int] | None = (year, month, day)
        try:
            datetime(year, month, day)
        except ValueError:
            ymd = None
        self._days[day_number] = ymd
        return ymd


def decode_time(raw: int) -> datetime | None:
    """Decode one u32 time (no caching)."""
    return TimeDecoder().decode(raw)


def decode_event_time(six: bytes) -> datetime | None:
    """Decode the 6-byte event time (year-2000, month, day, hour, minute, second)."""
    if len(six) != 6:
        return None
    try:
        return datetime(FIRST_YEAR + six[0], six[1], six[2], six[3], six[4], six[5])
    except ValueError:
        return None
