"""Diagnostics of a terminal entry, secrets redacted."""

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.devicehub.terminal.const import CONF_CODE, CONF_ENCODING
from tools.zksim import TerminalSimulator

from .conftest import async_wait_live


@pytest.mark.parametrize("entry_options", [{CONF_CODE: "2468", CONF_ENCODING: "gbk"}])
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Identity, counters, live capture and the cursor; no password, no code."""
    await async_wait_live(hass, simulator)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["entry"]["options"]["code"] == "**REDACTED**"
    assert diagnostics == snapshot(exclude=props("port", "last_time", "clock_offset_seconds"))
