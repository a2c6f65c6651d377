"""Sensors: terminal counters and clock, door data points."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .door.sensor import async_setup_sensor as async_setup_door_sensors
from .kinds import DevicehubConfigEntry, is_push_entry, is_terminal_entry
from .push.sensor import async_setup_sensor as async_setup_push_sensors
from .terminal.sensor import async_setup_sensor as async_setup_terminal_sensors

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DevicehubConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensor entities of a devicehub entry."""
    if is_terminal_entry(entry):
        await async_setup_terminal_sensors(hass, entry, async_add_entities)
    elif is_push_entry(entry):
        await async_setup_push_sensors(hass, entry, async_add_entities)
    else:
        await async_setup_door_sensors(hass, entry, async_add_entities)
