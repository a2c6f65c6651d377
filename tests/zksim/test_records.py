"""Record layouts, seeded data and the speed of bulk generation and encoding."""

from datetime import date, datetime
import random
import struct

import pytest

from tools.zksim import AttendanceRecord, SimulatorConfig, TerminalSimulator, User
from tools.zksim.attlog import AttendanceColumns, AttendanceLog
from tools.zksim.datagen import generate_attendance, generate_users, name_pool
from tools.zksim.protocol import decode_time
from tools.zksim.records import (
    USER_SIZES,
    UserSize,
    decode_user,
    encode_event,
    encode_user,
    fit_text,
)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "cp1256", "latin-1"])
def test_name_pools_fit_their_encoding(encoding: str) -> None:
    names = name_pool(encoding)
    assert len(names) > 20
    for name in names:
        name.encode(encoding)


def test_utf8_pool_has_chinese_arabic_and_accents() -> None:
    text = "".join(name_pool("utf-8"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)
    assert "ñ" in text


def test_fit_text_cuts_at_character_boundary() -> None:
    assert fit_text("王秀英王秀英王秀英", "utf-8", 8) == "王秀".encode()
    assert fit_text("Íñigo", "utf-8", 24) == "Íñigo".encode()


@pytest.mark.parametrize("size", USER_SIZES)
def test_user_round_trip(size: UserSize) -> None:
    user = User(uid=7, user_id="4321", name="Begoña", privilege=14, password="12", card=99)
    back = decode_user(encode_user(user, size, "utf-8"), "utf-8")
    assert back == user if size == 72 else back.user_id == "4321"
    assert len(encode_user(user, size, "utf-8")) == size


def test_seeded_data_is_deterministic() -> None:
    def build(seed: int) -> tuple[list[User], list[AttendanceRecord]]:
        config = SimulatorConfig(
            seed=seed, users=30, records=500, records_last_day=date(2025, 3, 1)
        )
        sim = TerminalSimulator(config)
        return sim.users, sim.records

    assert build(4) == build(4)
    assert build(4) != build(5)


def test_generated_records_are_chronological_and_ours() -> None:
    rng = random.Random(3)
    users = generate_users(rng, 20)
    columns = generate_attendance(rng, users, 1000, date(2025, 6, 30))
    log = AttendanceLog()
    log.extend(columns)
    records = log.records()
    assert len(records) == 1000
    assert [r.timestamp for r in records] == sorted(r.timestamp for r in records)
    assert records[-1].timestamp.date() == date(2025, 6, 30)
    pins = {u.uid: u.user_id for u in users}
    assert all(pins[r.uid] == r.user_id for r in records)


def test_200k_records_generate_and_encode() -> None:
    # How long this takes is the benchmarks' to report (bench/zksim_pyzk_baseline.py), not a test's.
    rng = random.Random(1)
    users = generate_users(rng, 50)
    columns = generate_attendance(rng, users, 200_000, date(2025, 1, 31))
    log = AttendanceLog()
    log.extend(columns)
    dataset = log.dataset(40)
    assert len(dataset) == 4 + 200_000 * 40
    # The second read is the cached bytes.
    assert log.dataset(40) is dataset


def test_layouts_carry_the_punch() -> None:
    record = AttendanceRecord(3, "1234", datetime(2025, 5, 6, 7, 8, 9), verify=15, punch=1)
    log = AttendanceLog()
    log.append(record)
    body40 = log.dataset(40)[4:]
    uid, pin, verify, stamp, punch, reserved = struct.unpack("<H24sBIB8s", body40)
    assert (uid, pin.rstrip(b"\x00"), verify, punch) == (3, b"1234", 15, 1)
    assert decode_time(stamp) == record.timestamp
    assert reserved == b"\x00\x00\x00\x00\xff\x00\x00\x00"
    pin_number, stamp16, verify16, punch16 = struct.unpack_from("<IIBB", log.dataset(16), 4)
    assert (pin_number, decode_time(stamp16), verify16, punch16) == (1234, record.timestamp, 15, 1)
    # ZEM500 firmware: punch in the high nibble, verify in the low one, a zero, time at 4.
    uid8, states8, zero8, stamp8 = struct.unpack_from("<HBBI", log.dataset(8), 4)
    assert (uid8, states8 & 0x0F, decode_time(stamp8), states8 >> 4) == (3, 15, record.timestamp, 1)
    assert zero8 == 0
    # pyzk 0.9's own layout, still there to show pyzk what it expects.
    pyzk_log = AttendanceLog("pyzk")
    pyzk_log.append(record)
    uid8, verify8, stamp8, punch8 = struct.unpack_from("<HBIB", pyzk_log.dataset(8), 4)
    assert (uid8, verify8, decode_time(stamp8), punch8) == (3, 15, record.timestamp, 1)
    # Face terminals: the 40-byte record followed by 9 more bytes.
    body49 = log.dataset(49)[4:]
    assert len(body49) == 49
    assert body49[:40] == body40


def test_invalid_dates_fault_and_cache_invalidation() -> None:
    stamp = datetime(2025, 2, 3, 4, 5, 6)
    log = AttendanceLog()
    log.extend(AttendanceColumns.from_records(AttendanceRecord(1, "1", stamp) for _ in range(6)))
    clean = log.dataset(40)
    corrupted = log.dataset(40, invalid_every=3)
    times = [struct.unpack_from("<I", corrupted, 4 + 27 + 40 * i)[0] for i in range(6)]
    broken = []
    for index, value in enumerate(times):
        try:
            decode_time(value)
        except ValueError:
            broken.append(index)
    assert broken == [2, 5]
    assert log.dataset(40) == clean
    log.append(AttendanceRecord(1, "1", stamp))
    assert len(log.dataset(40)) == len(clean) + 40


@pytest.mark.parametrize("size", [12, 32, 36, 52, 40, 20])
def test_event_payload_lengths(size: int) -> None:
    record = AttendanceRecord(3, "77", datetime(2025, 5, 6, 7, 8, 9), verify=1, punch=0)
    payload = encode_event(record, size)
    assert len(payload) == size
    if size == 12:
        assert struct.unpack("<IBB6s", payload)[0] == 77
    else:
        assert payload.startswith(b"77\x00")
