"""The catch-up parse: the log from its first record at or after the cursor's time.

The scan reads only the time field; it must start exactly where the whole parse finds the
first record at or after that time, and keep every record the whole parse keeps from there:
in a log in time order, in one whose clock went back, at the threshold's own second and
hours, and with impossible dates and a trailing partial record.
"""

from datetime import datetime, timedelta
import random

import pytest

from custom_components.devicehub.zk.records import (
    ATTENDANCE_RECORD_SIZES,
    parse_attendance,
    parse_attendance_after,
    time_offset,
    times_at_or_after,
)
from custom_components.devicehub.zk.timecodec import encode_time
from tools.zksim.attlog import AttendanceLog
from tools.zksim.records import AttendanceRecord as SimRecord

START = datetime(2026, 3, 1, 8, 0, 0)


def _log(times: list[datetime]) -> AttendanceLog:
    log = AttendanceLog()
    for index, when in enumerate(times):
        log.append(SimRecord(uid=index % 7 + 1, user_id=str(index % 7 + 1), timestamp=when))
    return log


def _shuffled_times(count: int) -> list[datetime]:
    """Minutes to months apart, with the clock set back twice along the way."""
    rng = random.Random(17)
    times = [START + timedelta(seconds=rng.randrange(0, 200 * 86_400)) for _ in range(count)]
    times.sort()
    times[count // 3] = START - timedelta(days=30)  # clock went back
    times[count // 2] = times[-1] + timedelta(hours=1)  # a future time in the middle
    return times


@pytest.mark.parametrize("size", ATTENDANCE_RECORD_SIZES)
@pytest.mark.parametrize("pick", [0, 1, 250, 499, 500, 998, 999])
def test_after_starts_where_the_whole_parse_finds_the_first_new_record(
    size: int, pick: int
) -> None:
    """Every threshold, every layout: the whole parse's records from the first new one."""
    times = _shuffled_times(1_000)
    dataset = _log(times).dataset(size)
    whole = parse_attendance(dataset, 1_000, record_size=size).records
    after = sorted(times)[pick] + timedelta(seconds=pick % 2)
    got = parse_attendance_after(dataset, 1_000, record_size=size, after=after)
    first = next((n for n, record in enumerate(whole) if record.timestamp >= after), len(whole))
    assert got.records == whole[first:]
    new = [record for record in whole if record.timestamp >= after]
    assert [record for record in got.records if record.timestamp >= after] == new
    assert got.invalid == 0


@pytest.mark.parametrize("size", ATTENDANCE_RECORD_SIZES)
def test_a_log_in_time_order_gives_only_the_new_records(size: int) -> None:
    """The usual catch-up: 10 new punches at the end of a long log, and nothing else."""
    times = [START + timedelta(minutes=n) for n in range(5_000)]
    dataset = _log(times).dataset(size)
    got = parse_attendance_after(dataset, 5_000, record_size=size, after=times[-10])
    assert [record.timestamp for record in got.records] == times[-10:]


@pytest.mark.parametrize("size", ATTENDANCE_RECORD_SIZES)
def test_same_second_and_same_hours_are_read_exactly(size: int) -> None:
    """Times sharing the threshold's top bytes are compared whole: one second decides."""
    cursor = datetime(2026, 5, 4, 12, 0, 0)
    times = [cursor + timedelta(seconds=offset) for offset in (-7200, -1, 0, 1, 3600, -2)]
    dataset = _log(times).dataset(size)
    got = parse_attendance_after(dataset, len(times), record_size=size, after=cursor)
    assert [record.timestamp for record in got.records] == [
        cursor,
        cursor + timedelta(seconds=1),
        cursor + timedelta(hours=1),
        cursor - timedelta(seconds=2),  # after the first new record in the log: kept
    ]


@pytest.mark.parametrize("size", ATTENDANCE_RECORD_SIZES)
def test_impossible_dates_and_partial_records_after_the_cursor_are_counted(size: int) -> None:
    """A 31 April (or any impossible date) after the first new record in the log is
    skipped and counted, as the whole parse does; so is a trailing partial record."""
    times = [START + timedelta(days=day) for day in range(10)]
    dataset = bytearray(_log(times).dataset(size))
    offset = 4 + 9 * size + time_offset(size)
    # 30 April and a day, in the terminal's 31-day months: 31 April.
    dataset[offset : offset + 4] = (encode_time(datetime(2026, 4, 30)) + 86_400).to_bytes(
        4, "little"
    )
    dataset += b"\x01" * (size - 1)  # a trailing partial record
    dataset[0:4] = (len(dataset) - 4).to_bytes(4, "little")
    got = parse_attendance_after(dataset, 10, record_size=size, after=START + timedelta(days=5))
    assert [record.timestamp.day for record in got.records] == [6, 7, 8, 9]
    assert got.invalid == 2


def test_nothing_new_and_empty_logs() -> None:
    """A log all before the cursor, an empty dataset and a memoryview all work."""
    dataset = _log([START, START + timedelta(minutes=1)]).dataset(40)
    later = START + timedelta(days=1)
    assert parse_attendance_after(dataset, 2, record_size=40, after=later).records == []
    assert parse_attendance_after(b"", 0, after=later).records == []
    view = memoryview(dataset)
    assert len(parse_attendance_after(view, 2, after=START).records) == 2


def test_a_cursor_outside_the_encodable_years_reads_everything() -> None:
    """Times the terminal cannot encode compare with no raw value: the whole log is parsed."""
    dataset = _log([START, START + timedelta(minutes=1)]).dataset(16)
    got = parse_attendance_after(dataset, 2, record_size=16, after=datetime(1999, 12, 31))
    assert len(got.records) == 2


def test_scan_marks_one_byte_per_record() -> None:
    """The marks are per record, in log order."""
    times = [START, START + timedelta(days=400), START - timedelta(days=1), START]
    dataset = _log(times).dataset(8)
    marks = times_at_or_after(dataset, 4, 4, 8, encode_time(START))
    assert marks == bytes([1, 1, 0, 1])
    second = timedelta(seconds=1)
    same_hours = [START - second, START, START - timedelta(hours=2), START + second]
    marks = times_at_or_after(_log(same_hours).dataset(40), 4, 4, 40, encode_time(START))
    assert marks == bytes([0, 1, 0, 1])


def test_unknown_layout_is_refused() -> None:
    """No time field is guessed for a record size no firmware sends."""
    with pytest.raises(ValueError, match="no attendance layout of 12 bytes"):
        time_offset(12)
