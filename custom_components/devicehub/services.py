"""Registers devicehub's actions; each family owns its own."""

from homeassistant.core import HomeAssistant, callback

from .door.services import async_setup_door_services
from .push.services import async_add_push_branch
from .terminal.services import async_setup_terminal_services


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every devicehub action."""
    async_setup_terminal_services(hass)
    async_setup_door_services(hass)
    # Push terminals answer the terminal actions that apply to them.
    async_add_push_branch(hass)
