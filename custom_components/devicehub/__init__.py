"""devicehub: ZKTeco terminals and MQTT doors in Home Assistant."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .families import DevicehubConfigEntry, family_for
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool | None:
    """Register the actions once, for every entry."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: DevicehubConfigEntry) -> bool:
    """Connect to a terminal or door and set up its platforms."""
    family = family_for(entry)
    await family.async_setup_entry(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, list(family.platforms))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: DevicehubConfigEntry) -> bool:
    """Unload the platforms, then release the device connection."""
    family = family_for(entry)
    unloaded = await hass.config_entries.async_unload_platforms(entry, list(family.platforms))
    if unloaded:
        await family.async_unload_entry(hass, entry)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: DevicehubConfigEntry) -> None:
    """Delete what the entry kept in storage."""
    await family_for(entry).async_remove_entry(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: DevicehubConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Allow removing a stale device from the UI when its family agrees."""
    return await family_for(entry).async_remove_device(hass, entry, device_entry)
