"""Config flow steps for terminals (placeholder)."""

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow


class TerminalConfigFlow(ConfigFlow):
    """Steps that add and reconfigure a terminal."""

    async def async_step_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a terminal."""
        return self.async_abort(reason="not_implemented")

    async def async_step_reconfigure_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure a terminal."""
        return self.async_abort(reason="not_implemented")


class TerminalOptionsFlow(OptionsFlow):
    """Options of a terminal."""
