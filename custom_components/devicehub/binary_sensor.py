"""Binary sensors: alarms declared by MQTT doors."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .door.binary_sensor import async_setup_binary_sensor as async_setup_door_binary_sensors
from .door.runtime import DoorConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DoorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensor entities of a devicehub entry."""
    # Only doors forward this platform.
    await async_setup_door_binary_sensors(hass, entry, async_add_entities)
