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


# One row a firmware generation. Sizes in bytes; "refused" are the CMD_OPTIONS_RRQ keys it
# answers with CMD_ACK_ERROR; "batch" is how many events one packet carries when punches come
# close together; "counters" the length of its CMD_GET_FREE_SIZES reply.
type _Row = tuple[str, RecordSize, UserSize, int, int, int, str, str]
# fmt: off
_TABLE: Final[tuple[_Row, ...]] = (
    # name          record user event batch counters platform          device name
    ("zem500",          8,  28,  14,  1, FULL_COUNTERS_BYTES, "ZEM500",         ""),
    ("bw",             16,  28,  10,  1, FULL_COUNTERS_BYTES, "ZEM560",         ""),
    ("tft",            40,  72,  32,  1, FULL_COUNTERS_BYTES, "ZEM760_TFT",     "F19"),
    ("zem600",         40,  72,  37,  1, FULL_COUNTERS_BYTES, "ZEM600_TFT",     ""),
    ("speedface-v5l",  49,  72,  52,  2, FULL_COUNTERS_BYTES, "ZAM180",         "SpeedFace-V5L"),
    ("ak3750",         40,  72,  32,  1, 4,                   "AK3750WIFI_TFT", "D2"),
)
# fmt: on
# Firmware strings: zem500's is illustrative (the sources give none), bw's is from js_zklib
# issue 50, speedface-v5l's names only the year its sources give.
_FIRMWARE: Final = {
    "zem500": "Ver 6.39 Jan 1 2009",
    "bw": "Ver 6.60 Aug 17 2015",
    "tft": "Ver 6.60 Apr 26 2016",
    "zem600": "Ver 8.0.0",
    "speedface-v5l": "Ver 6.60 2022",
    "ak3750": "Ver 6.60 Jun 05 2018",
}
# The speedface-v5l never answers ~Platform: its platform above is never sent.
_REFUSED: Final = {
    "zem500": frozenset({"~DeviceName", "ZKFaceVersion", "~ZKFPVersion"}),
    "bw": frozenset({"ZKFaceVersion"}),
    "zem600": frozenset({"~DeviceName"}),
    "speedface-v5l": frozenset({"~Platform", "~ZKFPVersion"}),
}
# Event sizes: ZEM300/ZEM560 send 10/14-byte events (pyzk issue 164, no bytes published); the
# F19's 32 bytes are a capture (adrobinoga/zk-protocol); ZEM600 36 and 37 (pyzk issue 153).
_NOTES: Final = {
    "zem500": (
        "ZEM500-era black-and-white terminal: 8-byte records, 28-byte users",
        "pyzk issues 56, 92, 99, 164, 187, 211",
    ),
    "bw": (
        "BW / ZK6 black-and-white terminal: 16-byte records, 28-byte users",
        "bulentv/js_zklib issues 7 and 50; pyzk issue 164",
    ),
    "tft": (
        "TFT / ZK8 colour terminal (F19): 40-byte records, 72-byte users",
        "adrobinoga/zk-protocol; pyzk test.py",
    ),
    "zem600": (
        "ZEM600_TFT Ver 8.0.0: 40-byte records, 72-byte users, 37-byte events",
        "pyzk issue 153; kurenai-ryu/pyzk issue 8",
    ),
    "speedface-v5l": (
        "SpeedFace-V5L face terminal: 49-byte records, 72-byte users",
        "pyzk issues 126, 170, 174, 187, 222, 246; pyzk PR 166",
    ),
    "ak3750": ("AK3750WIFI_TFT (D2): 4-byte counters reply, 40-byte records", "pyzk issue 41"),
}

PROFILES: Final[dict[str, FirmwareProfile]] = {
    name: FirmwareProfile(
        name=name,
        summary=_NOTES[name][0],
        record_size=record_size,
        user_size=user_size,
        platform=platform,
        device_name=device_name,
        firmware=_FIRMWARE[name],
        event_size=event_size,
        refused_options=_REFUSED.get(name, frozenset()),
        counters_bytes=counters_bytes,
        event_batch=event_batch,
        sources=_NOTES[name][1],
    )
    for (
        name,
        record_size,
        user_size,
        event_size,
        event_batch,
        counters_bytes,
        platform,
        device_name,
    ) in _TABLE
}


def profile(name: str) -> FirmwareProfile:
    """A profile by name; ValueError naming the known ones."""
    try:
        return PROFILES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown firmware {name!r}; known: {', '.join(PROFILES)}") from None
