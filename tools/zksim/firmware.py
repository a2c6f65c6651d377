"""Firmware profiles: the record layouts and quirks of real terminal generations.

Written from published captures and reports (docs: zk-firmware-facts), not from any
client's parser. Values a source does not give (exact firmware strings of some families,
the meaning of the 9 extra bytes of 49-byte records) are marked as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .records import RecordSize, UserSize

# A full counters reply: 20 i32 counters and the 3-int face block.
FULL_COUNTERS_BYTES: Final = 92


@dataclass(frozen=True, slots=True)
class FirmwareProfile:
    """One firmware generation as a simulator setting."""

    name: str
    summary: str
    record_size: RecordSize
    user_size: UserSize
    platform: str
    device_name: str
    firmware: str
    # Realtime event payload length it sends.
    event_size: int
    # CMD_OPTIONS_RRQ keys it refuses (answered with CMD_ACK_ERROR).
    refused_options: frozenset[str] = frozenset()
    # Length of its CMD_GET_FREE_SIZES reply.
    counters_bytes: int = FULL_COUNTERS_BYTES
    # Events per packet (several punches close together arrive batched).
    event_batch: int = 1
    sources: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        """SimulatorConfig fields of this profile."""
        options: dict[str, str | None] = dict.fromkeys(self.refused_options)
        return {
            "record_size": self.record_size,
            "user_size": self.user_size,
            "platform": self.platform,
            "device_name": self.device_name,
            "firmware": self.firmware,
            "event_size": self.event_size,
            "counters_bytes": self.counters_bytes,
            "event_batch": self.event_batch,
            "options": options,
            **self.extra,
        }


PROFILES: Final[dict[str, FirmwareProfile]] = {
    profile.name: profile
    for profile in (
        FirmwareProfile(
            name="zem500",
            summary="ZEM500-era black-and-white terminal: 8-byte records, 28-byte users",
            record_size=8,
            user_size=28,
            platform="ZEM500",
            device_name="",  # not given by the sources
            firmware="Ver 6.39 Jan 1 2009",  # illustrative: the sources give none
            # ZEM300/ZEM560 send 10/14-byte events (pyzk issue 164, no bytes published).
            event_size=14,
            refused_options=frozenset({"~DeviceName", "ZKFaceVersion", "~ZKFPVersion"}),
            sources="pyzk issues 56, 92, 99, 164, 187, 211",
        ),
        FirmwareProfile(
            name="bw",
            summary="BW / ZK6 black-and-white terminal: 16-byte records, 28-byte users",
            record_size=16,
            user_size=28,
            platform="ZEM560",
            device_name="",
            firmware="Ver 6.60 Aug 17 2015",  # js_zklib issue 50
            event_size=10,  # ZEM560 (pyzk issue 164)
            refused_options=frozenset({"ZKFaceVersion"}),
            sources="bulentv/js_zklib issues 7 and 50; pyzk issue 164",
        ),
        FirmwareProfile(
            name="tft",
            summary="TFT / ZK8 colour terminal (F19): 40-byte records, 72-byte users",
            record_size=40,
            user_size=72,
            platform="ZEM760_TFT",
            device_name="F19",
            firmware="Ver 6.60 Apr 26 2016",
            event_size=32,  # F19 capture (adrobinoga/zk-protocol)
            sources="adrobinoga/zk-protocol; pyzk test.py",
        ),
        FirmwareProfile(
            name="zem600",
            summary="ZEM600_TFT Ver 8.0.0: 40-byte records, 72-byte users, 37-byte events",
            record_size=40,
            user_size=72,
            platform="ZEM600_TFT",
            device_name="",
            firmware="Ver 8.0.0",
            event_size=37,  # pyzk issue 153 (36 and 37)
            refused_options=frozenset({"~DeviceName"}),
            sources="pyzk issue 153; kurenai-ryu/pyzk issue 8",
        ),
        FirmwareProfile(
            name="speedface-v5l",
            summary="SpeedFace-V5L face terminal: 49-byte records, 72-byte users",
            record_size=49,
            user_size=72,
            platform="ZAM180",  # never answered: this terminal refuses ~Platform
            device_name="SpeedFace-V5L",
            firmware="Ver 6.60 2022",  # illustrative: the sources name the year only
            event_size=52,  # and batched when punches come close together
            event_batch=2,
            refused_options=frozenset({"~Platform", "~ZKFPVersion"}),
            sources="pyzk issues 126, 170, 174, 187, 222, 246; pyzk PR 166",
        ),
        FirmwareProfile(
            name="ak3750",
            summary="AK3750WIFI_TFT (D2): 4-byte counters reply, 40-byte records",
            record_size=40,
            user_size=72,
            platform="AK3750WIFI_TFT",
            device_name="D2",
            firmware="Ver 6.60 Jun 05 2018",
            event_size=32,
            counters_bytes=4,
            sources="pyzk issue 41",
        ),
    )
}


def profile(name: str) -> FirmwareProfile:
    """A profile by name; ValueError naming the known ones."""
    try:
        return PROFILES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown firmware {name!r}; known: {', '.join(PROFILES)}") from None
