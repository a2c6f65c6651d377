"""Finds the device family of a config entry."""

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_KIND, DeviceKind
from .door import DOOR_FAMILY
from .family import DeviceFamily
from .terminal import TERMINAL_FAMILY

# runtime_data is the family's own runtime object (TerminalRuntime or DoorRuntime).
type DevicehubConfigEntry = ConfigEntry[Any]

_FAMILIES: dict[DeviceKind, DeviceFamily] = {
    DeviceKind.TERMINAL: TERMINAL_FAMILY,
    DeviceKind.MQTT_DOOR: DOOR_FAMILY,
}


def family_for(entry: ConfigEntry) -> DeviceFamily:
    """Return the family that owns this entry."""
    return _FAMILIES[DeviceKind(entry.data[CONF_KIND])]


async def async_setup_platform(
    platform: Platform,
    hass: HomeAssistant,
    entry: DevicehubConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entities of one platform for whichever family owns the entry."""
    if setup := family_for(entry).platforms.get(platform):
        await setup(hass, entry, async_add_entities)
