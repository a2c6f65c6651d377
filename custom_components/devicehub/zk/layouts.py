"""Which record layout a dataset is in, decided from evidence rather than divisibility.

The terminal never says how long its records are. Divisibility alone cannot tell (8 records
of 49 bytes are 49 records of 8 bytes), so every size the bytes could have is weighed:

* the record count, when the terminal gives one: size x count must be the body length
  (give or take the punches made between reading the count and the log);
* what decodes: a sample of records must carry dates near the terminal's clock, punch and
  verify states in range, readable user ids of users that exist;
* the firmware family, only to choose between sizes that pass both tests equally.

When no size passes, or two pass and nothing tells them apart, TerminalLayoutUnknown is
raised: a guess never reaches the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from struct import Struct

from .errors import TerminalLayoutUnknown
from .models import User
from .records import (
    ATTENDANCE_RECORD_SIZES,
    TFT_HEAD,
    USER_RECORD_SIZES,
    Buffer,
    dataset_body,
    tft_record,
)
from .timecodec import TimeDecoder

# Punches made between reading the count and reading the log (or a count off by a reset).
STALE_COUNT_SLACK = 2
# Records decoded per candidate size, spread over the whole dataset.
SAMPLE_RECORDS = 48
# A size is believed when more than this share of its sample decodes plausibly (a log may
# hold a few corrupt records: those are skipped and counted, not a reason to refuse).
PLAUSIBLE_SHARE = 0.5
# Dates further from the terminal's clock than this are not what it recorded.
MAX_RECORD_AGE = timedelta(days=20 * 366)
MAX_RECORD_AHEAD = timedelta(days=366)
# Without the clock: real punches are never at the epoch's first day (what zeros decode to).
_NO_CLOCK_EARLIEST = datetime(2000, 1, 2)
_NO_CLOCK_LATEST = datetime(2099, 12, 31, 23, 59, 59)
# Attendance states (check-in/out, breaks, overtime) fit in a nibble; 255 means "none".
_PUNCH_STATES = frozenset(range(16)) | {255}
_MAX_VERIFY = 63
# Privilege: bit 0 "disabled", bits 1-3 the level (user 0 ... admin 14).
_MAX_PRIVILEGE = 15

# Platform/model words of each family, to break ties between equally plausible sizes.
_FAMILY_SIZES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("ZAM170", "ZAM180", "SPEEDFACE", "-VL"), 49),
    (("ZEM500",), 8),
    (("_TFT", "ZMM", "JZ4725", "ZEM5", "ZEM6", "ZEM7", "ZEM8"), 40),
    (("ZK6", "_BW"), 16),
)

_U16 = Struct("<H")
_U32 = Struct("<I")
# numeric user_id, time, verify, punch: the head of a 16-byte record
_SIXTEEN = Struct("<IIBB")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known about the terminal when its dataset arrives.

    ``count`` is its record count (None when its counters reply has none), ``clock`` its
    clock, ``family`` what it said of its platform/model/firmware, ``users`` its users
    when they were read (None: not read).
    """

    count: int | None
    clock: datetime | None = None
    family: str = ""
    users: Sequence[User] | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    size: int
    count_matches: bool  # size x count is exactly the body length
    plausible_share: float
    family_prefers: bool


def attendance_sizes(body_bytes: int, count: int | None) -> tuple[int, ...]:
    """Record sizes whose whole records make up ``body_bytes``, longer TFT strides included."""
    sizes = [size for size in ATTENDANCE_RECORD_SIZES if body_bytes % size == 0]
    if count and body_bytes % count == 0:
        stride = body_bytes // count
        if stride > TFT_HEAD and stride not in sizes:
            sizes.append(stride)
    return tuple(sizes)


def count_allows(body_bytes: int, size: int, count: int | None) -> bool:
    """Whether ``size``-byte records agree with the terminal's count (unknown: they do).

    The count is read before the log, and a busy terminal records punches in between: the
    log may hold more records than counted, never fewer than the slack allows. Up to twice
    the count plus the slack is allowed; that still tells 8 records of 49 bytes from 49 of 8.
    """
    if count is None:
        return True
    records = body_bytes // size
    return count - STALE_COUNT_SLACK <= records <= 2 * count + STALE_COUNT_SLACK


def possible_attendance_sizes(body_bytes: int, count: int | None) -> tuple[int, ...]:
    """The attendance record sizes neither the length nor the count rules out."""
    return tuple(
        size
        for size in attendance_sizes(body_bytes, count)
        if count_allows(body_bytes, size, count)
    )


def user_sizes(body_bytes: int) -> tuple[int, ...]:
    """User record sizes whose whole records make up ``body_bytes``."""
    return tuple(size for size in USER_RECORD_SIZES if body_bytes % size == 0)


def decide_attendance_layout(dataset: Buffer, evidence: Evidence) -> int:
    """The record size of an attendance dataset; TerminalLayoutUnknown if none fits."""
    body = dataset_body(dataset)
    sizes = attendance_sizes(len(body), evidence.count)
    return _decide("attendance", body, sizes, evidence, _attendance_check(evidence))


def decide_user_layout(dataset: Buffer, evidence: Evidence) -> int:
    """The record size of a users dataset; TerminalLayoutUnknown if none fits."""
    body = dataset_body(dataset)
    if not body:
        return USER_RECORD_SIZES[0]
    return _decide("users", body, user_sizes(len(body)), evidence, _user_check)


# (dataset body, offset of a record, record size) -> whether the record looks real
type _Check = Callable[[memoryview, int, int], bool]


def _decide(
    dataset: str, body: memoryview, sizes: tuple[int, ...], evidence: Evidence, check: _Check
) -> int:
    def refuse(reason: str) -> TerminalLayoutUnknown:
        return TerminalLayoutUnknown(
            dataset, len(body), evidence.count, sizes, evidence.family, reason
        )

    if not body:
        return sizes[0] if sizes else TFT_HEAD
    count = evidence.count
    candidates: list[_Candidate] = []
    for size in sizes:
        records = len(body) // size
        if not count_allows(len(body), size, count):
            continue
        share = _plausible_share(body, size, check)
        if share > PLAUSIBLE_SHARE:
            candidates.append(
                _Candidate(size, records == count, share, _family_prefers(evidence.family, size))
            )
    if not candidates:
        return _raise(refuse("no size gives both the count and plausible values"))
    candidates.sort(
        key=lambda c: (c.count_matches, c.family_prefers, c.plausible_share), reverse=True
    )
    best = candidates[0]
    if len(candidates) > 1:
        runner_up = candidates[1]
        if (best.count_matches, best.family_prefers) == (
            runner_up.count_matches,
            runner_up.family_prefers,
        ) and runner_up.plausible_share > PLAUSIBLE_SHARE:
            ambiguous = f"{best.size} and {runner_up.size} bytes both decode plausibly"
            return _raise(refuse(ambiguous))
    return best.size


def _raise(error: TerminalLayoutUnknown) -> int:
    raise error


def _family_prefers(family: str, size: int) -> bool:
    words = family.upper()
    for markers, family_size in _FAMILY_SIZES:
        if any(marker in words for marker in markers):
            return family_size == size or (family_size == 49 and size > TFT_HEAD)
    return False


def _plausible_share(body: memoryview, size: int, check: _Check) -> float:
    records = len(body) // size
    if records == 0:
        return 0.0
    step = max(1, records // SAMPLE_RECORDS)
    sample = range(0, records, step)
    plausible = sum(1 for index in sample if check(body, index * size, size))
    return plausible / len(sample)


def _attendance_check(evidence: Evidence) -> _Check:
    """The plausibility test of one record, by its size (bound per dataset)."""
    if evidence.clock is None:
        earliest, latest = _NO_CLOCK_EARLIEST, _NO_CLOCK_LATEST
    else:
        earliest = evidence.clock - MAX_RECORD_AGE
        latest = evidence.clock + MAX_RECORD_AHEAD
    decode = TimeDecoder().decode
    users = evidence.users or ()
    uids = {user.uid for user in users}
    user_ids = {user.user_id for user in users}

    def date_ok(raw: int) -> bool:
        when = decode(raw)
        return when is not None and earliest <= when <= latest

    def check(body: memoryview, offset: int, size: int) -> bool:
        if size == 8:
            (uid,) = _U16.unpack_from(body, offset)
            (raw,) = _U32.unpack_from(body, offset + 4)
            return date_ok(raw) and (not uids or uid in uids)
        if size == 16:
            number, raw, verify, punch = _SIXTEEN.unpack_from(body, offset)
            return (
                date_ok(raw)
                and punch in _PUNCH_STATES
                and verify <= _MAX_VERIFY
                and (str(number) in user_ids if user_ids else number > 0)
            )
        _uid, raw_user_id, verify, raw, punch = tft_record(TFT_HEAD).unpack_from(body, offset)
        user_id = _text(raw_user_id)
        return (
            date_ok(raw)
            and punch in _PUNCH_STATES
            and verify <= _MAX_VERIFY
            and user_id is not None
            and (user_id in user_ids if user_ids else True)
        )

    return check


def _text(raw: bytes) -> str | None:
    """A NUL-padded ASCII id, or None when it is empty or not printable text."""
    text = raw.split(b"\0", 1)[0]
    if not text or not text.isascii():
        return None
    decoded = text.decode("ascii")
    return decoded if decoded.isprintable() else None


def _user_check(body: memoryview, offset: int, size: int) -> bool:
    privilege = body[offset + 2]
    if privilege > _MAX_PRIVILEGE:
        return False
    if size == 72:
        return _text(bytes(body[offset + 48 : offset + 72])) is not None
    number: int = _U32.unpack_from(body, offset + 24)[0]
    return number > 0
