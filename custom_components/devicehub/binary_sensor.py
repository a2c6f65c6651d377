"""Binary sensors: door alarms, push terminals' connectivity, people's presence at terminals."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .access.binary_sensor import async_setup_access_binary_sensors
from .door.binary_sensor import async_setup_binary_sensor as async_setup_door_binary_sensors
from .kinds import DevicehubConfigEntry, is_push_entry, is_terminal_entry
from .push.binary_sensor import async_setup_binary_sensor as async_setup_push_binary_sensors
from .terminal.binary_sensor import (
    async_setup_binary_sensor as async_setup_terminal_binary_sensors,
)

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DevicehubConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensor entities of a devicehub entry."""
    if is_terminal_entry(entry):
        await async_setup_terminal_binary_sensors(hass, entry, async_add_entities)
        if (feed := entry.runtime_data.access) is not None:
            async_setup_access_binary_sensors(hass, entry, feed, async_add_entities)
    elif is_push_entry(entry):
        # Access entities only once the terminal shows it is an access model.
        await async_setup_push_binary_sensors(hass, entry, async_add_entities)
    else:
        await async_setup_door_binary_sensors(hass, entry, async_add_entities)
