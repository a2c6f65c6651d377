"""Record layouts decided from evidence: count, clock, plausible values, firmware family."""

from datetime import datetime, timedelta
import struct

import pytest

from custom_components.devicehub.zk.errors import TerminalLayoutUnknown
from custom_components.devicehub.zk.layouts import (
    MAX_RECORD_AGE,
    STALE_COUNT_SLACK,
    Evidence,
    count_allows,
    decide_attendance_layout,
    decide_user_layout,
    possible_attendance_sizes,
)
from custom_components.devicehub.zk.models import User
from custom_components.devicehub.zk.records import parse_attendance, parse_users
from custom_components.devicehub.zk.timecodec import encode_time

CLOCK = datetime(2025, 3, 1, 12, 0, 0)
USERS = [
    User(uid=uid, user_id=str(1000 + uid), name="", privilege=0, password="", group_id="1", card=0)
    for uid in range(1, 9)
]


def dataset(records: list[bytes]) -> bytes:
    body = b"".join(records)
    return struct.pack("<I", len(body)) + body


def tft(uid: int, when: datetime, stride: int = 40, verify: int = 1, punch: int = 0) -> bytes:
    head = struct.pack(
        "<H24sBIB8s",
        uid,
        str(1000 + uid).encode(),
        verify,
        encode_time(when),
        punch,
        b"\0\0\0\0\xff\0\0\0",
    )
    return head.ljust(stride, b"\x07")  # the tail of longer records: not zeros, to be sure


def zem500(uid: int, when: datetime, verify: int = 1, punch: int = 0) -> bytes:
    return struct.pack("<HBxI", uid, punch << 4 | verify, encode_time(when))


def bw(user_id: int, when: datetime, verify: int = 1, punch: int = 0) -> bytes:
    return struct.pack("<IIBB2sI", user_id, encode_time(when), verify, punch, b"\0\0", 0)


def times(count: int) -> list[datetime]:
    return [CLOCK - timedelta(hours=3 * index) for index in range(count, 0, -1)]


def test_documented_limits() -> None:
    """A count may be two over; dates older than 20 years are not believed."""
    assert STALE_COUNT_SLACK == 2
    assert timedelta(days=20 * 365) <= MAX_RECORD_AGE


def test_eight_records_of_49_bytes_are_not_49_of_8() -> None:
    """392 bytes: the count (8) says 49-byte records, and they decode as such."""
    data = dataset([tft(1 + i % 8, when, 49) for i, when in enumerate(times(8))])
    assert len(data) - 4 == 8 * 49 == 49 * 8
    evidence = Evidence(count=8, clock=CLOCK, users=USERS)
    assert decide_attendance_layout(data, evidence) == 49
    batch = parse_attendance(data, 8, record_size=49)
    assert [record.timestamp for record in batch.records] == times(8)
    assert [record.user_id for record in batch.records] == [str(1001 + i) for i in range(8)]


def test_punches_recorded_after_the_count_was_read() -> None:
    """A busy terminal: the count says 1070, the log read a moment later holds 1075."""
    stamps = times(1075)
    data = dataset([tft(1 + i % 8, when) for i, when in enumerate(stamps)])
    evidence = Evidence(count=1070, clock=CLOCK, users=USERS)
    assert decide_attendance_layout(data, evidence) == 40
    # Twice the count and more is not a lag any more: 8 records of 49 bytes read as 49 of 8.
    assert not count_allows(8 * 49, 8, 8)
    assert count_allows(1075 * 40, 40, 1070)
    assert not count_allows(1067 * 40, 40, 1070)


def test_300_records_of_49_bytes() -> None:
    """The log pyzk 0.9 reads as 367 records dated 2000 comes out as 300 right ones."""
    stamps = times(300)
    data = dataset([tft(1 + i % 8, when, 49) for i, when in enumerate(stamps)])
    assert decide_attendance_layout(data, Evidence(count=300, clock=CLOCK)) == 49
    assert [r.timestamp for r in parse_attendance(data, 300, record_size=49).records] == stamps


def test_49_byte_records_without_a_count() -> None:
    """No count (4-byte counters reply): the dates and user ids alone pick 49."""
    data = dataset([tft(1 + i % 8, when, 49) for i, when in enumerate(times(16))])
    assert decide_attendance_layout(data, Evidence(count=None, clock=CLOCK, users=USERS)) == 49


def test_longer_tft_stride_keeps_the_40_byte_head() -> None:
    """A stride of 56 bytes (count x 56 = length) reads its first 40 bytes."""
    data = dataset([tft(2, when, 56) for when in times(5)])
    assert possible_attendance_sizes(len(data) - 4, 5) == (40, 56)  # 7 x 40 is within slack
    assert decide_attendance_layout(data, Evidence(count=5, clock=CLOCK)) == 56
    batch = parse_attendance(data, 5, record_size=56)
    assert [r.timestamp for r in batch.records] == times(5)
    assert {r.user_id for r in batch.records} == {"1002"}


@pytest.mark.parametrize("count", [6, None])
def test_zem500_eight_byte_records(count: int | None) -> None:
    """uid, punch<<4 | verify, 0, time at offset 4; dated near the clock, not in 2087."""
    stamps = times(6)
    data = dataset([zem500(7, when, verify=8, punch=2) for when in stamps])
    evidence = Evidence(count=count, clock=CLOCK, family="ZEM500", users=USERS)
    assert decide_attendance_layout(data, evidence) == 8
    batch = parse_attendance(data, count, USERS, record_size=8)
    assert [(r.uid, r.user_id, r.verify, r.punch) for r in batch.records] == [(7, "1007", 8, 2)] * 6
    assert [r.timestamp for r in batch.records] == stamps


def test_pyzk_layout_of_8_byte_records_is_refused() -> None:
    """pyzk 0.9's own 8-byte layout (time at offset 3) decodes to no plausible date."""
    data = dataset([struct.pack("<HBIB", 7, 1, encode_time(when), 0) for when in times(6)])
    with pytest.raises(TerminalLayoutUnknown) as caught:
        decide_attendance_layout(data, Evidence(count=6, clock=CLOCK, users=USERS))
    assert caught.value.sizes == (16, 8)
    assert caught.value.body_bytes == 48


def test_sixteen_byte_records() -> None:
    """Numeric user ids of users that exist, dates near the clock."""
    data = dataset([bw(1001 + i % 8, when) for i, when in enumerate(times(10))])
    assert decide_attendance_layout(data, Evidence(count=10, clock=CLOCK, users=USERS)) == 16


def test_no_layout_fits_names_sizes_and_firmware() -> None:
    """Bytes that decode to nothing plausible are refused, naming what was seen."""
    data = dataset([bytes(range(40))] * 4)  # 160 bytes: 8, 16, 40 all divide it
    evidence = Evidence(count=4, clock=CLOCK, family="ZMM220_TFT Ver 6.60 Apr 28 2017")
    with pytest.raises(TerminalLayoutUnknown) as caught:
        decide_attendance_layout(data, evidence)
    error = caught.value
    assert (error.dataset, error.body_bytes, error.count) == ("attendance", 160, 4)
    assert error.sizes == (40, 16, 8)
    assert error.sizes_text == "40, 16, 8"
    assert error.firmware == "ZMM220_TFT Ver 6.60 Apr 28 2017"
    assert "160 bytes" in str(error)
    assert "ZMM220_TFT" in str(error)


def test_length_no_size_divides() -> None:
    """117 bytes for 3 records: no known size divides it, and 39 is shorter than a TFT head."""
    data = dataset([b"\x01" * 39] * 3)  # 117 bytes: nothing divides it, stride 39 < 40
    with pytest.raises(TerminalLayoutUnknown) as caught:
        decide_attendance_layout(data, Evidence(count=3, clock=CLOCK))
    assert caught.value.sizes == ()
    assert caught.value.sizes_text == "none"
    assert "unknown firmware" in str(caught.value)


def test_dates_far_from_the_clock_are_not_believed() -> None:
    """Records 30 years older than the terminal's clock fit no layout."""
    old = [CLOCK.replace(year=2000) + timedelta(days=i) for i in range(5)]
    data = dataset([tft(1, when) for when in old])
    with pytest.raises(TerminalLayoutUnknown):
        decide_attendance_layout(data, Evidence(count=5, clock=CLOCK.replace(year=2035)))
    # Without the clock, only the very first day of 2000 (zeros) is ruled out.
    assert decide_attendance_layout(data, Evidence(count=5)) == 40


def test_family_breaks_a_tie() -> None:
    """Equally plausible sizes: the firmware family decides, else nothing is delivered."""
    stamp = encode_time(CLOCK - timedelta(days=1))
    record = struct.pack("<HBxI", 1, 0x01, stamp)
    body = [record * 2] * 3  # 48 bytes: eight-byte records, or 16-byte ones (uid 0x10001)
    data = dataset(body)
    family_free = Evidence(count=None, clock=CLOCK)
    with pytest.raises(TerminalLayoutUnknown) as caught:
        decide_attendance_layout(data, family_free)
    assert "both decode plausibly" in str(caught.value)
    assert decide_attendance_layout(data, Evidence(None, CLOCK, "ZEM500")) == 8
    assert decide_attendance_layout(data, Evidence(None, CLOCK, "ZK6 BW")) == 16


def user72(uid: int, user_id: str, group: int, zones: bytes) -> bytes:
    return struct.pack("<HB8s24sIB8s24s", uid, 0, b"", b"Ned", 0, group, zones, user_id.encode())


def user28(uid: int, user_id: int, group: int) -> bytes:
    return struct.pack("<HB5s8sIxB2sI", uid, 0, b"", b"Ned", 0, group, b"\x01\x00", user_id)


def test_user_layouts_from_evidence() -> None:
    """72-byte users: group at offset 39, time zones 40..47 kept; 28 bytes told apart."""
    zones = bytes([1, 0, 2, 0, 3, 0, 0, 0])
    data72 = dataset([user72(1, "1", 2, zones), user72(2, "Nuevo", 1, bytes(8))])
    assert decide_user_layout(data72, Evidence(count=2)) == 72
    users = parse_users(data72, 2, record_size=72)
    assert [(u.user_id, u.group_id, u.time_zones) for u in users] == [
        ("1", "2", zones),
        ("Nuevo", "1", bytes(8)),
    ]
    data28 = dataset([user28(i, 100 + i, 3) for i in range(1, 19)])  # 504 = 7 x 72 too
    assert decide_user_layout(data28, Evidence(count=18)) == 28
    assert {u.group_id for u in parse_users(data28, 18, record_size=28)} == {"3"}


def test_users_fitting_no_layout() -> None:
    """Garbage users data raises, naming the users dataset."""
    data = dataset([b"\xff" * 72] * 7)  # 504 bytes: 72 and 28 both divide it
    with pytest.raises(TerminalLayoutUnknown) as caught:
        decide_user_layout(data, Evidence(count=None, family="ZAM180"))
    assert caught.value.dataset == "users"
    assert caught.value.sizes == (72, 28)
