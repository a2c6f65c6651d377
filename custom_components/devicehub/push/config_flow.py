"""Config flow steps for push terminals: discovered when they call in, or added by hand.

A push terminal cannot be asked anything: it calls Home Assistant. So adding one only
records its serial number (the entry's unique id), a name and its time zone; the terminal is
served from its next call on.
"""

from ipaddress import ip_address
from typing import Any
import zoneinfo

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import CONF_NAME
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

from ..adms import is_valid_serial
from ..const import CONF_KIND, DeviceKind
from ..schema import vol
from .const import (
    CONF_CODE,
    CONF_DELAY,
    CONF_LISTEN_ADDRESS,
    CONF_LISTEN_PORT,
    CONF_REALTIME,
    CONF_SERIAL_NUMBER,
    CONF_TIME_ZONE,
    CONF_UNLOCK_SECONDS,
    DEFAULT_DELAY,
    DEFAULT_REALTIME,
    DEFAULT_UNLOCK_SECONDS,
    MAX_DELAY,
    MAX_UNLOCK_SECONDS,
    MIN_DELAY,
)

CONF_HOST = "host"


def _is_ip_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def default_title(serial: str) -> str:
    """The name of a terminal the user did not name."""
    return f"ZKTeco {serial}"


def _seconds(minimum: int, maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum, max=maximum, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
        )
    )


class PushConfigFlow(ConfigFlow):
    """Steps that add and reconfigure a push terminal."""

    _push_serial: str | None = None
    _push_host: str | None = None

    async def _async_time_zones(self) -> list[str]:
        # Listing the zones reads tzdata from disk.
        return sorted(await self.hass.async_add_executor_job(zoneinfo.available_timezones))

    async def _async_identity_schema(self, *, with_serial: bool) -> vol.Schema:
        zones = SelectSelector(
            SelectSelectorConfig(
                options=await self._async_time_zones(), mode=SelectSelectorMode.DROPDOWN
            )
        )
        fields: dict[vol.Marker, Any] = {}
        if with_serial:
            fields[vol.Required(CONF_SERIAL_NUMBER)] = TextSelector()
        fields[vol.Optional(CONF_NAME)] = TextSelector()
        fields[vol.Required(CONF_TIME_ZONE, default=self.hass.config.time_zone)] = zones
        return vol.Schema(fields)

    def _async_create_push_entry(self, serial: str, user_input: dict[str, Any]) -> ConfigFlowResult:
        name = str(user_input.get(CONF_NAME) or "").strip()
        return self.async_create_entry(
            title=name or default_title(serial),
            data={
                CONF_KIND: DeviceKind.PUSH_TERMINAL.value,
                CONF_SERIAL_NUMBER: serial,
                CONF_TIME_ZONE: user_input[CONF_TIME_ZONE],
            },
        )

    async def async_step_push_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a push terminal by its serial number, before it first calls in."""
        errors: dict[str, str] = {}
        if user_input is not None:
            serial = str(user_input[CONF_SERIAL_NUMBER]).strip()
            if not is_valid_serial(serial):
                errors[CONF_SERIAL_NUMBER] = "invalid_serial_number"
            else:
                await self.async_set_unique_id(serial)
                self._abort_if_unique_id_configured()
                return self._async_create_push_entry(serial, user_input)
        schema = await self._async_identity_schema(with_serial=True)
        return self.async_show_form(
            step_id="push_terminal",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """A terminal with an unknown serial number called in: offer to add it."""
        serial = str(discovery_info[CONF_SERIAL_NUMBER])
        await self.async_set_unique_id(serial)
        self._abort_if_unique_id_configured()
        self._push_serial = serial
        self.context["title_placeholders"] = {"name": f"SN {serial}"}
        self._push_host = str(discovery_info.get(CONF_HOST) or "") or None
        return await self.async_step_push_terminal_confirm()

    async def async_step_push_terminal_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask whether to add the terminal that called in, with its name and time zone."""
        assert self._push_serial is not None
        if user_input is not None:
            return self._async_create_push_entry(self._push_serial, user_input)
        schema = await self._async_identity_schema(with_serial=False)
        return self.async_show_form(
            step_id="push_terminal_confirm",
            data_schema=self.add_suggested_values_to_schema(
                schema, {CONF_NAME: default_title(self._push_serial)}
            ),
            description_placeholders={
                "serial": self._push_serial,
                "host": self._push_host or "-",
            },
        )

    async def async_step_reconfigure_push_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the time zone the terminal's clock runs in; the serial number stays."""
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            return self.async_update_reload_and_abort(
                entry, data_updates={CONF_TIME_ZONE: user_input[CONF_TIME_ZONE]}
            )
        zones = SelectSelector(
            SelectSelectorConfig(
                options=await self._async_time_zones(), mode=SelectSelectorMode.DROPDOWN
            )
        )
        schema = vol.Schema({vol.Required(CONF_TIME_ZONE): zones})
        return self.async_show_form(
            step_id="reconfigure_push_terminal",
            data_schema=self.add_suggested_values_to_schema(schema, entry.data),
            description_placeholders={"serial": entry.data[CONF_SERIAL_NUMBER]},
        )


class PushOptionsFlow(OptionsFlowWithReload):
    """Tune what the terminal is told and how its door opens; the entry reloads."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Open the push terminal's options."""
        return await self.async_step_push_options(user_input)

    async def async_step_push_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options = {
                **user_input,
                CONF_DELAY: int(user_input[CONF_DELAY]),
                CONF_UNLOCK_SECONDS: int(user_input[CONF_UNLOCK_SECONDS]),
            }
            options[CONF_LISTEN_ADDRESS] = str(options.get(CONF_LISTEN_ADDRESS, "")).strip()
            for optional in (CONF_CODE, CONF_LISTEN_ADDRESS, CONF_LISTEN_PORT):
                if not options.get(optional):
                    options.pop(optional, None)
            if CONF_LISTEN_PORT in options:
                options[CONF_LISTEN_PORT] = int(options[CONF_LISTEN_PORT])
            address = options.get(CONF_LISTEN_ADDRESS)
            if address and not _is_ip_address(address):
                errors[CONF_LISTEN_ADDRESS] = "invalid_listen_address"
            if not errors:
                return self.async_create_entry(data=options)
        schema = vol.Schema(
            {
                vol.Required(CONF_DELAY, default=DEFAULT_DELAY): _seconds(MIN_DELAY, MAX_DELAY),
                vol.Required(CONF_REALTIME, default=DEFAULT_REALTIME): BooleanSelector(),
                vol.Required(CONF_UNLOCK_SECONDS, default=DEFAULT_UNLOCK_SECONDS): _seconds(
                    1, MAX_UNLOCK_SECONDS
                ),
                vol.Optional(CONF_CODE): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.PASSWORD)
                ),
                vol.Optional(CONF_LISTEN_ADDRESS): TextSelector(),
                vol.Optional(CONF_LISTEN_PORT): NumberSelector(
                    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
                ),
            }
        )
        return self.async_show_form(
            step_id="push_options",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )
