"""Locks: the door relay of a terminal and the lock of an MQTT door."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .door.lock import async_setup_lock as async_setup_door_locks
from .kinds import DevicehubConfigEntry, is_push_entry, is_terminal_entry
from .push.lock import async_setup_lock as async_setup_push_locks
from .terminal.lock import async_setup_lock as async_setup_terminal_locks

# Each family keeps its own commands in order: a terminal runs one call at a time, a
# door's lock holds an asyncio.Lock (and must see every action as it is asked for).
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DevicehubConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the lock entities of a devicehub entry."""
    if is_terminal_entry(entry):
        await async_setup_terminal_locks(hass, entry, async_add_entities)
    elif is_push_entry(entry):
        await async_setup_push_locks(hass, entry, async_add_entities)
    else:
        await async_setup_door_locks(hass, entry, async_add_entities)
