"""Failure switches a test flips at run time, from any thread.

Most attributes are settings that stay until changed. Two are countdowns
(``drop_mid_transfer``, ``garbage_replies``): each use consumes one, so a test can break
exactly the next N transfers or replies and then see the recovery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import threading


class ChunkMode(StrEnum):
    """How a 1504 bulk chunk goes out on TCP."""

    SINGLE = "single"  # one CMD_DATA packet per chunk: what pyzk 0.9 handles reliably
    BURST = "burst"  # 1008-byte CMD_DATA packets in one write, as firmware sends (pyzk times out)
    TRICKLE = "trickle"  # the same packets written one by one with small gaps (pyzk copes)


class BusyMode(StrEnum):
    """What a CONNECT gets while another session is live."""

    OFF = "off"  # accept any number of sessions
    ACK_ERROR = "ack_error"  # reply CMD_ACK_ERROR (pyzk: "Invalid response: Can't connect")
    CLOSE = "close"  # TCP: close without a reply; UDP: no reply at all


class GarbageKind(StrEnum):
    """How a reply is spoiled."""

    RANDOM = "random"  # random bytes of the reply's length
    BAD_MAGIC = "bad_magic"  # TCP: wrong top-header magic, rest intact (UDP: random bytes)


@dataclass
class Faults:
    """Every runtime fault of the simulator; all off by default."""

    # Seconds to wait before each reply (not before realtime events).
    reply_delay: float = 0.0
    # Read requests and never answer them (the terminal hung).
    mute: bool = False
    # Command codes answered with CMD_ACK_ERROR, e.g. {Command.DISABLEDEVICE}.
    error_commands: frozenset[int] = frozenset()
    # Cut the next N bulk chunk transfers (1504) halfway, then reset the link.
    drop_mid_transfer: int = 0
    # Spoil the next N replies.
    garbage_replies: int = 0
    garbage_kind: GarbageKind = GarbageKind.RANDOM
    # TCP bulk chunk framing, and the pause between packets in trickle mode.
    chunk_mode: ChunkMode = ChunkMode.SINGLE
    chunk_packet_size: int = 1008
    trickle_gap: float = 0.0005
    # A second session's CONNECT while another one is live.
    busy: BusyMode = BusyMode.OFF
    # Every n-th attendance record in the dataset carries 31 February (0 = off).
    invalid_dates_every: int = 0
    # Added to the record count read_sizes reports, so it disagrees with the dataset.
    records_count_skew: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take_drop_mid_transfer(self) -> bool:
        """Consume one pending mid-transfer drop, if any."""
        with self._lock:
            if self.drop_mid_transfer <= 0:
                return False
            self.drop_mid_transfer -= 1
            return True

    def take_garbage(self) -> GarbageKind | None:
        """Consume one pending garbage reply, if any, and say which kind."""
        with self._lock:
            if self.garbage_replies <= 0:
                return None
            self.garbage_replies -= 1
            return self.garbage_kind

    def reset(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self.reply_delay = 0.0
            self.mute = False
            self.error_commands = frozenset()
            self.drop_mid_transfer = 0
            self.garbage_replies = 0
            self.garbage_kind = GarbageKind.RANDOM
            self.chunk_mode = ChunkMode.SINGLE
            self.chunk_packet_size = 1008
            self.trickle_gap = 0.0005
            self.busy = BusyMode.OFF
            self.invalid_dates_every = 0
            self.records_count_skew = 0
