"""Actions of doors: `devicehub.call` sends a declared command and returns its result."""

import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr

from ..const import DOMAIN
from ..kinds import is_door_entry
from ..mqtt_door.payloads import MAX_TEXT_BYTES
from ..schema import vol
from .const import (
    ATTR_ARGS,
    ATTR_COMMAND,
    ATTR_DEVICE,
    ATTR_TIMEOUT,
    DEFAULT_CALL_TIMEOUT,
    MAX_CALL_TIMEOUT,
    SERVICE_CALL,
)
from .runtime import DoorRuntime

CALL_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE): cv.string,
        vol.Required(ATTR_COMMAND): cv.string,
        vol.Optional(ATTR_ARGS, default=dict): dict,
        vol.Optional(ATTR_TIMEOUT, default=DEFAULT_CALL_TIMEOUT): vol.All(
            vol.Coerce(float), vol.Range(min=1, max=MAX_CALL_TIMEOUT)
        ),
    }
)


def _door_runtime(hass: HomeAssistant, device: str) -> DoorRuntime:
    """Find the loaded door of a device id or a config entry id."""
    device_entry = dr.async_get(hass).async_get(device)
    entry_ids = {device_entry.config_entry_id} if device_entry else {device}
    for entry_id in entry_ids:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or not is_door_entry(entry):
            continue
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="door_not_loaded",
                translation_placeholders={"name": entry.title},
            )
        runtime: DoorRuntime = entry.runtime_data
        return runtime
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="door_not_found",
        translation_placeholders={"device": device},
    )


def _encoded_args(args: dict[str, Any]) -> None:
    """Refuse arguments that are not JSON or too large for a door."""
    try:
        size = len(json.dumps(args).encode())
    except (TypeError, ValueError) as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="invalid_args"
        ) from err
    if size > MAX_TEXT_BYTES:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_args")


async def _async_call(call: ServiceCall) -> ServiceResponse:
    runtime = _door_runtime(call.hass, call.data[ATTR_DEVICE])
    command: str = call.data[ATTR_COMMAND]
    placeholders = {"name": runtime.name, "command": command}
    if runtime.hand_shake.command(command) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="command_not_declared",
            translation_placeholders={
                **placeholders,
                "commands": ", ".join(item.name for item in runtime.hand_shake.commands) or "-",
            },
        )
    args: dict[str, Any] = call.data[ATTR_ARGS]
    _encoded_args(args)
    result = await runtime.calls.async_call(command, args, call.data[ATTR_TIMEOUT], runtime.name)
    if not result.ok:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="call_failed",
            translation_placeholders={**placeholders, "error": result.error or "-"},
        )
    return {"ok": True, "data": result.data}


@callback
def async_setup_door_services(hass: HomeAssistant) -> None:
    """Register the door actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALL,
        _async_call,
        schema=CALL_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
