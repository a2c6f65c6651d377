"""Event entities: punches and strangers."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .access.event import async_setup_access_events
from .door.event import async_setup_event as async_setup_door_events
from .kinds import DevicehubConfigEntry, is_push_entry, is_terminal_entry
from .push.event import async_setup_event as async_setup_push_events
from .terminal.event import async_setup_event as async_setup_terminal_events

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DevicehubConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of a devicehub entry."""
    if is_terminal_entry(entry):
        await async_setup_terminal_events(hass, entry, async_add_entities)
        if (feed := entry.runtime_data.access) is not None:
            async_setup_access_events(feed, async_add_entities)
    elif is_push_entry(entry):
        # Access events only once the terminal shows it is an access model.
        await async_setup_push_events(hass, entry, async_add_entities)
    else:
        await async_setup_door_events(hass, entry, async_add_entities)
