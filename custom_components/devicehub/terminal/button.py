"""Buttons of a terminal: restart it, set its clock."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TerminalEntity
from .helpers import terminal_action
from .runtime import TerminalConfigEntry, TerminalRuntime


@dataclass(frozen=True, kw_only=True)
class TerminalButtonEntityDescription(ButtonEntityDescription):
    """A button that runs one terminal operation."""

    press_fn: Callable[[TerminalRuntime], Awaitable[Any]]


BUTTONS: tuple[TerminalButtonEntityDescription, ...] = (
    TerminalButtonEntityDescription(
        key="restart",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda runtime: runtime.async_restart(),
    ),
    TerminalButtonEntityDescription(
        key="sync_clock",
        translation_key="sync_clock",
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda runtime: runtime.async_sync_clock(),
    ),
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
