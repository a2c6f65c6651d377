"""Connectivity from the poll window, and the repair issue of a silent terminal."""

from datetime import timedelta
import logging

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.push.const import SILENT_ISSUE_AFTER
from tools.admssim import PushTerminalSimulator

from .conftest import (
    CONNECTIVITY_ENTITY,
    DELAY,
    LAST_PUNCH_ENTITY,
    LOCK_ENTITY,
    PUNCH_ENTITY,
    USERS_ENTITY,
    runtime_of,
)


def _state(hass: HomeAssistant) -> str:
    state = hass.states.get(CONNECTIVITY_ENTITY)
    assert state is not None
    return state.state


async def test_online_within_poll_window(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Online while polls arrive within Delay x 2 + 10 s; off after; on with the next."""
    assert _state(hass) == STATE_ON
    window = runtime_of(loaded_entry).settings.online_window
    assert window == timedelta(seconds=2 * DELAY + 10)
    async_fire_time_changed(hass, dt_util.utcnow() + window - timedelta(seconds=1))
    await hass.async_block_till_done()
    assert _state(hass) == STATE_ON
    async_fire_time_changed(hass, dt_util.utcnow() + window + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert _state(hass) == STATE_OFF
    await sim.poll_once()
    assert _state(hass) == STATE_ON


async def test_terminal_entities_unavailable_while_offline(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """As a pull terminal's: the punch event, last punch and user count are unavailable while
    the terminal does not poll; connectivity says so itself; all are back with its next poll."""
    terminal_entities = [PUNCH_ENTITY, LAST_PUNCH_ENTITY, USERS_ENTITY, LOCK_ENTITY]

    def states() -> list[str]:
        return [hass.states.get(entity_id).state for entity_id in terminal_entities]

    assert STATE_UNAVAILABLE not in states()
    window = runtime_of(loaded_entry).settings.online_window
    async_fire_time_changed(hass, dt_util.utcnow() + window + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert states() == [STATE_UNAVAILABLE] * len(terminal_entities)
    assert _state(hass) == STATE_OFF
    await sim.poll_once()
    assert STATE_UNAVAILABLE not in states()
    assert _state(hass) == STATE_ON


async def test_offline_and_back_logged_once(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Going offline and coming back are each logged once at info level; polls in between
    log nothing more."""
    window = runtime_of(loaded_entry).settings.online_window
    caplog.set_level(logging.INFO, logger="custom_components.devicehub.push")
    caplog.clear()
    async_fire_time_changed(hass, dt_util.utcnow() + window + timedelta(seconds=1))
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + 2 * window)
    await hass.async_block_till_done()
    await sim.poll_once()
    await sim.poll_once()
    messages = [
        record.getMessage()
        for record in caplog.records
        if record.name == "custom_components.devicehub.push"
    ]
    assert messages == [
        "Gate stopped calling: no request within 0:00:30; commands wait until it calls again",
        "Gate is calling again",
    ]
    assert all(
        record.levelno == logging.INFO
        for record in caplog.records
        if record.name == "custom_components.devicehub.push"
    )


async def test_silent_terminal_issue(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """An hour without a request raises a repair issue; the next request clears it."""
    assert timedelta(hours=1) == SILENT_ISSUE_AFTER
    issue_id = f"push_terminal_silent_{loaded_entry.entry_id}"
    registry = ir.async_get(hass)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=59))
    await hass.async_block_till_done()
    assert registry.async_get_issue(DOMAIN, issue_id) is None
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1, seconds=1))
    await hass.async_block_till_done()
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["name"] == "Gate"
    await sim.poll_once()
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_never_called_terminal_issue(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A terminal that never calls after setup gets the issue too; unloading removes it."""
    issue_id = f"push_terminal_silent_{loaded_entry.entry_id}"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1, seconds=1))
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert _state(hass) == STATE_OFF
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
