"""Switches: the extra outputs (relays) an MQTT door declares."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .door.runtime import DoorConfigEntry
from .door.switch import async_setup_switch as async_setup_door_switches

# A relay switch holds an asyncio.Lock per output, like the door's lock.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DoorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switch entities of a devicehub entry."""
    # Only doors forward this platform.
    await async_setup_door_switches(hass, entry, async_add_entities)
