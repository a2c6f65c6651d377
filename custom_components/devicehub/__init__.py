"""devicehub: ZKTeco terminals (called or calling) and MQTT doors in Home Assistant.

Each entry is one device of one family; the family runs its own setup around platform
forwarding. The guards in kinds.py give each family its typed entry.
"""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from . import door, push, terminal
from .const import DOMAIN
from .kinds import DevicehubConfigEntry, is_push_entry, is_terminal_entry
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool | None:
    """Register the actions once, for every entry, and the push terminals' endpoints."""
    async_setup_services(hass)
    push.async_setup(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: DevicehubConfigEntry) -> bool:
    """Connect to a terminal or follow a door, and add its entities."""
    if is_terminal_entry(entry):
        return await terminal.async_setup_entry(hass, entry)
    if is_push_entry(entry):
        return await push.async_setup_entry(hass, entry)
    return await door.async_setup_entry(hass, entry)


async def async_unload_entry(hass: HomeAssistant, entry: DevicehubConfigEntry) -> bool:
    """Remove the entities, then release the device connection."""
    if is_terminal_entry(entry):
        return await terminal.async_unload_entry(hass, entry)
    if is_push_entry(entry):
        return await push.async_unload_entry(hass, entry)
    return await door.async_unload_entry(hass, entry)


async def async_remove_entry(hass: HomeAssistant, entry: DevicehubConfigEntry) -> None:
    """Delete what the entry kept in storage."""
    if is_terminal_entry(entry):
        await terminal.async_remove_entry(hass, entry)
    elif is_push_entry(entry):
        await push.async_remove_entry(hass, entry)
    else:
        await door.async_remove_entry(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: DevicehubConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Allow removing a stale device from the UI when its family agrees."""
    if is_terminal_entry(entry):
        return await terminal.async_remove_config_entry_device(hass, entry, device_entry)
    if is_push_entry(entry):
        return await push.async_remove_config_entry_device(hass, entry, device_entry)
    return await door.async_remove_config_entry_device(hass, entry, device_entry)
