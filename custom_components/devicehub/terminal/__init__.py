"""Home Assistant glue for ZKTeco terminals that Home Assistant calls."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from .cursor import AttendanceCursor
from .issues import async_delete_issues
from .runtime import TerminalConfigEntry, async_setup_runtime, async_unload_runtime

PLATFORMS = (
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.SENSOR,
)


async def async_setup_entry(hass: HomeAssistant, entry: TerminalConfigEntry) -> bool:
    """Connect to the terminal, then add its entities."""
    await async_setup_runtime(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: TerminalConfigEntry) -> bool:
    """Remove the entities, then release the terminal's connection and threads."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await async_unload_runtime(hass, entry)
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: TerminalConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Only a device that is not the entry's terminal any more may be removed."""
    return (DOMAIN, entry.unique_id) not in device.identifiers


async def async_remove_entry(hass: HomeAssistant, entry: TerminalConfigEntry) -> None:
    """Forget a deleted terminal's delivery position and its repair issues."""
    await AttendanceCursor(hass, entry.entry_id).async_remove()
    async_delete_issues(hass, entry)
