"""Repair flow of terminals: set a drifting terminal clock to Home Assistant's time."""

from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..zk.errors import TerminalError
from .runtime import TerminalRuntime


class ClockDriftRepairFlow(RepairsFlow):
    """Confirm, then sync the terminal clock; the issue clears on the next poll."""

    def __init__(self, entry_id: str) -> None:
        """Remember which terminal the issue is about."""
        self._entry_id = entry_id

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Go to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Ask, then set the clock."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="terminal_not_loaded")
        runtime: TerminalRuntime = entry.runtime_data
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await runtime.async_sync_clock()
            except TerminalError:
                errors["base"] = "cannot_sync"
            else:
                return self.async_create_entry(data={})
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id)
        return self.async_show_form(
            step_id="confirm",
            description_placeholders=issue.translation_placeholders if issue else None,
            errors=errors,
        )


async def async_create_terminal_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The fix flow of a terminal issue (only clock drift is fixable)."""
    assert data is not None
    return ClockDriftRepairFlow(str(data["entry_id"]))
