"""Buttons: terminal restart and clock sync."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .terminal.button import async_setup_button as async_setup_terminal_buttons
from .terminal.runtime import TerminalConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the button entities of a devicehub entry."""
    # Only terminals forward this platform.
    await async_setup_terminal_buttons(hass, entry, async_add_entities)
