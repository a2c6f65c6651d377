"""Packet layout of the ZKTeco binary protocol (header, checksum, TCP framing)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from struct import Struct

from ..errors import TerminalProtocolError

TCP_MAGIC = b"\x50\x50\x82\x7d"
TCP_PREFIX = Struct("<4sI")  # magic, length of header + payload
HEADER = Struct("<4H")  # command, checksum, session id, reply id
REPLY_ID_MODULUS = 0xFFFF  # reply ids wrap from 65534 to 0
# Far above any real packet (a bulk chunk is < 64 KiB): a larger length means garbage.
MAX_PACKET_LENGTH = 1 << 20


class Command(IntEnum):
    """Command and reply codes this layer sends or interprets itself."""

    CMD_USER_WRQ = 8
    CMD_USERTEMP_RRQ = 9
    CMD_OPTIONS_RRQ = 11
    CMD_ATTLOG_RRQ = 13
    CMD_GET_FREE_SIZES = 50
    CMD_GET_TIME = 201
    CMD_REG_EVENT = 500
    CMD_EXIT = 1001
    CMD_REFRESHDATA = 1013
    CMD_GET_VERSION = 1100
    CMD_AUTH = 1102
    PREPARE_DATA = 1500
    DATA = 1501
    FREE_DATA = 1502
    PREPARE_BUFFER = 1503
    READ_BUFFER = 1504
    ACK_OK = 2000
    ACK_ERROR = 2001
    ACK_UNAUTH = 2005


EF_ATTLOG = 1
FCT_USER = 5


@dataclass(frozen=True, slots=True)
class Header:
    """A decoded packet header; ``length`` is the payload size."""

    command: int
    session_id: int
    reply_id: int
    length: int


def checksum(data: bytes) -> int:
    """One's-complement sum of little-endian u16 words (odd tail byte added as is)."""
    total: int = sum(Struct(f"<{len(data) // 2}H").unpack_from(data))
    if len(data) & 1:
        total += data[-1]
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def build_packet(command: int, session_id: int, reply_id: int, payload: bytes = b"") -> bytes:
    """Header (with checksum) + payload, as sent over UDP."""
    blank = HEADER.pack(command, 0, session_id, reply_id) + payload
    return HEADER.pack(command, checksum(blank), session_id, reply_id) + payload


def frame_tcp(packet: bytes) -> bytes:
    """Prefix a packet with the 8-byte TCP top header."""
    return TCP_PREFIX.pack(TCP_MAGIC, len(packet)) + packet


def parse_tcp_prefix(prefix: bytes | bytearray | memoryview) -> int:
    """Validate a TCP top header and return the length of the packet that follows."""
    magic, length = TCP_PREFIX.unpack_from(prefix)
    length = int(length)
    if magic != TCP_MAGIC:
        raise TerminalProtocolError(f"bad TCP frame magic {bytes(magic).hex()}")
    if not HEADER.size <= length <= MAX_PACKET_LENGTH:
        raise TerminalProtocolError(f"implausible TCP frame length {length}")
    return length


def parse_header(raw: bytes | bytearray | memoryview, packet_length: int) -> Header:
    """Decode a packet header; ``packet_length`` counts header + payload."""
    command, _checksum, session_id, reply_id = HEADER.unpack_from(raw)
    return Header(command, session_id, reply_id, packet_length - HEADER.size)


def next_reply_id(reply_id: int) -> int:
    """The reply id following ``reply_id``, wrapping the way terminals and pyzk do."""
    return (reply_id + 1) % REPLY_ID_MODULUS
