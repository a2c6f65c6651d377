"""Connectivity from the poll window, and the repair issue of a silent terminal."""

from datetime import timedelta

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.push.const import SILENT_ISSUE_AFTER
from tools.admssim import PushTerminalSimulator

from .conftest import CONNECTIVITY_ENTITY, DELAY, runtime_of


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
