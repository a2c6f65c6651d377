"""Buttons: terminal restart and clock sync, for both terminal families."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .kinds import DevicehubConfigEntry, is_push_entry, is_terminal_entry
from .push.button import async_setup_button as async_setup_push_buttons
from .terminal.button import async_setup_button as async_setup_terminal_buttons

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DevicehubConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the button entities of a devicehub entry."""
    # Terminals of both families forward this platform; doors do not.
    if is_terminal_entry(entry):
        await async_setup_terminal_buttons(hass, entry, async_add_entities)
    elif is_push_entry(entry):
        await async_setup_push_buttons(hass, entry, async_add_entities)
