"""Buttons of a push terminal: restart it, set its clock (queued until it polls)."""

from typing import override

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..adms import Reboot
from ..shared.button import RuntimeButtonEntityDescription, maintenance_buttons
from .entity import PushOnlineEntity
from .helpers import async_run_command, async_sync_clock
from .runtime import PushConfigEntry, PushRuntime

type PushButtonEntityDescription = RuntimeButtonEntityDescription[PushRuntime]

BUTTONS: tuple[PushButtonEntityDescription, ...] = maintenance_buttons(
    restart=lambda runtime: async_run_command(runtime, Reboot()),
    sync_clock=async_sync_clock,
)


async def async_setup_button(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of a push terminal."""
    runtime = entry.runtime_data
    async_add_entities(PushButton(runtime, description) for description in BUTTONS)


class PushButton(PushOnlineEntity, ButtonEntity):
    """Queues its command when pressed and waits for the terminal to confirm it."""

    entity_description: PushButtonEntityDescription

    def __init__(self, runtime: PushRuntime, description: PushButtonEntityDescription) -> None:
        """Describe the button."""
        super().__init__(runtime, description.key)
        self.entity_description = description

    @override
    async def async_press(self) -> None:
        """Queue the command; raise a translated error unless the terminal confirms it."""
        await self.entity_description.press_fn(self._runtime)
