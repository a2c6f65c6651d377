"""Repair flows of devicehub; each family owns its issues, told apart by id prefix."""

from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant

from .door.const import ISSUE_UNREGISTERED
from .door.repairs import async_create_fix_flow as async_create_door_fix_flow
from .terminal.const import ISSUE_CLOCK_DRIFT
from .terminal.repairs import async_create_terminal_fix_flow


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Hand the issue to the family that raised it."""
    if issue_id.startswith(ISSUE_UNREGISTERED):
        return await async_create_door_fix_flow(hass, issue_id, data)
    if issue_id.startswith(ISSUE_CLOCK_DRIFT):
        return await async_create_terminal_fix_flow(hass, issue_id, data)
    return ConfirmRepairFlow()
