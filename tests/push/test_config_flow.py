"""Config flow of push terminals: by hand, by discovery, reconfigure and options."""

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.push.const import (
    CONF_CODE,
    CONF_DELAY,
    CONF_REALTIME,
    CONF_SERIAL_NUMBER,
    CONF_TIME_ZONE,
    CONF_UNLOCK_SECONDS,
)

from .conftest import SERIAL, push_entry


async def test_add_by_hand(hass: HomeAssistant) -> None:
    """The menu leads to the push terminal form; a bad serial is refused; a good one adds."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert "push_terminal" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "push_terminal"}
    )
    assert result["step_id"] == "push_terminal"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SERIAL_NUMBER: "bad serial!", CONF_TIME_ZONE: "UTC"}
    )
    assert result["errors"] == {CONF_SERIAL_NUMBER: "invalid_serial_number"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SERIAL_NUMBER: f" {SERIAL} ", CONF_TIME_ZONE: "Europe/Madrid"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"ZKTeco {SERIAL}"
    assert result["data"] == {
        CONF_KIND: DeviceKind.PUSH_TERMINAL,
        CONF_SERIAL_NUMBER: SERIAL,
        CONF_TIME_ZONE: "Europe/Madrid",
    }
    assert result["result"].unique_id == SERIAL


async def test_add_by_hand_already_configured(hass: HomeAssistant) -> None:
    """A serial number already configured aborts."""
    push_entry().add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "push_terminal"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SERIAL_NUMBER: SERIAL, "name": "X", CONF_TIME_ZONE: "UTC"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_discovery_confirm(hass: HomeAssistant) -> None:
    """A terminal calling in is offered with its serial and address, and added by name."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={CONF_SERIAL_NUMBER: SERIAL, "host": "192.0.2.7"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "push_terminal_confirm"
    assert result["description_placeholders"] == {"serial": SERIAL, "host": "192.0.2.7"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": " ", CONF_TIME_ZONE: "UTC"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"ZKTeco {SERIAL}"


async def test_discovery_of_configured_serial_aborts(hass: HomeAssistant) -> None:
    """A configured terminal is not offered again."""
    push_entry().add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={CONF_SERIAL_NUMBER: SERIAL},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Reconfigure changes the time zone and reloads."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_push_terminal"
    assert result["description_placeholders"] == {"serial": SERIAL}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TIME_ZONE: "Asia/Tokyo"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.data[CONF_TIME_ZONE] == "Asia/Tokyo"
    await hass.async_block_till_done()
    assert str(loaded_entry.runtime_data.settings.time_zone) == "Asia/Tokyo"


async def test_options(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Options: poll delay, realtime, unlock seconds and an optional code; empty code drops."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["step_id"] == "push_options"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DELAY: 5.0, CONF_REALTIME: False, CONF_UNLOCK_SECONDS: 8.0, CONF_CODE: ""},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options == {CONF_DELAY: 5, CONF_REALTIME: False, CONF_UNLOCK_SECONDS: 8}
    await hass.async_block_till_done()
    settings = loaded_entry.runtime_data.settings
    assert (settings.delay, settings.realtime, settings.unlock_seconds) == (5, False, 8)
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_DELAY: 5, CONF_REALTIME: True, CONF_UNLOCK_SECONDS: 8, CONF_CODE: "2468"},
    )
    assert loaded_entry.options[CONF_CODE] == "2468"
