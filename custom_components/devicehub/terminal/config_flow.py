"""Config flow steps for terminals: add, import, reconfigure, reauthenticate.

The shared flow class in ../config_flow.py inherits these steps; every step validates by
connecting and reading the serial number (else the MAC address), the entry's unique id.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    SOURCE_IMPORT,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_TIMEOUT
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from ..const import CONF_KIND, DOMAIN, DeviceKind
from ..schema import vol
from ..zk.models import TerminalInfo
from .const import DEFAULT_PASSWORD, DEFAULT_PORT, DEFAULT_TIMEOUT, LOGGER, MAX_COMM_KEY
from .legacy_import import LegacyImportError, parse_devices_json
from .options_flow import TerminalOptionsFlow
from .probe import ProbeError, async_probe_terminal

__all__ = ["TerminalConfigFlow", "TerminalOptionsFlow"]

CONF_DEVICES_JSON = "devices_json"

_HOST = TextSelector()
_PORT = NumberSelector(NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX))
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TIMEOUT = NumberSelector(
    NumberSelectorConfig(
        min=1, max=60, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
    )
)


def _connection_schema(*, with_password: bool, with_name: bool) -> vol.Schema:
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_HOST): _HOST,
        vol.Required(CONF_PORT, default=DEFAULT_PORT): _PORT,
    }
    if with_password:
        fields[vol.Required(CONF_PASSWORD, default=str(DEFAULT_PASSWORD))] = _PASSWORD
    fields[vol.Required(CONF_TIMEOUT, default=DEFAULT_TIMEOUT)] = _TIMEOUT
    if with_name:
        fields[vol.Optional(CONF_NAME)] = TextSelector()
    return vol.Schema(fields)


_PASSWORD_SCHEMA = vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD})
_IMPORT_SCHEMA = vol.Schema(
    {vol.Required(CONF_DEVICES_JSON): TextSelector(TextSelectorConfig(multiline=True))}
)


def _connection_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The connection data to store, types normalised (the form gives floats and text)."""
    data: dict[str, Any] = {}
    if CONF_HOST in user_input:
        data[CONF_HOST] = str(user_input[CONF_HOST]).strip()
    if CONF_PORT in user_input:
        data[CONF_PORT] = int(user_input[CONF_PORT])
    if CONF_PASSWORD in user_input:
        data[CONF_PASSWORD] = int(user_input[CONF_PASSWORD])
    if CONF_TIMEOUT in user_input:
        data[CONF_TIMEOUT] = int(user_input[CONF_TIMEOUT])
    return data


def _password_error(user_input: Mapping[str, Any]) -> str | None:
    """The comm key is a number from 0 to 999999."""
    password = str(user_input.get(CONF_PASSWORD, DEFAULT_PASSWORD)).strip()
    if password.isdigit() and int(password) <= MAX_COMM_KEY:
        return None
    return "invalid_password"


def _title(user_input: Mapping[str, Any], info: TerminalInfo) -> str:
    name = str(user_input.get(CONF_NAME) or "").strip()
    return name or info.device_name or f"ZKTeco {info.unique_id}"


class TerminalConfigFlow(ConfigFlow):
    """Steps that add, import, reconfigure and reauthenticate a terminal."""

    async def async_step_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a terminal: connect, read its serial number, create the entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if password_error := _password_error(user_input):
                errors[CONF_PASSWORD] = password_error
            else:
                data = _connection_data(user_input)
                try:
                    info = await async_probe_terminal(data)
                except ProbeError as err:
                    errors["base"] = err.reason
                else:
                    await self.async_set_unique_id(info.unique_id)
                    self._abort_if_unique_id_configured()
                    return self.async_create_entry(
                        title=_title(user_input, info),
                        data={CONF_KIND: DeviceKind.TERMINAL, **data},
                    )
        schema = _connection_schema(with_password=True, with_name=True)
        return self.async_show_form(
            step_id="terminal",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Add one terminal of an imported devices.json."""
        data = _connection_data(import_data)
        try:
            info = await async_probe_terminal(data)
        except ProbeError as err:
            return self.async_abort(reason=err.reason)
        await self.async_set_unique_id(info.unique_id)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=_title(import_data, info), data={CONF_KIND: DeviceKind.TERMINAL, **data}
        )

    async def async_step_import_devices(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Import every terminal of the old server's devices.json, one entry each."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                terminals = parse_devices_json(user_input[CONF_DEVICES_JSON])
            except LegacyImportError as err:
                # The reason only: the text itself holds passwords.
                LOGGER.debug("devices.json rejected: %s", err)
                errors[CONF_DEVICES_JSON] = "invalid_devices_json"
            else:
                imported: list[str] = []
                skipped: list[str] = []
                failed: list[str] = []
                for terminal in terminals:
                    result = await self.hass.config_entries.flow.async_init(
                        DOMAIN, context={"source": SOURCE_IMPORT}, data=terminal.as_import_data()
                    )
                    if result["type"] is FlowResultType.CREATE_ENTRY:
                        imported.append(terminal.name)
                    elif result.get("reason") == "already_configured":
                        skipped.append(terminal.name)
                    else:
                        failed.append(f"{terminal.name} ({result.get('reason')})")
                return self.async_abort(
                    reason="import_finished",
                    description_placeholders={
                        "imported": ", ".join(imported) or "-",
                        "skipped": ", ".join(skipped) or "-",
                        "failed": ", ".join(failed) or "-",
                    },
                )
        return self.async_show_form(
            step_id="import_devices", data_schema=_IMPORT_SCHEMA, errors=errors
        )

    async def async_step_reconfigure_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port or timeout; the password and the options stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            updates = _connection_data(user_input)
            try:
                info = await async_probe_terminal({**entry.data, **updates})
            except ProbeError as err:
                errors["base"] = err.reason
            else:
                await self.async_set_unique_id(info.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_terminal")
                return self.async_update_reload_and_abort(entry, data_updates=updates)
        schema = _connection_schema(with_password=False, with_name=False)
        return self.async_show_form(
            step_id="reconfigure_terminal",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or entry.data),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The terminal rejected the password: ask for the new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Try the new password, then reload the entry with it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            if password_error := _password_error(user_input):
                errors[CONF_PASSWORD] = password_error
            else:
                updates = _connection_data(user_input)
                try:
                    info = await async_probe_terminal({**entry.data, **updates})
                except ProbeError as err:
                    errors["base"] = err.reason
                else:
                    await self.async_set_unique_id(info.unique_id)
                    self._abort_if_unique_id_mismatch(reason="wrong_terminal")
                    return self.async_update_reload_and_abort(entry, data_updates=updates)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=_PASSWORD_SCHEMA,
            errors=errors,
            description_placeholders={"name": entry.title, CONF_HOST: entry.data[CONF_HOST]},
        )
