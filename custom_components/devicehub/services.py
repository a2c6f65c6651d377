"""Registers devicehub's actions; each family owns its own."""

from homeassistant.core import HomeAssistant, callback

from .door.services import async_setup_door_services
from .terminal.services import async_setup_terminal_services


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every devicehub action."""
    async_setup_terminal_services(hass)
    async_setup_door_services(hass)
