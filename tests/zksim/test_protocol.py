"""Wire format helpers against published captures and against pyzk's own encoders."""

from datetime import datetime
import random

import pytest
from zk.base import make_commkey as pyzk_make_commkey

from tools.zksim.protocol import (
    FramingError,
    TcpFrameReader,
    build_packet,
    checksum,
    commkey_matches,
    decode_time,
    encode_time,
    encode_time_fields,
    encode_timehex,
    make_commkey,
    max_safe_session_id,
    tcp_frame,
)


@pytest.mark.parametrize(
    ("code", "session_id", "reply_id", "wire"),
    [
        (1000, 0, 0, "e80317fc00000000"),  # pyzk CONNECT
        (1001, 0xFB2F, 1, "e903e6002ffb0100"),  # pyzk EXIT
        (2000, 0x45CF, 1, "d0075fb2cf450100"),  # device ACK_OK
    ],
)
def test_packets_match_captures(code: int, session_id: int, reply_id: int, wire: str) -> None:
    assert build_packet(code, session_id, reply_id).hex() == wire


def test_checksum_of_long_payload_equals_whole_sum() -> None:
    payload = random.Random(1).randbytes(70_001)
    packet = build_packet(1501, 7, 9, payload)
    unsigned = packet[:2] + b"\x00\x00" + packet[4:]
    assert int.from_bytes(packet[2:4], "little") == checksum(unsigned)


@pytest.mark.parametrize(("key", "expected"), [(12, "614d323c"), (45, "61c9323c")])
def test_commkey_vectors(key: int, expected: str) -> None:
    assert make_commkey(key, 0x45CF).hex() == expected


def test_commkey_agrees_with_pyzk_and_session_ids_stay_safe() -> None:
    rng = random.Random(5)
    for _ in range(500):
        key = rng.randrange(0, 1_000_000)
        session_id = rng.randint(1, max_safe_session_id(key))
        assert make_commkey(key, session_id) == pyzk_make_commkey(key, session_id)
        assert commkey_matches(pyzk_make_commkey(key, session_id), key, session_id)
        assert not commkey_matches(pyzk_make_commkey(key + 1, session_id), key, session_id)


def test_max_safe_session_id_avoids_pyzk_overflow() -> None:
    # pyzk does not mask the sum: key 0x1FFFF reverses to 0xFFFF8000.
    assert max_safe_session_id(0x1FFFF) == 0x7FFF
    pyzk_make_commkey(0x1FFFF, 0x7FFF)


def test_time_round_trip_and_capture() -> None:
    moment = datetime(2018, 12, 7, 19, 9, 6)
    assert decode_time(encode_time(moment)) == moment
    assert encode_timehex(moment) == bytes.fromhex("120c07130906")


def test_impossible_date_encodes_but_does_not_decode() -> None:
    value = encode_time_fields(2024, 2, 31, hour=10)
    with pytest.raises(ValueError, match="day"):
        decode_time(value)


def test_reader_reassembles_byte_by_byte_and_splits_coalesced() -> None:
    first = build_packet(201, 5, 1)
    second = build_packet(11, 5, 2, b"~SerialNumber\x00")
    stream = tcp_frame(first) + tcp_frame(second)
    reader = TcpFrameReader()
    got = [packet for byte in stream for packet in reader.feed(bytes([byte]))]
    assert got == [first, second]
    assert TcpFrameReader().feed(stream) == [first, second]


def test_reader_rejects_bad_magic() -> None:
    with pytest.raises(FramingError, match="magic"):
        TcpFrameReader().feed(b"GET / HTTP/1.1\r\n")
