"""Wire format of the ZKTeco standalone SDK protocol: codes, framing, checksum, comm key, time."""

from __future__ import annotations

from array import array
from datetime import datetime
from enum import IntEnum, IntFlag
import struct
import sys
from typing import Final, NamedTuple


class Command(IntEnum):
    """Request codes a client sends (the subset pyzk 0.9 uses)."""

    DB_RRQ = 7
    USER_WRQ = 8
    USERTEMP_RRQ = 9
    OPTIONS_RRQ = 11
    OPTIONS_WRQ = 12
    ATTLOG_RRQ = 13
    CLEAR_DATA = 14
    CLEAR_ATTLOG = 15
    DELETE_USER = 18
    DELETE_USERTEMP = 19
    UNLOCK = 31
    GET_FREE_SIZES = 50
    STARTVERIFY = 60
    STARTENROLL = 61
    CANCELCAPTURE = 62
    GET_PINWIDTH = 69
    GET_USERTEMP = 88
    SAVE_USERTEMPS = 110
    DELETE_USERTEMP_BY_PIN = 134
    GET_TIME = 201
    SET_TIME = 202
    REG_EVENT = 500
    CONNECT = 1000
    EXIT = 1001
    ENABLEDEVICE = 1002
    DISABLEDEVICE = 1003
    RESTART = 1004
    POWEROFF = 1005
    REFRESHDATA = 1013
    TESTVOICE = 1017
    GET_VERSION = 1100
    AUTH = 1102
    PREPARE_DATA = 1500
    DATA = 1501
    FREE_DATA = 1502
    PREPARE_BUFFER = 1503
    READ_BUFFER = 1504
    # The client's event acknowledgement; it must never be answered.
    ACK_OK = 2000


class Reply(IntEnum):
    """Reply codes a terminal sends."""

    PREPARE_DATA = 1500
    DATA = 1501
    ACK_OK = 2000
    ACK_ERROR = 2001
    ACK_DATA = 2002
    ACK_RETRY = 2003
    ACK_REPEAT = 2004
    ACK_UNAUTH = 2005
    ACK_ERROR_DATA = 0xFFFB
    ACK_ERROR_INIT = 0xFFFC
    ACK_ERROR_CMD = 0xFFFD
    ACK_UNKNOWN = 0xFFFF


class EventFlag(IntFlag):
    """CMD_REG_EVENT mask bits; an event packet carries its flag in the session field."""

    ATTLOG = 1
    FINGER = 2
    ENROLLUSER = 4
    ENROLLFINGER = 8
    BUTTON = 16
    UNLOCK = 32
    VERIFY = 128
    FPFTR = 256
    ALARM = 512


class DatasetKind(IntEnum):
    """Sub-commands of the buffered read (1503) naming the dataset wanted."""

    TEMPLATES = Command.DB_RRQ
    USERS = Command.USERTEMP_RRQ
    ATTENDANCE = Command.ATTLOG_RRQ


HEADER: Final = struct.Struct("<4H")
TCP_TOP: Final = struct.Struct("<HHI")
TCP_MAGIC: Final = b"\x50\x50\x82\x7d"
TCP_MAGIC_WORDS: Final = (0x5050, 0x7D82)
HEADER_SIZE: Final = 8
TCP_TOP_SIZE: Final = 8
# Largest request a client legitimately sends (pyzk uploads 1 KiB chunks); bigger is garbage.
MAX_REQUEST_SIZE: Final = 1 << 20
U32: Final = struct.Struct("<I")


class FramingError(ValueError):
    """The TCP byte stream is not ZKTeco framing (bad magic or absurd length)."""


class Header(NamedTuple):
    """The 8-byte packet header."""

    code: int
    checksum: int
    session_id: int
    reply_id: int


def checksum(data: bytes | bytearray | memoryview) -> int:
    """Spec checksum: one's complement of the folded sum of little-endian u16 words."""
    view = memoryview(data).cast("B")
    even = len(view) & ~1
    words = array("H")
    words.frombytes(view[:even])
    if sys.byteorder == "big":
        words.byteswap()
    total = sum(words)
    if len(view) & 1:
        total += view[-1]
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def build_packet(code: int, session_id: int, reply_id: int, payload: bytes = b"") -> bytes:
    """Header (with its checksum) followed by the payload; no TCP top header."""
    unsigned = HEADER.pack(code, 0, session_id, reply_id)
    total = (
        checksum(unsigned + payload) if len(payload) < 4096 else _long_checksum(unsigned, payload)
    )
    return HEADER.pack(code, total, session_id, reply_id) + payload


def _long_checksum(header: bytes, payload: bytes) -> int:
    # Large payloads: avoid concatenating just to checksum them (header length is even).
    folded = (~checksum(header) & 0xFFFF) + (~checksum(payload) & 0xFFFF)
    while folded > 0xFFFF:
        folded = (folded & 0xFFFF) + (folded >> 16)
    return ~folded & 0xFFFF


def tcp_frame(packet: bytes) -> bytes:
    """Prefix a packet with the TCP top header (magic + length)."""
    return TCP_TOP.pack(*TCP_MAGIC_WORDS, len(packet)) + packet


def parse_packet(packet: bytes) -> tuple[Header, bytes]:
    """Split a packet (no TCP top header) into its header and payload."""
    if len(packet) < HEADER_SIZE:
        raise FramingError(f"packet of {len(packet)} bytes is shorter than a header")
    return Header(*HEADER.unpack_from(packet)), packet[HEADER_SIZE:]


class TcpFrameReader:
    """Reassemble length-framed packets from a TCP byte stream."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return every packet now complete (without top headers)."""
        self._buffer += data
        packets: list[bytes] = []
        buffer = self._buffer
        while len(buffer) >= TCP_TOP_SIZE:
            if buffer[:4] != TCP_MAGIC:
                raise FramingError(f"bad magic {bytes(buffer[:4]).hex()}")
            (length,) = U32.unpack_from(buffer, 4)
            if not HEADER_SIZE <= length <= MAX_REQUEST_SIZE:
                raise FramingError(f"absurd packet length {length}")
            end = TCP_TOP_SIZE + length
            if len(buffer) < end:
                break
            packets.append(bytes(buffer[TCP_TOP_SIZE:end]))
            del buffer[:end]
        return packets


def reverse_bits32(value: int) -> int:
    """Mirror the 32 bits of value (bit 0 becomes bit 31)."""
    return int(f"{value & 0xFFFFFFFF:032b}"[::-1], 2)


def make_commkey(key: int, session_id: int, ticks: int = 50) -> bytes:
    """The 4-byte CMD_AUTH payload for a comm key (ZK's MakeKey scheme), masked to 32 bits."""
    scrambled = (reverse_bits32(key) + session_id) & 0xFFFFFFFF
    xored = bytes(a ^ b for a, b in zip(U32.pack(scrambled), b"ZKSO", strict=True))
    swapped = xored[2:4] + xored[0:2]
    tick = ticks & 0xFF
    return bytes((swapped[0] ^ tick, swapped[1] ^ tick, tick, swapped[3] ^ tick))


def commkey_matches(payload: bytes, key: int, session_id: int) -> bool:
    """Whether a CMD_AUTH payload proves knowledge of key (any ticks byte is accepted)."""
    if len(payload) < 4:
        return False
    return payload[:4] == make_commkey(key, session_id, ticks=payload[2])


def max_safe_session_id(key: int) -> int:
    """Largest session id for which pyzk's unmasked MakeKey sum still fits in 32 bits."""
    return min(0xFFFE, 0xFFFFFFFF - reverse_bits32(key))


def encode_time_fields(
    year: int, month: int, day: int, *, hour: int = 0, minute: int = 0, second: int = 0
) -> int:
    """Device time from its parts, unvalidated (so impossible dates like 31 Feb can be built)."""
    days = (year % 100) * 12 * 31 + (month - 1) * 31 + (day - 1)
    return days * 86400 + (hour * 60 + minute) * 60 + second


def encode_time(moment: datetime) -> int:
    """Device time (31-day months, 12-month years since 2000, no time zone)."""
    return encode_time_fields(
        moment.year,
        moment.month,
        moment.day,
        hour=moment.hour,
        minute=moment.minute,
        second=moment.second,
    )


def decode_time(value: int) -> datetime:
    """Inverse of encode_time; raises ValueError for impossible dates."""
    value, second = divmod(value, 60)
    value, minute = divmod(value, 60)
    value, hour = divmod(value, 24)
    value, day_index = divmod(value, 31)
    years, month_index = divmod(value, 12)
    return datetime(2000 + years, month_index + 1, day_index + 1, hour, minute, second)


def encode_timehex(moment: datetime) -> bytes:
    """The 6-byte time of realtime events: year-2000, month, day, hour, minute, second."""
    return bytes(
        (moment.year - 2000, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    )
