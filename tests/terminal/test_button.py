"""Buttons of a terminal: restart and clock sync."""

from datetime import datetime

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest

from tools.zksim import TerminalSimulator


async def press(hass: HomeAssistant, entity_id: str) -> None:
    """Press a button and wait for it."""
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


@pytest.mark.usefixtures("loaded_entry")
async def test_sync_clock(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """Sync clock sets the terminal to HA's local time; the offset sensor follows."""
    simulator.clock.jump(-90)
    await press(hass, "button.front_desk_sync_clock")
    [set_to] = simulator.time_sets
    expected = dt_util.now().replace(tzinfo=None)
    assert abs((expected - set_to).total_seconds()) < 3
    assert isinstance(set_to, datetime)
    assert abs(float(hass.states.get("sensor.front_desk_clock_offset").state)) <= 1


@pytest.mark.usefixtures("loaded_entry")
async def test_restart(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """Restart reboots the terminal; a failure is a translated error."""
    await press(hass, "button.front_desk_restart")
    assert simulator.restarts == 1

    simulator.faults.mute = True
    with pytest.raises(HomeAssistantError) as error:
        await press(hass, "button.front_desk_restart")
    assert error.value.translation_key == "action_failed"
    assert error.value.translation_placeholders["name"] == "Front desk"
