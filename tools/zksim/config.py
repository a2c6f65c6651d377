"""Start-up settings of a simulated terminal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from .attlog import EightByteLayout
from .firmware import FULL_COUNTERS_BYTES, profile
from .records import RECORD_SIZES, USER_SIZES, RecordSize, UserSize

# Event payload lengths pyzk 0.9 parses; others are allowed to test its failure modes.
PYZK_EVENT_SIZES: Final = (12, 32, 36, 52)


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """What the terminal is and holds when it starts. Runtime knobs live in Faults."""

    host: str = "127.0.0.1"
    port: int = 0  # 0 = a free port, the same number for TCP and UDP
    tcp: bool = True
    udp: bool = True
    password: int = 0  # comm key; 0 = no authentication
    seed: int = 0
    users: int = 10  # generated at start
    records: int = 0  # generated at start
    records_last_day: date | None = None  # day of the newest generated punch (default: yesterday)
    user_size: UserSize = 72
    record_size: RecordSize = 40
    eight_byte_layout: EightByteLayout = "firmware"  # "pyzk": the layout no terminal sends
    encoding: str = "utf-8"  # of user names on the device
    event_size: int = 32
    event_batch: int = 1  # punches per event packet when several are queued (52 bytes each)
    counters_bytes: int = 92  # length of the CMD_GET_FREE_SIZES reply (some firmware: 4)
    firmware_profile: str = ""  # name of the FirmwareProfile it was made from, if any
    event_holdoff: float = 0.05  # seconds after an event ACK before the next event
    punch_every: float | None = None  # seconds between automatic punches (demo)
    restart_downtime: float = 0.0  # seconds a CMD_RESTART/CMD_POWEROFF keeps the device away
    clock_offset: timedelta = timedelta(0)
    direct_limit: int = 1016  # datasets up to this size go as one CMD_DATA reply
    serial: str = ""  # default derived from the seed
    platform: str = "ZMM220_TFT"
    device_name: str = "K40"
    firmware: str = "Ver 6.60 Apr 28 2017"
    mac: str = ""  # default derived from the seed
    fp_version: int = 10
    face_version: int = 7
    pin_width: int = 9
    ip_address: str = "192.168.1.201"
    netmask: str = "255.255.255.0"
    gateway: str = "192.168.1.1"
    user_capacity: int = 10_000
    record_capacity: int = 100_000
    finger_capacity: int = 3_000
    face_capacity: int = 400
    # Extra or overriding options; a None value makes the key unknown (CMD_ACK_ERROR).
    options: Mapping[str, str | None] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise ValueError for settings no terminal could have."""
        if self.user_size not in USER_SIZES:
            raise ValueError(f"user_size must be one of {USER_SIZES}")
        if self.record_size not in RECORD_SIZES:
            raise ValueError(f"record_size must be one of {RECORD_SIZES}")
        if not self.tcp and not self.udp:
            raise ValueError("at least one of tcp and udp must be on")
        if not 0 <= self.port <= 0xFFFF:
            raise ValueError("port out of range")
        if self.users < 0 or self.records < 0:
            raise ValueError("users and records must not be negative")
        if self.records and not self.users:
            raise ValueError("records need users to belong to")
        if self.event_size < 1:
            raise ValueError("event_size must be positive")
        if self.event_batch < 1:
            raise ValueError("event_batch must be positive")
        if not 0 <= self.counters_bytes <= FULL_COUNTERS_BYTES:
            raise ValueError(f"counters_bytes must be 0-{FULL_COUNTERS_BYTES}")
        "".encode(self.encoding)  # LookupError for an unknown codec

    @classmethod
    def for_firmware(cls, name: str, **overrides: Any) -> SimulatorConfig:
        """A terminal of a firmware profile (see firmware.PROFILES), with overrides."""
        chosen = profile(name)
        settings = chosen.settings()
        options = {**settings.pop("options"), **overrides.pop("options", {})}
        return cls(**{**settings, "firmware_profile": chosen.name, "options": options, **overrides})

    def serial_number(self) -> str:
        """The serial number, derived from the seed unless given."""
        return self.serial or f"ZKS{self.seed:010d}"

    def mac_address(self) -> str:
        """The MAC address, derived from the seed unless given (ZKTeco's 00:17:61 prefix)."""
        if self.mac:
            return self.mac
        low = self.seed & 0xFFFFFF
        return f"00:17:61:{low >> 16:02x}:{(low >> 8) & 0xFF:02x}:{low & 0xFF:02x}"

    def option_table(self) -> dict[str, str | None]:
        """CMD_OPTIONS_RRQ keys and their values, as the terminal answers them."""
        table: dict[str, str | None] = {
            "~SerialNumber": self.serial_number(),
            "~Platform": self.platform,
            "~DeviceName": self.device_name,
            "MAC": self.mac_address(),
            "ZKFaceVersion": str(self.face_version),
            "~ZKFPVersion": str(self.fp_version),
            "~ExtendFmt": "1" if self.user_size == 72 else "0",
            "~UserExtFmt": "1" if self.user_size == 72 else "0",
            "FaceFunOn": "1" if self.face_version else "0",
            "CompatOldFirmware": "0",
            "IPAddress": self.ip_address,
            "NetMask": self.netmask,
            "GATEIPAddress": self.gateway,
            "~OS": "1",
            "~PIN2Width": str(self.pin_width),
        }
        table.update(self.options)
        return table
