"""Repair flow for a door that unregistered itself: remove it, if the user agrees."""

from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant

from .const import ATTR_DOOR_ID, ATTR_ENTRY_ID


class RemoveUnregisteredDoorFlow(RepairsFlow):
    """Confirm, then remove the door's config entry (never done without asking)."""

    def __init__(self, entry_id: str) -> None:
        """Remember which entry to remove."""
        self._entry_id = entry_id

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Ask, then remove the entry."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if user_input is not None and entry is not None:
            await self.hass.config_entries.async_remove(self._entry_id)
            return self.async_create_entry(data={})
        if entry is None:
            return self.async_abort(reason="door_already_removed")
        return self.async_show_form(
            step_id="confirm",
            description_placeholders={"name": entry.title, ATTR_DOOR_ID: entry.unique_id or ""},
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Create the flow that removes an unregistered door."""
    entry_id = str((data or {}).get(ATTR_ENTRY_ID, ""))
    return RemoveUnregisteredDoorFlow(entry_id)
