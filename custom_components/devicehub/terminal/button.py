"""Buttons of a terminal: restart it, set its clock."""

from typing import override

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..shared.button import RuntimeButtonEntityDescription, maintenance_buttons
from .entity import TerminalEntity
from .helpers import terminal_action
from .runtime import TerminalConfigEntry, TerminalRuntime

type TerminalButtonEntityDescription = RuntimeButtonEntityDescription[TerminalRuntime]

BUTTONS: tuple[TerminalButtonEntityDescription, ...] = maintenance_buttons(
    restart=TerminalRuntime.async_restart, sync_clock=TerminalRuntime.async_sync_clock
)


async def async_setup_button(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of a terminal."""
    runtime = entry.runtime_data
    async_add_entities(TerminalButton(runtime, description) for description in BUTTONS)


class TerminalButton(TerminalEntity, ButtonEntity):
    """Runs its operation on the terminal when pressed."""

    entity_description: TerminalButtonEntityDescription

    def __init__(
        self, runtime: TerminalRuntime, description: TerminalButtonEntityDescription
    ) -> None:
        """Describe the button."""
        super().__init__(runtime.coordinator, description.key)
        self.entity_description = description
        self._runtime = runtime

    @override
    @terminal_action
    async def async_press(self) -> None:
        """Run the operation."""
        await self.entity_description.press_fn(self._runtime)
