"""The push ledger's storage: format migration, damage, and what its journal replays."""

from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.devicehub.push.ledger import PunchKey, PunchLedger
from tests.journals import journal_file

T0 = datetime(2026, 3, 2, 8, 0, 0)
KEY = "devicehub.push.entry1"


def key(user_id: str, seconds: int = 0, status: int = 0) -> PunchKey:
    """A punch key at T0 plus seconds."""
    return PunchKey(user_id, T0 + timedelta(seconds=seconds), status)


async def record(ledger: PunchLedger, *keys: PunchKey) -> None:
    """Record keys as a delivery does."""
    for delivered in keys:
        await ledger.async_make_room()
        ledger.record(delivered)


async def test_migration_from_1_1(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """A ledger stored before journals (1.1) loads whole; it is saved as 1.2, noting that
    no journal entry is past it."""
    hass_storage[KEY] = {
        "version": 1,
        "key": KEY,
        "data": {
            "floor": T0.isoformat(),
            "recent": [key("1", 5).stored()],
            "stamps": {"ATTLOG": "7"},
            "users": {"1": "Ada"},
            "device": {},
        },
    }
    ledger = PunchLedger(hass, "entry1")
    await ledger.async_load()
    assert (ledger.remembered, ledger.floor, ledger.stamps) == (1, T0, {"ATTLOG": "7"})
    assert ledger.new_punches([(key("1", 5), 0), (key("2", 0), 1), (key("2", 6), 2)]) == [
        (key("2", 6), 2)
    ]
    await ledger.async_close()
    assert hass_storage[KEY]["minor_version"] == 2
    assert hass_storage[KEY]["data"]["journal_seq"] == 0
    assert hass_storage[KEY]["data"]["users"] == {"1": "Ada"}


async def test_unknown_major_format(hass: HomeAssistant) -> None:
    """Only minor steps exist to convert; anything else is refused."""
    ledger = PunchLedger(hass, "entry1")
    with pytest.raises(NotImplementedError):
        await ledger._store._async_migrate_func(0, 1, {})


@pytest.mark.parametrize("journal_seq", [-1, "2", True, None])
async def test_damaged_journal_position(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    journal_seq: Any,
) -> None:
    """A stored ledger whose journal position is not a count starts afresh, with a
    warning; the keys its journal holds are remembered all the same (they were
    delivered)."""
    ledger = PunchLedger(hass, "entry1")
    await ledger.async_load()
    await record(ledger, key("1"), key("2", 1))
    await ledger.async_close()
    hass_storage[KEY]["data"]["journal_seq"] = journal_seq
    reloaded = PunchLedger(hass, "entry1")
    await reloaded.async_load()
    assert "Stored punch ledger unreadable" in caplog.text
    assert reloaded.remembered == 2
    assert reloaded.new_punches([(key("1"), 0), (key("3", 2), 1)]) == [(key("3", 2), 1)]
    await reloaded.async_remove()


async def test_replay_keeps_the_capacity(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Journaled keys past the Store's save come back within the capacity: the oldest are
    forgotten and move the time cursor up, keys known or at or before the cursor are passed
    over, and an entry that is not a key is logged and skipped."""
    ledger = PunchLedger(hass, "entry1", capacity=3)
    await ledger.async_load()
    await record(ledger, key("1", 10))
    await ledger.async_flush()
    before_kill = {**hass_storage[KEY], "data": dict(hass_storage[KEY]["data"])}
    ledger._saves.record(b"not a key")
    await record(ledger, key("old", 0), key("2", 11), key("3", 12), key("4", 13))
    assert ledger.remembered == 3
    assert ledger.floor == T0 + timedelta(seconds=10)
    await ledger.async_close()

    hass_storage[KEY] = before_kill  # killed before the background save
    # Replayed from the first entry, with a cursor: known keys and old ones are passed over.
    before_kill["data"] |= {"journal_seq": 0, "floor": (T0 + timedelta(seconds=5)).isoformat()}
    restarted = PunchLedger(hass, "entry1", capacity=3)
    await restarted.async_load()
    assert "Skipping an unreadable punch journal entry" in caplog.text
    assert restarted.remembered == 3
    assert restarted.floor == T0 + timedelta(seconds=10)
    items = [(k, 0) for k in (key("old", 0), key("1", 10), key("2", 11), key("4", 13))]
    assert restarted.new_punches(items) == []
    assert restarted.dropped_before_cursor == 2
    assert restarted.dropped_duplicates == 2
    assert hass_storage[KEY]["data"]["journal_seq"] == 6  # the replay was saved at once
    await restarted.async_remove()
    assert KEY not in hass_storage
    assert not await hass.async_add_executor_job(journal_file(hass, "push_journal.entry1").exists)
