"""The terminal's time encodings: 31-day months packed in a u32, and the 6-byte event form.

Times are naive and in the terminal's local time; years 2000-2099 only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
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


# Every offset into an hour, made once: 3,600 small objects (about 200 KiB).
INTO_HOUR = tuple(timedelta(seconds=second) for second in range(SECONDS_PER_HOUR))


class TimeDecoder:
    """Decodes u32 times, caching the start of each hour by the hour part of the raw value.

    A log of 200k punches spans a few thousand hours, so nearly every decode is one dict
    lookup plus the addition of a ready-made timedelta: about half the cost of
    ``datetime.replace`` with three keywords, which was two fifths of a big log's parse.
    Invalid dates (31 February) decode to ``None``.
    """

    __slots__ = ("_invalid_days", "_midnights", "hours")

    def __init__(self) -> None:
        self.hours: dict[int, datetime | None] = {}
        self._midnights: dict[int, datetime] = {}
        self._invalid_days: set[int] = set()

    def decode(self, raw: int) -> datetime | None:
        """Return the datetime for a raw u32 value, or None if it names no real date."""
        hour_number, into_hour = divmod(raw, SECONDS_PER_HOUR)
        try:
            start = self.hours[hour_number]
        except KeyError:
            start = self.hour_start(hour_number)
        return None if start is None else start + INTO_HOUR[into_hour]

    def hour_start(self, hour_number: int) -> datetime | None:
        """The start of an hour (raw value // 3600), remembered in ``hours``; None if its
        date is not a real one. Bulk parsers look ``hours`` up themselves and call this on a
        miss: the call per record is a fifth of decoding."""
        start = self.hours[hour_number] = self._hour_start(hour_number)
        return start

    def _hour_start(self, hour_number: int) -> datetime | None:
        day_number, hour = divmod(hour_number, SECONDS_PER_DAY // SECONDS_PER_HOUR)
        midnight = self._midnights.get(day_number)
        if midnight is None:
            midnight = self._midnight(day_number)
            if midnight is None:
                return None
        return midnight.replace(hour=hour)

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
