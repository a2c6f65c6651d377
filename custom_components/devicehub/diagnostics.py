"""Diagnostics for a devicehub entry, secrets redacted by each family."""

from typing import Any

from homeassistant.core import HomeAssistant

from .families import DevicehubConfigEntry, family_for


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DevicehubConfigEntry
) -> dict[str, Any]:
    """Return the diagnostics of the family that owns the entry."""
    return await family_for(entry).async_get_diagnostics(hass, entry)
