"""The attendance cursor: what counts as delivered, and how it is stored."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.devicehub.journal import SLOT_SIZE
from custom_components.devicehub.terminal.cursor import (
    MAX_IDS_SINCE_ANCHOR,
    RECENT_IDS,
    AttendanceCursor,
    PunchKey,
)

T0 = datetime(2026, 3, 2, 8, 0, 0)
KEY = "devicehub.terminal_cursor.entry1"


def journal_file(hass: HomeAssistant) -> Path:
    """The journal of entry1's cursor."""
    return Path(hass.config.path(".storage", "devicehub.terminal_journal.entry1"))


def tear_entry(journal: Path, seq: int) -> None:
    """Damage one entry's payload, as a kill in the middle of its copy would."""
    data = bytearray(journal.read_bytes())
    data[seq * SLOT_SIZE + 18] ^= 0xFF  # first payload byte; entry seq sits in slot seq
    journal.write_bytes(bytes(data))


def key(user_id: str, seconds: int = 0, punch: int = 0) -> PunchKey:
    """A punch key at T0 plus seconds."""
    return PunchKey(user_id, T0 + timedelta(seconds=seconds), punch)


async def test_new_records(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """Later records are new; at the cursor's second only ids not yet seen."""
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_load()
    assert cursor.position is None
    assert cursor.is_new(key("1", -3600))

    await cursor.async_start_at(T0, [key("1"), key("2", -5)])
    assert not cursor.is_new(key("1"))
    assert cursor.is_new(key("1", punch=1))
    assert cursor.is_new(key("3"))
    assert not cursor.is_new(key("2", -5))
    assert cursor.is_new(key("2", 1))

    cursor.advance(key("3"))
    cursor.advance(key("4", -10))  # older: remembered, the position stays
    assert cursor.as_dict() == {
        "last_time": "2026-03-02T08:00:00",
        "ids_at_last_time": ["1|2026-03-02T08:00:00|0", "3|2026-03-02T08:00:00|0"],
        "log_count": 2,
        "log_anchor": "2|2026-03-02T07:59:55|0",
        "ids_since_anchor": ["3|2026-03-02T08:00:00|0", "4|2026-03-02T07:59:50|0"],
    }
    cursor.advance(key("5", 2))
    assert cursor.as_dict() == {
        "last_time": "2026-03-02T08:00:02",
        "ids_at_last_time": ["5|2026-03-02T08:00:02|0"],
        "log_count": 2,
        "log_anchor": "2|2026-03-02T07:59:55|0",
        "ids_since_anchor": [
            "3|2026-03-02T08:00:00|0",
            "4|2026-03-02T07:59:50|0",
            "5|2026-03-02T08:00:02|0",
        ],
    }
    await cursor.async_flush()
    assert hass_storage[KEY]["version"] == 1
    assert hass_storage[KEY]["minor_version"] == 3
    assert hass_storage[KEY]["data"] == cursor.as_dict() | {"journal_seq": 0}

    reloaded = AttendanceCursor(hass, "entry1")
    await reloaded.async_load()
    assert reloaded.position == cursor.position
    await reloaded.async_remove()
    assert KEY not in hass_storage


async def test_live_events(hass: HomeAssistant) -> None:
    """A live event older than the cursor is new unless this session delivered it."""
    cursor = AttendanceCursor(hass, "entry1")
    assert cursor.is_new_live(key("1", -60))
    await cursor.async_start_at(T0, [])
    assert cursor.is_new_live(key("1", -60))  # the terminal clock went back
    cursor.advance(key("1", -60))
    assert not cursor.is_new_live(key("1", -60))
    cursor.advance(key("2"))
    assert not cursor.is_new_live(key("2"))
    assert cursor.is_new_live(key("3"))

    for n in range(RECENT_IDS):
        cursor.advance(key("9", n + 1))
    # The oldest remembered ids make room; the position still covers them.
    assert cursor.is_new_live(key("1", -60))
    assert not cursor.is_new_live(key("9", 1))


async def test_empty_cursor(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """A cursor never placed has nothing to write or show."""
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_flush()
    assert KEY not in hass_storage
    assert cursor.as_dict() == {
        "last_time": None,
        "ids_at_last_time": [],
        "log_count": None,
        "log_anchor": None,
        "ids_since_anchor": [],
    }


async def test_older_minor_format(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """An older minor format of version 1 loads through the migration hook."""
    hass_storage[KEY] = {
        "version": 1,
        "minor_version": 0,
        "key": KEY,
        "data": {"last_time": "2026-03-02T08:00:00", "ids_at_last_time": ["1|x|0"]},
    }
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_load()
    assert cursor.position is not None
    assert cursor.position.last_time == T0
    assert cursor.position.log_count is None  # no log position yet: the next catch-up by time


async def test_migration_from_1_1(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """A 1.1 cursor gains an empty log position; found by time once, then anchored."""
    hass_storage[KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": KEY,
        "data": {"last_time": "2026-03-02T08:00:00", "ids_at_last_time": [key("1").ident]},
    }
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_load()
    log = [key("0", -60), key("1"), key("2", -30), key("3", 5)]
    assert not cursor.fits(log)
    assert cursor.new_in(log) == [3]  # by time: the record stamped earlier is not found
    cursor.anchor(log)
    await cursor.async_flush()
    assert hass_storage[KEY]["minor_version"] == 3
    assert hass_storage[KEY]["data"]["log_count"] == 4
    assert hass_storage[KEY]["data"]["log_anchor"] == key("3", 5).ident
    reloaded = AttendanceCursor(hass, "entry1")
    await reloaded.async_load()
    assert reloaded.fits([*log, key("9", -3600)])
    assert reloaded.new_in([*log, key("9", -3600)]) == [4]


async def test_log_position(hass: HomeAssistant) -> None:
    """New records are found by position whatever their time; by time once the log changed."""
    cursor = AttendanceCursor(hass, "entry1")
    log = [key("1", -10), key("2")]
    await cursor.async_start_at(T0, log)
    assert cursor.new_in(log) == []
    # The clock went back an hour: a record stamped before the cursor is still new.
    log.append(key("3", -3600))
    assert cursor.fits(log)
    assert cursor.new_in(log) == [2]
    # Delivered live (no position known): not new again.
    cursor.advance(key("3", -3600))
    log.append(key("4", -3599))
    assert cursor.new_in(log) == [3]
    cursor.anchor(log)
    assert cursor.new_in(log) == []
    # Cleared and rewritten: the anchor no longer fits, time decides.
    rewritten = [key("7", -5), key("8", 1), key("9", 2), key("10", 3), key("11", 4)]
    assert not cursor.fits(rewritten)
    assert cursor.new_in(rewritten) == [1, 2, 3, 4]
    assert not cursor.fits(log[:2])  # shorter than the position: cleared
    cursor.log_cleared()
    assert cursor.fits([])
    assert cursor.new_in([key("12", -9999)]) == [0]


async def test_ids_since_anchor_are_bounded(hass: HomeAssistant) -> None:
    """Past the bound the log position is dropped; time decides until the next anchor."""
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_start_at(T0, [])
    for n in range(MAX_IDS_SINCE_ANCHOR):
        cursor.advance(key(str(n), n + 1))
    assert cursor.position is not None
    assert cursor.position.log_count == 0
    assert len(cursor.position.ids_since_anchor) == MAX_IDS_SINCE_ANCHOR
    cursor.advance(key("last", MAX_IDS_SINCE_ANCHOR + 1))
    assert cursor.position.log_count is None
    assert cursor.position.ids_since_anchor == frozenset()
    assert not cursor.fits([])


@pytest.mark.parametrize(
    "data",
    [
        {"log_count": -1},
        {"log_count": "3"},
        {"log_count": True},
        {"log_anchor": 5},
        {"ids_since_anchor": "x"},
        {"ids_since_anchor": [1]},
        {"minor_version": 3, "journal_seq": -1},
        {"minor_version": 3, "journal_seq": "2"},
        {"minor_version": 3, "journal_seq": True},
    ],
)
async def test_damaged_log_position(
    hass: HomeAssistant, hass_storage: dict[str, Any], data: dict[str, Any]
) -> None:
    """A damaged log position resets the cursor with a repair issue, like other damage."""
    minor_version = data.pop("minor_version", 2)
    hass_storage[KEY] = {
        "version": 1,
        "minor_version": minor_version,
        "key": KEY,
        "data": {
            "last_time": "2026-03-02T08:00:00",
            "ids_at_last_time": [],
            "log_count": 0,
            "log_anchor": None,
            "ids_since_anchor": [],
        }
        | data,
    }
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_load()
    assert cursor.position is None


async def test_unknown_major_format(hass: HomeAssistant) -> None:
    """The hook refuses a major format it does not know rather than guess."""
    cursor = AttendanceCursor(hass, "entry1")
    with pytest.raises(NotImplementedError):
        await cursor._store._async_migrate_func(0, 1, {})


async def test_kill_before_the_store_is_saved(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Deliveries the Store missed (a kill before its background save) come back from the
    journal file; a slot torn by the kill is left out, so its punch is new again.
    """
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_load()
    log = [key("1"), key("2", 1), key("3", 2)]
    await cursor.async_start_at(T0, [])
    before_kill = {**hass_storage[KEY], "data": dict(hass_storage[KEY]["data"])}
    for delivered in log[:2]:
        await cursor.async_make_room()
        cursor.record_delivery(delivered)
    await hass.async_block_till_done()
    assert hass_storage[KEY]["data"]["journal_seq"] == 2  # the background save ran

    hass_storage[KEY] = before_kill  # as if killed before that save
    restarted = AttendanceCursor(hass, "entry1")
    await restarted.async_load()
    assert restarted.new_in(log) == [2]
    await hass.async_block_till_done()
    assert hass_storage[KEY]["data"]["journal_seq"] == 2  # the replay was saved at once

    await hass.async_add_executor_job(tear_entry, journal_file(hass), 2)
    hass_storage[KEY] = before_kill
    torn = AttendanceCursor(hass, "entry1")
    await torn.async_load()
    assert torn.new_in(log) == [1, 2]
    for opened in (cursor, restarted, torn):
        await opened.async_close()


async def test_unreadable_journal_entry_is_skipped(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """An entry that is not a punch key (a damaged file that passes its check) is logged
    and skipped; the others are replayed.
    """
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_load()
    await cursor.async_start_at(T0, [])
    before_kill = {**hass_storage[KEY], "data": dict(hass_storage[KEY]["data"])}
    cursor._saves.record(b"not a key")
    cursor.record_delivery(key("1"))
    await cursor.async_close()
    hass_storage[KEY] = before_kill
    restarted = AttendanceCursor(hass, "entry1")
    await restarted.async_load()
    assert restarted.new_in([key("1"), key("2", 1)]) == [1]
    assert "Skipping an unreadable attendance journal entry" in caplog.text
    await restarted.async_remove()
    assert not await hass.async_add_executor_job(journal_file(hass).exists)
    assert KEY not in hass_storage
