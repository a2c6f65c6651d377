"""Config flow steps for doors (placeholder)."""

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow


class DoorConfigFlow(ConfigFlow):
    """Steps that add and reconfigure a door."""

    async def async_step_door(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a door."""
        return self.async_abort(reason="not_implemented")

    async def async_step_reconfigure_door(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure a door."""
        return self.async_abort(reason="not_implemented")


class DoorOptionsFlow(OptionsFlow):
    """Options of a door."""
