"""Storage: the delivery cursor across versions and damage, and the door picture store.

An older cursor is migrated and still carries delivery across the restart. A damaged one is
reported with a repair issue and replaced: the terminal is set up, its history is not replayed
as new punches (that could open doors), and punches from then on are delivered.
"""

from collections.abc import Iterator
from datetime import timedelta
import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.cursor import STORAGE_MINOR_VERSION, STORAGE_VERSION
from tests.door.conftest import ENTRY_ID as DOOR_ENTRY_ID
from tests.terminal.conftest import (
    StateRecorder,
    async_setup_entry,
    async_wait_live,
    punch_data,
    punches,
)
from tools.zksim import AttendanceRecord, TerminalSimulator

__all__ = ["punches"]

ENTRY_ID = "01TERMINALENTRY00000000000"
CURSOR_KEY = f"devicehub.terminal_cursor.{ENTRY_ID}"
CURSOR_ISSUE = f"terminal_cursor_reset_{ENTRY_ID}"
PICTURE_KEY = f"devicehub.door_picture.{DOOR_ENTRY_ID}"


def stored_cursor(
    data: Any, *, version: int = 1, minor_version: int | None = None
) -> dict[str, Any]:
    """A cursor Store file as Home Assistant keeps it."""
    stored: dict[str, Any] = {"version": version, "key": CURSOR_KEY, "data": data}
    if minor_version is not None:
        stored["minor_version"] = minor_version
    return stored


def history(sim: TerminalSimulator, minutes: int = 30) -> list[AttendanceRecord]:
    """Punches the terminal logged before Home Assistant last saw it."""
    now = sim.clock.now()
    records = [
        AttendanceRecord(uid=1, user_id="1001", timestamp=now - timedelta(minutes=m), punch=m % 2)
        for m in range(minutes, 0, -5)
    ]
    sim.add_records(records)
    return records


@pytest.mark.parametrize("minor_version", [None, 0])
async def test_older_cursor_is_migrated_and_carries_delivery(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    hass_storage: dict[str, Any],
    unload_at_teardown: None,
    minor_version: int | None,
) -> None:
    """A cursor written by an older version: punches after it arrive late, once; none before."""
    records = history(simulator)
    delivered = records[2]
    stamp = delivered.timestamp.isoformat()
    hass_storage[CURSOR_KEY] = stored_cursor(
        {"last_time": stamp, "ids_at_last_time": [f"1001|{stamp}|{delivered.punch}"]},
        minor_version=minor_version,
    )
    runtime = await async_setup_entry(hass, config_entry)
    await punches.wait(len(records) - 3)
    await runtime.async_catch_up()
    await hass.async_block_till_done()
    assert punches.events() == [
        punch_data(record, "Ada Lovelace", late=True, punch=("check_in", "check_out")[r.punch])
        for r in records[3:]
        for record in [r]
    ]
    assert not ir.async_get(hass).async_get_issue(DOMAIN, CURSOR_ISSUE)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert hass_storage[CURSOR_KEY]["version"] == STORAGE_VERSION
    assert hass_storage[CURSOR_KEY]["minor_version"] == STORAGE_MINOR_VERSION
    assert hass_storage[CURSOR_KEY]["data"]["last_time"] == records[-1].timestamp.isoformat()


@pytest.mark.parametrize(
    "stored",
    [
        stored_cursor({"ids_at_last_time": []}),
        stored_cursor({"last_time": "yesterday", "ids_at_last_time": []}),
        stored_cursor({"last_time": 1700000000, "ids_at_last_time": []}),
        stored_cursor({"last_time": "2026-03-02T08:00:00", "ids_at_last_time": "1|x|0"}),
        stored_cursor({"last_time": "2026-03-02T08:00:00", "ids_at_last_time": [1, None]}),
        stored_cursor({"last_time": "2026-03-02T08:00:00+01:00", "ids_at_last_time": []}),
        stored_cursor(["not", "an", "object"]),
        stored_cursor({"last_time": "2026-03-02T08:00:00", "ids_at_last_time": []}, version=9),
    ],
    ids=[
        "missing-key",
        "bad-time",
        "time-not-text",
        "ids-not-a-list",
        "ids-not-text",
        "time-with-zone",
        "not-an-object",
        "newer-version",
    ],
)
async def test_damaged_cursor_is_reported_not_fatal(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    hass_storage: dict[str, Any],
    unload_at_teardown: None,
    stored: dict[str, Any],
) -> None:
    """Set-up succeeds, a repair issue says delivery restarted, history stays history."""
    history(simulator)
    hass_storage[CURSOR_KEY] = stored
    await async_setup_entry(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(DOMAIN, CURSOR_ISSUE)
    assert issue is not None
    assert issue.translation_key == "terminal_cursor_reset"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["name"] == config_entry.title
    await hass.async_block_till_done()
    assert punches.events() == []  # the terminal's history is not news

    await async_wait_live(hass, simulator)
    record = await hass.async_add_executor_job(simulator.inject_punch, "1003")
    await punches.wait(1)
    assert punches.events() == [punch_data(record, "Grace Hopper", late=False)]
    # The replacement cursor is written in the current format.
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert hass_storage[CURSOR_KEY]["version"] == STORAGE_VERSION
    assert hass_storage[CURSOR_KEY]["data"]["last_time"] == record.timestamp.isoformat()


@pytest.fixture
def real_storage(hass: HomeAssistant, tmp_path: Path) -> Iterator[Path]:
    """Cursor stores read from files (the others stay mocked), under a temporary config dir."""
    mocked_load = Store._async_load
    hass.config.config_dir = str(tmp_path)
    (tmp_path / ".storage").mkdir()

    async def load(store: Store[Any]) -> Any:
        if store.key.startswith("devicehub.terminal_cursor"):
            return await store._async_load_data()
        return await mocked_load(store)

    with patch.object(Store, "_async_load", load):
        yield tmp_path / ".storage"


async def test_unparseable_cursor_file(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    real_storage: Path,
    unload_at_teardown: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A cursor file that is not JSON: Home Assistant's own repair issue, kept aside, set up."""
    history(simulator)
    (real_storage / CURSOR_KEY).write_text('{"version": 1, "data": {"last_time": "2026-0')
    await async_setup_entry(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    issues = [
        issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == "homeassistant" and issue_id.startswith(f"storage_corruption_{CURSOR_KEY}")
    ]
    assert len(issues) == 1
    assert issues[0].issue_domain == DOMAIN
    names = await hass.async_add_executor_job(lambda: [p.name for p in real_storage.iterdir()])
    assert [name for name in names if ".corrupt." in name]
    await hass.async_block_till_done()
    assert punches.events() == []
    assert "Unrecoverable error decoding storage" in caplog.text


@pytest.mark.parametrize(
    "stored",
    [
        {"version": 1, "key": PICTURE_KEY, "data": {"data": "not base64!", "updated": "x"}},
        {"version": 1, "key": PICTURE_KEY, "data": ["a list"]},
        {"version": 1, "key": PICTURE_KEY, "data": {"content_type": "image/png"}},
        {
            "version": 1,
            "key": PICTURE_KEY,
            "data": {"data": "PHN2Zz4=", "updated": "2026-01-01T00:00:00+00:00"},  # <svg>
        },
        {"version": 7, "key": PICTURE_KEY, "data": {}},
    ],
    ids=["bad-base64", "not-an-object", "missing-keys", "not-a-picture", "newer-version"],
)
async def test_damaged_door_picture_is_not_fatal(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mqtt_mock: Any,
    door_entry: MockConfigEntry,
    stored: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A damaged saved stranger picture is dropped with a warning; the door is set up."""
    caplog.set_level(logging.WARNING)
    hass_storage[PICTURE_KEY] = stored
    door_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    await hass.async_block_till_done()
    assert door_entry.state is ConfigEntryState.LOADED
    state = hass.states.get("image.front_door_stranger_picture")
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert "stranger picture" in caplog.text
    json.dumps(hass_storage.get(PICTURE_KEY))  # whatever is kept is still plain JSON
