"""Options of a terminal: unlock pulse, code, name encoding, time zone, live capture."""

import codecs
from typing import Any
import zoneinfo

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from ..schema import vol
from .const import (
    CONF_CODE,
    CONF_ENCODING,
    CONF_LIVE_CAPTURE,
    CONF_POLL_INTERVAL,
    CONF_TIME_ZONE,
    CONF_UNLOCK_SECONDS,
    DEFAULT_ENCODING,
    DEFAULT_LIVE_CAPTURE,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_UNLOCK_SECONDS,
    ENCODINGS,
)


def _is_known_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


class TerminalOptionsFlow(OptionsFlowWithReload):
    """Tune how Home Assistant uses a terminal; the entry reloads with the new options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Open the terminal's options."""
        return await self.async_step_terminal_options(user_input)

    async def async_step_terminal_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if not _is_known_encoding(user_input[CONF_ENCODING]):
                errors[CONF_ENCODING] = "invalid_encoding"
            else:
                options = {
                    **user_input,
                    CONF_UNLOCK_SECONDS: int(user_input[CONF_UNLOCK_SECONDS]),
                    CONF_POLL_INTERVAL: int(user_input[CONF_POLL_INTERVAL]),
                }
                if not options.get(CONF_CODE):
                    options.pop(CONF_CODE, None)
                return self.async_create_entry(data=options)

        # Listing the zones reads tzdata from disk.
        zones = sorted(await self.hass.async_add_executor_job(zoneinfo.available_timezones))
        schema = vol.Schema(
            {
                vol.Required(CONF_UNLOCK_SECONDS, default=DEFAULT_UNLOCK_SECONDS): NumberSelector(
                    NumberSelectorConfig(
                        min=1, max=60, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
                    )
                ),
                vol.Optional(CONF_CODE): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.PASSWORD)
                ),
                vol.Required(CONF_ENCODING, default=DEFAULT_ENCODING): SelectSelector(
                    SelectSelectorConfig(
                        options=list(ENCODINGS),
                        custom_value=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(CONF_TIME_ZONE, default=self.hass.config.time_zone): SelectSelector(
                    SelectSelectorConfig(options=zones, mode=SelectSelectorMode.DROPDOWN)
                ),
                vol.Required(CONF_LIVE_CAPTURE, default=DEFAULT_LIVE_CAPTURE): BooleanSelector(),
                vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL): NumberSelector(
                    NumberSelectorConfig(
                        min=10,
                        max=3600,
                        step=1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="terminal_options",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )
