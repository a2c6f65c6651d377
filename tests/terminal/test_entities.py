"""Every entity of a terminal: registry entries and states, as snapshots."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from tools.zksim import AttendanceRecord, TerminalSimulator

from .conftest import async_setup_entry


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "unload_at_teardown")
async def test_entities(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Lock, punch event, sensors and buttons, with names, categories and values."""
    freezer.move_to("2026-03-02 09:30:00+00:00")
    start = simulator.clock.now()
    simulator.add_records(
        AttendanceRecord(uid=1, user_id="1001", timestamp=start - timedelta(hours=1), punch=0)
        for _ in range(1)
    )
    simulator.clock.jump(-20)  # the terminal clock lags 20 seconds
    await async_setup_entry(hass, config_entry)

    entries = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    assert len(entries) == 15  # with the access entities (tamper, duress, access, exit button)
    for entity_entry in sorted(entries, key=lambda entry: entry.entity_id):
        assert entity_entry == snapshot(name=f"{entity_entry.entity_id}-entry")
        assert hass.states.get(entity_entry.entity_id) == snapshot(
            name=f"{entity_entry.entity_id}-state"
        )
