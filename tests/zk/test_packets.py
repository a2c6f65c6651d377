"""Packet layout: checksum, framing, reply ids, and the error translation."""

import struct

import pytest
from zk.exception import ZKErrorConnection, ZKErrorResponse, ZKNetworkError

from custom_components.devicehub.zk.errors import (
    TerminalCommandRejected,
    TerminalConnectionLost,
    TerminalInvalidArgument,
    TerminalProtocolError,
    as_protocol_error,
)
from custom_components.devicehub.zk.transport.packets import (
    build_packet,
    checksum,
    frame_tcp,
    next_reply_id,
    parse_header,
    parse_tcp_prefix,
)


@pytest.mark.parametrize(
    ("command", "session", "reply", "wire"),
    [
        (1000, 0, 0, "e80317fc00000000"),  # CONNECT as pyzk sends it
        (1001, 0xFB2F, 1, "e903e6002ffb0100"),  # EXIT
        (2000, 0x45CF, 1, "d0075fb2cf450100"),  # a terminal's ACK
    ],
)
def test_checksum_matches_captures(command: int, session: int, reply: int, wire: str) -> None:
    """Packets built here are byte-identical to captured ones."""
    assert build_packet(command, session, reply).hex() == wire


def test_checksum_odd_length_and_fold() -> None:
    """An odd tail byte is added as is; carries fold back in."""
    assert checksum(b"\x01") == 0xFFFE
    assert checksum(b"\xff\xff\x01\x00") == 0xFFFE


def test_tcp_framing_round_trip() -> None:
    """The top header announces header + payload; parsing reads it back."""
    packet = build_packet(1501, 3, 9, b"payload")
    framed = frame_tcp(packet)
    assert framed[:4] == b"PP\x82}"
    length = parse_tcp_prefix(framed)
    assert length == len(packet) == 15
    header = parse_header(framed[8:], length)
    assert (header.command, header.session_id, header.reply_id, header.length) == (1501, 3, 9, 7)


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        (b"XXXX" + struct.pack("<I", 8), "magic"),
        (b"PP\x82}" + struct.pack("<I", 4), "length"),
        (b"PP\x82}" + struct.pack("<I", 1 << 24), "length"),
    ],
)
def test_bad_tcp_prefix(prefix: bytes, problem: str) -> None:
    """Garbage in the top header is a protocol error, not a giant allocation."""
    with pytest.raises(TerminalProtocolError, match=problem):
        parse_tcp_prefix(prefix)


def test_reply_ids_wrap_like_pyzk() -> None:
    """65534 is followed by 0, as pyzk and terminals count."""
    assert next_reply_id(0) == 1
    assert next_reply_id(65533) == 65534
    assert next_reply_id(65534) == 0


@pytest.mark.parametrize(
    ("raised", "expected", "text"),
    [
        (ZKErrorResponse("Can't open door"), TerminalCommandRejected, "Can't open door"),
        (ConnectionResetError(104, "reset"), TerminalConnectionLost, "connection lost"),
        (ZKErrorConnection("instance are not connected."), TerminalConnectionLost, "lost"),
        (TimeoutError("timed out"), TerminalProtocolError, "no reply in time"),
        (ZKNetworkError("TCP packet invalid"), TerminalProtocolError, "TCP packet invalid"),
        (struct.error("unpack requires"), TerminalProtocolError, "error: unpack requires"),
        (UnboundLocalError(), TerminalProtocolError, "UnboundLocalError"),
    ],
)
def test_error_translation(raised: Exception, expected: type, text: str) -> None:
    """Whatever pyzk or the socket raised becomes a typed error naming the call."""
    error = as_protocol_error(raised, "reading users")
    assert type(error) is expected
    assert str(error).startswith("reading users: ")
    assert text in str(error)


def test_typed_errors_pass_through() -> None:
    """An error that is already typed is returned unchanged."""
    error = TerminalInvalidArgument("bad")
    assert as_protocol_error(error, "x") is error
    assert isinstance(error, ValueError)
