"""Settings of a simulated push terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class PushVersion(StrEnum):
    """Which flavour of the protocol the terminal speaks."""

    V2 = "2.4.1"  # handshake, uploads, getrequest, devicecmd
    V3 = "3.1.2"  # the same, plus registry and push after the handshake


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorConfig:
    """What the simulated terminal is and how it behaves.

    ``delay`` and ``error_delay`` are the terminal's own defaults until the handshake
    answer sets them. ``batch_size`` caps the punches of one upload (a backlog goes as
    several batches). ``clock_skew`` moves the terminal clock away from the host's.
    """

    server: str = "http://127.0.0.1:8123"
    serial: str = "CQZ7232560025"
    model: str = "SpeedFace-V5L"
    firmware: str = "ZAM180-NF-Ver1.1.17"
    push_version: PushVersion = PushVersion.V2
    access_control: bool = True  # CONTROL DEVICE opens the lock; otherwise -1002
    doors: int = 1
    lock_seconds: int = 5  # the terminal's own lock time, used by AC_UNLOCK
    sync_clock: bool = True  # set the clock from each reply's Date header and TimeZone
    delay: float = 10.0
    error_delay: float = 30.0
    batch_size: int = 1_000
    clock_skew: timedelta = timedelta()
    utc_offset: timedelta = timedelta()  # the terminal's zone: its clock is host UTC + this
    request_timeout: float = 30.0
    reboot_seconds: float = 0.0
    user_agent: str = "iClock Proxy/1.09"
