"""The attendance cursor: what counts as delivered, and how it is stored."""

from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.devicehub.terminal.cursor import (
    RECENT_IDS,
    AttendanceCursor,
    PunchKey,
)

T0 = datetime(2026, 3, 2, 8, 0, 0)
KEY = "devicehub.terminal_cursor.entry1"


def key(user_id: str, seconds: int = 0, punch: int = 0) -> PunchKey:
    """A punch key at T0 plus seconds."""
    return PunchKey(user_id, T0 + timedelta(seconds=seconds), punch)


async def test_new_records(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """Later records are new; at the cursor's second only ids not yet seen."""
    cursor = AttendanceCursor(hass, "entry1")
    await cursor.async_load()
    assert cursor.position is None
    assert cursor.is_new(key("1", -3600))

    cursor.start_at(T0, [key("1"), key("2", -5)])
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
    }
    cursor.advance(key("5", 2))
    assert cursor.as_dict() == {
        "last_time": "2026-03-02T08:00:02",
        "ids_at_last_time": ["5|2026-03-02T08:00:02|0"],
    }
    await cursor.async_flush()
    assert hass_storage[KEY]["version"] == 1
    assert hass_storage[KEY]["data"] == cursor.as_dict()

    reloaded = AttendanceCursor(hass, "entry1")
    await reloaded.async_load()
    assert reloaded.position == cursor.position
    await reloaded.async_remove()
    assert KEY not in hass_storage


async def test_live_events(hass: HomeAssistant) -> None:
    """A live event older than the cursor is new unless this session delivered it."""
    cursor = AttendanceCursor(hass, "entry1")
    assert cursor.is_new_live(key("1", -60))
    cursor.start_at(T0, [])
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
    assert cursor.as_dict() == {"last_time": None, "ids_at_last_time": []}


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


async def test_unknown_major_format(hass: HomeAssistant) -> None:
    """The hook refuses a major format it does not know rather than guess."""
    cursor = AttendanceCursor(hass, "entry1")
    with pytest.raises(NotImplementedError):
        await cursor._store._async_migrate_func(0, 1, {})
