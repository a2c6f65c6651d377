"""A crash-safe record of deliveries: a ring of slots in a file mapped into memory.

Making a delivery durable and announcing it cannot be one step. Written to a Store first,
the step between is an executor round trip (milliseconds, longer under load) in which a
kill loses the delivery. Here the step before the announcement is a memory write: each
delivery's key is copied into the next slot of a small file mapped into memory (no system
call, nothing to wait for), and the kernel's page cache keeps it when the process dies
(SIGKILL, a crash); the kernel writes it to disk in its own time. A power cut can lose the
last seconds of it, as it can Home Assistant's own storage.

The owner keeps its full state in a Store, saved in the background with the sequence
number of the last delivery it includes; after a restart the deliveries with a higher
number are replayed from here. The ring never overwrites a slot the Store does not hold
yet (`free` is 0 until `mark_saved`).

A slot: magic, sequence number, payload length, CRC-32 of those and the payload, then the
payload. A slot torn by a kill in the middle of its copy fails its check and is ignored: its
delivery was never announced. No Home Assistant imports: the soak reads journals directly.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path
import struct
from typing import Final
import zlib

SLOT_SIZE: Final = 320
_HEADER: Final = struct.Struct("<4sQHI")
_MAGIC: Final = b"DHJ1"
MAX_PAYLOAD: Final = SLOT_SIZE - _HEADER.size


class JournalFullError(Exception):
    """Every slot holds a delivery the owner's Store does not hold yet."""


def _checksum(seq: int, payload: bytes) -> int:
    return zlib.crc32(payload, zlib.crc32(struct.pack("<QH", seq, len(payload))))


def _slot(seq: int, payload: bytes) -> bytes:
    header = _HEADER.pack(_MAGIC, seq, len(payload), _checksum(seq, payload))
    return (header + payload).ljust(SLOT_SIZE, b"\0")


def _entries(data: bytes | mmap.mmap, slots: int) -> list[tuple[int, bytes]]:
    """The valid slots' (sequence number, payload), oldest first."""
    found: list[tuple[int, bytes]] = []
    for index in range(min(slots, len(data) // SLOT_SIZE)):
        offset = index * SLOT_SIZE
        magic, seq, length, checksum = _HEADER.unpack_from(data, offset)
        if magic != _MAGIC or length > MAX_PAYLOAD or seq == 0:
            continue
        start = offset + _HEADER.size
        payload = bytes(data[start : start + length])
        if _checksum(seq, payload) == checksum:
            found.append((seq, payload))
    found.sort()
    return found


def read_journal(path: Path) -> list[tuple[int, bytes]]:
    """The valid entries of a journal file, oldest first; none if it does not exist."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return _entries(data, len(data) // SLOT_SIZE)


class DeliveryJournal:
    """One owner's journal: open and close in an executor, append in the event loop."""

    def __init__(self, path: Path, descriptor: int, mapping: mmap.mmap, slots: int) -> None:
        """Use DeliveryJournal.open."""
        self.path = path
        self._descriptor = descriptor
        self._map = mapping
        self._slots = slots
        self.entries = _entries(mapping, slots)
        self.last_seq = self.entries[-1][0] if self.entries else 0
        self._saved_seq = 0

    @classmethod
    def open(cls, path: Path, slots: int) -> DeliveryJournal:
        """Open (or create) the file and map it; blocking, so run it in an executor.

        The file is written out in full and every page touched here, so an append in the
        event loop finds its page allocated and in memory.
        """
        size = slots * SLOT_SIZE
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            current = os.fstat(descriptor).st_size
            if current < size:
                os.pwrite(descriptor, bytes(size - current), current)
            mapping = mmap.mmap(descriptor, size)
        except BaseException:
            os.close(descriptor)
            raise
        for page in range(0, size, mmap.PAGESIZE):
            mapping[page] = mapping[page]
        return cls(path, descriptor, mapping, slots)

    def continue_after(self, saved_seq: int) -> list[bytes]:
        """Take the Store's sequence number; the payloads it does not hold, oldest first.

        Numbering goes on after whichever is higher, so an entry written from now on is
        never taken for one the Store holds (also when this file was lost or reset).
        """
        self._saved_seq = saved_seq
        self.last_seq = max(self.last_seq, saved_seq)
        replay = [payload for seq, payload in self.entries if seq > saved_seq]
        self.entries = []
        return replay

    @property
    def free(self) -> int:
        """How many deliveries can be appended before the Store must be saved."""
        return self._slots - (self.last_seq - self._saved_seq)

    def append(self, payload: bytes) -> int:
        """Record a delivery (a memory copy); its sequence number.

        Raises ValueError for a payload over MAX_PAYLOAD bytes and JournalFullError when
        no slot is free.
        """
        if len(payload) > MAX_PAYLOAD:
            raise ValueError(f"a journal entry holds at most {MAX_PAYLOAD} bytes")
        if self.free <= 0:
            raise JournalFullError
        seq = self.last_seq + 1
        offset = (seq % self._slots) * SLOT_SIZE
        self._map[offset : offset + SLOT_SIZE] = _slot(seq, payload)
        self.last_seq = seq
        return seq

    def mark_saved(self, seq: int) -> None:
        """The owner's Store now holds every delivery up to seq: their slots are free."""
        self._saved_seq = max(self._saved_seq, seq)

    def close(self) -> None:
        """Unmap and close; blocking, so run it in an executor."""
        self._map.close()
        os.close(self._descriptor)
