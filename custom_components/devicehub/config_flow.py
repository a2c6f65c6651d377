"""Config flow: add a ZKTeco terminal (called or calling in) or an MQTT door."""

from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult, OptionsFlow
from homeassistant.core import callback

from .const import CONF_KIND, DOMAIN, DeviceKind
from .door.config_flow import DoorConfigFlow, DoorOptionsFlow
from .push.config_flow import PushConfigFlow, PushOptionsFlow
from .terminal.config_flow import TerminalConfigFlow, TerminalOptionsFlow


class DevicehubConfigFlow(TerminalConfigFlow, DoorConfigFlow, PushConfigFlow, domain=DOMAIN):
    """One flow for every device family; the steps live with each family."""

    VERSION = 1
    MINOR_VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which kind of device to add."""
        return self.async_show_menu(
            step_id="user", menu_options=["terminal", "push_terminal", "door", "import_devices"]
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Send the reconfigure step to the entry's family."""
        kind = self._get_reconfigure_entry().data[CONF_KIND]
        if kind == DeviceKind.TERMINAL:
            return await self.async_step_reconfigure_terminal(user_input)
        if kind == DeviceKind.PUSH_TERMINAL:
            return await self.async_step_reconfigure_push_terminal(user_input)
        return await self.async_step_reconfigure_door(user_input)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow of the entry's family."""
        kind = config_entry.data[CONF_KIND]
        if kind == DeviceKind.TERMINAL:
            return TerminalOptionsFlow()
        if kind == DeviceKind.PUSH_TERMINAL:
            return PushOptionsFlow()
        return DoorOptionsFlow()
