"""Diagnostics for a devicehub entry, secrets redacted by each family."""

from typing import Any

from homeassistant.core import HomeAssistant

from .door.diagnostics import async_get_door_diagnostics
from .kinds import DevicehubConfigEntry, is_push_entry, is_terminal_entry
from .push.diagnostics import async_get_push_diagnostics
from .terminal.diagnostics import async_get_terminal_diagnostics


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DevicehubConfigEntry
) -> dict[str, Any]:
    """Return the diagnostics of the family that owns the entry."""
    if is_terminal_entry(entry):
        return await async_get_terminal_diagnostics(hass, entry)
    if is_push_entry(entry):
        return await async_get_push_diagnostics(hass, entry)
    return await async_get_door_diagnostics(hass, entry)
