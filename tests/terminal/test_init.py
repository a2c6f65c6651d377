"""Setting up, retrying and unloading a terminal entry."""

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from tools.zksim import TerminalSimulator

from .conftest import SERIAL, TITLE


async def test_setup_and_unload(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The terminal becomes a device with its entities; unloading releases it."""
    device = device_registry.async_get_device_by_identifier((DOMAIN, SERIAL), loaded_entry.entry_id)
    assert device is not None
    assert device.name == TITLE
    assert device.manufacturer == "ZKTeco"
    assert hass.states.get("lock.front_desk").state == "locked"
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
