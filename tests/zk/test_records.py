"""Parsers of the users and attendance datasets, on crafted, truncated and random bytes."""

from datetime import datetime
import gc
import struct

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.devicehub.zk.models import AttendanceRecord, User
from custom_components.devicehub.zk.records import (
    attendance_record_size,
    choose_record_size,
    fit_text,
    parse_attendance,
    parse_users,
    user_record_size,
)
from custom_components.devicehub.zk.timecodec import encode_time

T1 = datetime(2024, 5, 6, 7, 8, 9)
T2 = datetime(2024, 5, 6, 17, 30, 0)
FEB_31 = ((24 * 12 + 1) * 31 + 30) * 86400


def dataset(records: list[bytes]) -> bytes:
    body = b"".join(records)
    return struct.pack("<I", len(body)) + body


def att40(uid: int, user_id: str, when: datetime | int, verify: int, punch: int) -> bytes:
    raw = when if isinstance(when, int) else encode_time(when)
    return struct.pack("<H24sBIB8s", uid, user_id.encode(), verify, raw, punch, b"\0" * 8)


def att16(user_id: int, when: datetime | int, verify: int, punch: int) -> bytes:
    raw = when if isinstance(when, int) else encode_time(when)
    return struct.pack("<IIBB2sI", user_id, raw, verify, punch, b"\0\0", 0)


def att8(uid: int, when: datetime | int, verify: int, punch: int) -> bytes:
    """ZEM500-era firmware: punch and verify share a byte, then a zero, time at offset 4."""
    raw = when if isinstance(when, int) else encode_time(when)
    return struct.pack("<HBxI", uid, punch << 4 | verify, raw)


def user72(uid: int, user_id: str, name: bytes, **extra: object) -> bytes:
    """TFT firmware: the group is the byte at offset 39, time-zone settings at 40..47."""
    return struct.pack(
        "<HB8s24sIB8s24s",
        uid,
        int(extra.get("privilege", 0)),  # type: ignore[call-overload]
        str(extra.get("password", "")).encode(),
        name,
        int(extra.get("card", 0)),  # type: ignore[call-overload]
        int(extra.get("group_id", 0)),  # type: ignore[call-overload]
        bytes(extra.get("zones", bytes(8))),  # type: ignore[call-overload]
        user_id.encode(),
    )


def user28(uid: int, user_id: int, name: bytes, group: int = 1) -> bytes:
    return struct.pack("<HB5s8sIxBhI", uid, 14, b"12", name, 99, group, 0, user_id)


USERS = [
    User(uid=1, user_id="1001", name="Ann", privilege=0, password="", group_id="", card=0),
    User(uid=7, user_id="2002", name="Bob", privilege=14, password="", group_id="", card=0),
]


def test_40_byte_records() -> None:
    """TFT records carry uid and user_id themselves; users are not needed."""
    data = dataset([att40(1, "1001", T1, 1, 0), att40(7, "2002", T2, 15, 1)])
    assert attendance_record_size(data, 2) == 40
    batch = parse_attendance(data, 2)
    assert batch.invalid == 0
    assert batch.records == [
        AttendanceRecord(uid=1, user_id="1001", timestamp=T1, verify=1, punch=0),
        AttendanceRecord(uid=7, user_id="2002", timestamp=T2, verify=15, punch=1),
    ]


def test_16_byte_records_map_uid_from_users() -> None:
    """16-byte records name the user_id; the uid comes from the users list (0 if unknown)."""
    data = dataset([att16(2002, T1, 1, 4), att16(3003, T2, 2, 5)])
    assert attendance_record_size(data, 2) == 16
    batch = parse_attendance(data, 2, USERS)
    assert batch.records == [
        AttendanceRecord(uid=7, user_id="2002", timestamp=T1, verify=1, punch=4),
        AttendanceRecord(uid=0, user_id="3003", timestamp=T2, verify=2, punch=5),
    ]


def test_8_byte_records_map_user_id_from_users() -> None:
    """8-byte records (ZEM500 firmware) name the uid; user_id comes from the users list."""
    data = dataset([att8(7, T1, 1, 1), att8(9, T2, 0, 0)])
    assert attendance_record_size(data, 2) == 8
    batch = parse_attendance(data, 2, USERS)
    assert batch.records == [
        AttendanceRecord(uid=7, user_id="2002", timestamp=T1, verify=1, punch=1),
        AttendanceRecord(uid=9, user_id="9", timestamp=T2, verify=0, punch=0),
    ]


@pytest.mark.parametrize(
    ("make", "size"),
    [
        (lambda when: att40(1, "1001", when, 1, 0), 40),
        (lambda when: att16(1001, when, 1, 0), 16),
        (lambda when: att8(1, when, 1, 0), 8),
    ],
)
def test_invalid_dates_are_skipped_and_counted(make, size: int) -> None:
    """A record dated 31 February is dropped, counted, and does not stop the parse."""
    data = dataset([make(T1), make(FEB_31), make(T2), make(FEB_31 + 60)])
    batch = parse_attendance(data, 4, USERS, record_size=size)
    assert [record.timestamp for record in batch.records] == [T1, T2]
    assert batch.invalid == 2


def test_truncated_dataset_counts_the_partial_record() -> None:
    """A dataset cut mid-record yields the whole records and one invalid."""
    full = dataset([att40(1, "1001", T1, 1, 0), att40(7, "2002", T2, 15, 1)])
    cut = full[:-10]
    batch = parse_attendance(cut, 2)
    assert [record.user_id for record in batch.records] == ["1001"]
    assert batch.invalid == 1


def test_stale_count_still_picks_the_right_size() -> None:
    """The free-sizes count can lag the log by a punch; the size is still found."""
    data = dataset([att40(1, "1001", T1, 1, 0)] * 3)
    assert attendance_record_size(data, 2) == 40
    assert len(parse_attendance(data, 2).records) == 3
    assert attendance_record_size(dataset([att16(1, T1, 0, 0)] * 5), 6) == 16


def test_empty_datasets() -> None:
    """No bytes, a bare prefix or a zero total all mean no records."""
    for raw in (b"", b"\x00\x00", struct.pack("<I", 0), struct.pack("<I", 0) + b"junk"):
        assert parse_attendance(raw, 0).records == []
        assert parse_users(raw, 0) == []
        assert user_record_size(raw, 0) == 72


def test_choose_record_size() -> None:
    """Exact fit first, then divisibility, then closeness to the count."""
    assert choose_record_size(80, 2, (40, 16, 8)) == 40
    assert choose_record_size(80, 5, (40, 16, 8)) == 16
    assert choose_record_size(80, 10, (40, 16, 8)) == 8
    assert choose_record_size(80, 0, (40, 16, 8)) == 40
    assert choose_record_size(81, 2, (40, 16, 8)) == 40
    assert choose_record_size(144, 2, (72, 28)) == 72
    assert choose_record_size(56, 2, (72, 28)) == 28


def test_users_72_bytes() -> None:
    """TFT user records: text user_id, 24-byte name in the terminal's encoding."""
    data = dataset(
        [
            user72(1, "1001", "Zoë".encode(), privilege=14, password="42", card=123, group_id=1),
            user72(2, "A-7", b""),
        ]
    )
    assert user_record_size(data, 2) == 72
    assert parse_users(data, 2) == [
        User(
            uid=1, user_id="1001", name="Zoë", privilege=14, password="42", group_id="1", card=123
        ),
        User(uid=2, user_id="A-7", name="", privilege=0, password="", group_id="0", card=0),
    ]


def test_users_gbk_names() -> None:
    """Names are decoded with the configured encoding."""
    data = dataset([user72(3, "3", "张伟".encode("gbk"))])
    assert parse_users(data, 1, "gbk")[0].name == "张伟"
    assert "\ufffd" in parse_users(data, 1, "utf-8")[0].name


def test_users_cp1256_names() -> None:
    """Arabic names in Windows-1256."""
    data = dataset([user72(3, "3", "محمد".encode("cp1256"))])
    assert parse_users(data, 1, "cp1256")[0].name == "محمد"


def test_users_28_bytes() -> None:
    """Old firmware: numeric user_id, 8-byte name, numeric group."""
    data = dataset([user28(5, 4822257, b"Omar"), user28(6, 12, b"LongName")])
    assert user_record_size(data, 2) == 28
    assert parse_users(data, 2) == [
        User(
            uid=5,
            user_id="4822257",
            name="Omar",
            privilege=14,
            password="12",
            group_id="1",
            card=99,
        ),
        User(
            uid=6, user_id="12", name="LongName", privilege=14, password="12", group_id="1", card=99
        ),
    ]


def test_fit_text_cuts_whole_characters() -> None:
    """A name too long for the field loses whole characters, never half of one."""
    assert fit_text("Ann", "utf-8", 24) == b"Ann"
    assert fit_text("张" * 10, "utf-8", 24) == ("张" * 8).encode()
    assert fit_text("张" * 13, "gbk", 24) == ("张" * 12).encode("gbk")
    assert fit_text("é" * 5, "utf-8", 3) == "é".encode()


@settings(max_examples=300)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=20))
def test_random_bytes_never_raise(raw: bytes, count: int) -> None:
    """Whatever arrives, the parsers return typed values and account for every record."""
    batch = parse_attendance(raw, count)
    assert all(isinstance(record, AttendanceRecord) for record in batch.records)
    assert batch.invalid >= 0
    users = parse_users(raw, count, "gbk")
    assert all(isinstance(user, User) for user in users)


@given(st.lists(st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)), max_size=30))
def test_every_record_is_either_parsed_or_counted(rows: list[tuple[int, int]]) -> None:
    """records + invalid == records sent, for any uid and raw time."""
    data = dataset([att40(uid, str(uid), raw, 1, 0) for uid, raw in rows])
    batch = parse_attendance(data, len(rows))
    assert len(batch.records) + batch.invalid == len(rows)
    assert [record.uid for record in batch.records] == [
        uid
        for uid, raw in rows
        if parse_attendance(dataset([att40(uid, "x", raw, 1, 0)]), 1).records
    ]


def test_parsing_leaves_the_garbage_collector_as_it_found_it() -> None:
    """The parser leaves the collector as it found it: never turns it off, nor on for others."""
    data = dataset([att40(1, "1", T1, 1, 0), att40(2, "2", T2, 15, 1)])
    assert gc.isenabled()
    assert len(parse_attendance(data, 2).records) == 2
    assert gc.isenabled()
    gc.disable()
    try:
        assert len(parse_attendance(data, 2).records) == 2
        assert not gc.isenabled()
    finally:
        gc.enable()
