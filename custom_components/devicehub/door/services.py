"""Actions of doors: `devicehub.call` sends a declared command and returns its result.

A door is picked by device_id or config_entry_id, as a terminal is; Home Assistant's service
helpers find the loaded entry, and only a door's entry is accepted.
"""

import json
from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, service

from ..const import DOMAIN
from ..kinds import is_door_entry
from ..mqtt_door.payloads import MAX_TEXT_BYTES
from ..schema import vol
from .const import (
    ATTR_ARGS,
    ATTR_COMMAND,
    ATTR_TIMEOUT,
    DEFAULT_CALL_TIMEOUT,
    MAX_CALL_TIMEOUT,
    SERVICE_CALL,
)
from .runtime import DoorRuntime

CALL_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Exclusive(ATTR_DEVICE_ID, "door"): cv.string,
            vol.Exclusive(ATTR_CONFIG_ENTRY_ID, "door"): cv.string,
            vol.Required(ATTR_COMMAND): cv.string,
            vol.Optional(ATTR_ARGS, default=dict): dict,
            vol.Optional(ATTR_TIMEOUT, default=DEFAULT_CALL_TIMEOUT): vol.All(
                vol.Coerce(float), vol.Range(min=1, max=MAX_CALL_TIMEOUT)
            ),
        }
    ),
    cv.has_at_least_one_key(ATTR_DEVICE_ID, ATTR_CONFIG_ENTRY_ID),
)


@callback
def _door_runtime(hass: HomeAssistant, call: ServiceCall) -> DoorRuntime:
    """The runtime of the loaded door the call targets."""
    if (target := call.data.get(ATTR_DEVICE_ID)) is not None:
        _device, entry = service.async_get_device_and_config_entry(
            hass, DOMAIN, target, include_child_devices=False
        )
    else:
        target = call.data[ATTR_CONFIG_ENTRY_ID]
        entry = service.async_get_config_entry(hass, DOMAIN, target)
    if not is_door_entry(entry):  # a terminal
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="door_not_found",
            translation_placeholders={"device": target},
        )
    return entry.runtime_data


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
    runtime = _door_runtime(call.hass, call)
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
