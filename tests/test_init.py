"""Tests for the integration's setup."""

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from custom_components.devicehub.const import DOMAIN


async def test_setup_without_entries(hass: HomeAssistant) -> None:
    """The integration loads with no entries and offers every device kind."""
    assert await async_setup_component(hass, DOMAIN, {})
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["terminal", "push_terminal", "door", "import_devices"]
