"""Actions of doors."""

from homeassistant.core import HomeAssistant, callback


@callback
def async_setup_door_services(hass: HomeAssistant) -> None:
    """Register the door actions."""
