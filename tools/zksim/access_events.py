"""Access-control realtime payloads as the protocol manual lays them out (EF_ALARM, EF_VERIFY).

Written from the manual's tables (adrobinoga/zk-protocol sections/realtime.md), separately
from the integration's decoder, so that each checks the other: per the manual, unverified on
hardware.
"""

from dataclasses import dataclass
import struct
from typing import Final

EF_BUTTON: Final = 16
EF_UNLOCK: Final = 32
EF_VERIFY: Final = 128
EF_ALARM: Final = 512

ALARM_BYTES: Final = {"misoperation": 0x3A, "tamper": 0x37, "exit_button": 0x35}
DURESS_TYPES: Final = {"duress": 0x20, "passback": 0x22}


@dataclass(frozen=True, slots=True)
class AccessEventPacket:
    """One realtime access-control event: its class (the CMD_REG_EVENT flag) and payload."""

    flag: int
    payload: bytes


def alarm_payload(kind: str) -> bytes:
    """4 bytes: the alarm type, then three zero bytes."""
    return bytes([ALARM_BYTES[kind], 0, 0, 0])


def door_closed_payload() -> bytes:
    """8 bytes, the first 0x54."""
    return bytes([0x54]) + bytes(7)


def duress_payload(kind: str, user_sn: int, match_type: int) -> bytes:
    """12 bytes: ffffffff, alarm type, user serial number, match type (little-endian)."""
    return b"\xff" * 4 + struct.pack("<HHI", DURESS_TYPES[kind], user_sn, match_type)


def verify_payload(user_sn: int | None) -> bytes:
    """7 bytes: the user serial number (0xffffffff: not identified), then 01 01 01."""
    return struct.pack("<I", 0xFFFFFFFF if user_sn is None else user_sn) + b"\x01\x01\x01"
