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
    """Decodes u32 times, caching each day's midnight by the day part of the raw value.

    A log of 200k punches spans a few hundred days, so nearly every decode is one dict
    lookup plus ``datetime.replace``. Invalid dates (31 February) decode to ``None``.
    """

    __slots__ = ("_invalid_days", "_midnights")

    def __init__(self) -> None:
        self._midnights: dict[int, datetime] = {}
        self._invalid_days: set[int] = set()

    def decode(self, raw: int) -> datetime | None:
        """Return the datetime for a raw u32 value, or None if it names no real date."""
        day_number, second_of_day = divmod(raw, SECONDS_PER_DAY)
        midnight = self._midnights.get(day_number)
        if midnight is None:
            midnight = self._midnight(day_number)
            if midnight is None:
                return None
        return midnight.replace(
            hour=second_of_day // 3600, minute=second_of_day // 60 % 60, second=second_of_day % 60
        )

    def _midnight(self, day_number: int) -> datetime | None:
        if day_number in self._invalid_days:
            return None
        month_number, day_index = divmod(day_number, _DAYS_PER_MONTH)
        year_index, month_index = divmod(month_number, _MONTHS_PER_YEAR)
        try:
            midnight = datetime(FIRST_YEAR + year_index, month_index + 1, day_index + 1)
        except ValueError:
            self._invalid_days.add(day_number)
            return None
        self._midnights[day_number] = midnight
        return midnight


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
