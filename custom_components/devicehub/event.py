"""Event entities: punches and strangers."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .families import DevicehubConfigEntry, async_setup_platform

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DevicehubConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up event entities for a devicehub entry."""
    await async_setup_platform(Platform.EVENT, hass, entry, async_add_entities)
