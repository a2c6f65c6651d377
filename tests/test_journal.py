"""The delivery journal: a ring of checked slots in a mapped file, read back after a kill."""

from pathlib import Path

import pytest

from custom_components.devicehub.journal import (
    MAX_PAYLOAD,
    SLOT_SIZE,
    DeliveryJournal,
    JournalFullError,
    read_journal,
)


def test_entries_survive_without_close(tmp_path: Path) -> None:
    """What was appended is in the file at once: another reader finds it, no close needed."""
    path = tmp_path / "journal"
    journal = DeliveryJournal.open(path, 4)
    assert journal.continue_after(0) == []
    assert [journal.append(b"a"), journal.append(b"bb")] == [1, 2]
    assert read_journal(path) == [(1, b"a"), (2, b"bb")]
    reopened = DeliveryJournal.open(path, 4)
    assert reopened.continue_after(1) == [b"bb"]
    assert reopened.append(b"c") == 3
    journal.close()
    reopened.close()
    assert path.stat().st_size == 4 * SLOT_SIZE


def test_ring_waits_for_the_store(tmp_path: Path) -> None:
    """No slot the Store does not hold is overwritten; a save frees them, oldest first."""
    journal = DeliveryJournal.open(tmp_path / "journal", 3)
    journal.continue_after(0)
    for payload in (b"1", b"2", b"3"):
        journal.append(payload)
    assert journal.free == 0
    with pytest.raises(JournalFullError):
        journal.append(b"4")
    journal.mark_saved(2)
    assert journal.free == 2
    assert journal.append(b"4") == 4
    assert journal.append(b"5") == 5
    # The ring wrapped: the three newest are kept, in order.
    assert read_journal(journal.path) == [(3, b"3"), (4, b"4"), (5, b"5")]
    journal.close()


def test_torn_and_foreign_slots_are_ignored(tmp_path: Path) -> None:
    """A slot torn by a kill mid-copy (or any damage) fails its check and is left out."""
    path = tmp_path / "journal"
    journal = DeliveryJournal.open(path, 4)
    journal.continue_after(0)
    journal.append(b"first")
    journal.append(b"second")
    journal.close()
    data = bytearray(path.read_bytes())
    data[2 * SLOT_SIZE + 18] ^= 0xFF  # the first payload byte of entry 2 (slot 2)
    data[3 * SLOT_SIZE : 3 * SLOT_SIZE + 4] = b"DHJ1"  # magic, but nothing valid after it
    path.write_bytes(bytes(data))
    assert read_journal(path) == [(1, b"first")]
    reopened = DeliveryJournal.open(path, 4)
    assert reopened.continue_after(0) == [b"first"]
    # Numbering goes on after the last valid entry: the torn one was never announced.
    assert reopened.append(b"third") == 2
    reopened.close()


def test_numbering_goes_on_after_the_store(tmp_path: Path) -> None:
    """A lost journal file never makes new entries look older than what the Store holds."""
    journal = DeliveryJournal.open(tmp_path / "lost", 4)
    assert journal.continue_after(41) == []
    assert journal.append(b"x") == 42
    journal.close()


def test_payload_limit(tmp_path: Path) -> None:
    """A slot holds 302 bytes of payload: a 64-character id in any UTF-8 fits."""
    assert MAX_PAYLOAD == 302
    journal = DeliveryJournal.open(tmp_path / "journal", 2)
    journal.continue_after(0)
    widest_id = ("\U0001f6aa" * 64).encode()
    assert journal.append(widest_id) == 1
    with pytest.raises(ValueError, match="302 bytes"):
        journal.append(bytes(303))
    assert read_journal(journal.path) == [(1, widest_id)]
    journal.close()


def test_missing_and_short_files(tmp_path: Path) -> None:
    """No file: no entries; a file shorter than the ring is grown, its entries kept."""
    assert read_journal(tmp_path / "none") == []
    path = tmp_path / "journal"
    small = DeliveryJournal.open(path, 2)
    small.continue_after(0)
    small.append(b"kept")
    small.close()
    grown = DeliveryJournal.open(path, 8)
    assert path.stat().st_size == 8 * SLOT_SIZE
    assert grown.continue_after(0) == [b"kept"]
    grown.close()
