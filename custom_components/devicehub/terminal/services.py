"""Actions of terminals."""

from homeassistant.core import HomeAssistant, callback


@callback
def async_setup_terminal_services(hass: HomeAssistant) -> None:
    """Register the terminal actions."""
