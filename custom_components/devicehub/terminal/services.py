"""Actions of terminals: attendance, users, clock. Each targets one terminal.

A terminal is picked by device_id or config_entry_id, as a door is. Every call goes through the
terminal's AsyncTerminal, so it queues behind other I/O of that terminal and runs
concurrently with other terminals.
"""

from datetime import datetime
from functools import partial
from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, CONF_PASSWORD
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from ..const import DOMAIN
from ..kinds import is_terminal_entry
from ..punch import punch_type, verify_method
from ..schema import vol
from ..zk.models import User
from .copy_action import async_setup_copy_users
from .delivery import UndeliveredRecordsError
from .helpers import device_runtime, translate_terminal_errors
from .runtime import TerminalRuntime

SERVICE_GET_ATTENDANCE = "get_attendance"
SERVICE_GET_USERS = "get_users"
SERVICE_SET_USER = "set_user"
SERVICE_DELETE_USER = "delete_user"
SERVICE_SYNC_TIME = "sync_time"
SERVICE_CLEAR_ATTENDANCE = "clear_attendance"
SERVICE_ENABLE_USER = "enable_user"
SERVICE_DISABLE_USER = "disable_user"

ATTR_START = "start"
ATTR_END = "end"
ATTR_USER_ID = "user_id"
ATTR_NAME = "name"
ATTR_PRIVILEGE = "privilege"
ATTR_CARD = "card"
ATTR_GROUP_ID = "group_id"

# ZKTeco privilege levels (bits 1-3); bit 0 marks a disabled user on TFT firmware.
PRIVILEGES = {"user": 0, "enroller": 2, "manager": 6, "admin": 14}
PRIVILEGE_NAMES = {level: name for name, level in PRIVILEGES.items()}
SETTABLE_PRIVILEGES = ("user", "admin")  # pyzk 0.9 writes only these two

_TARGET = {
    vol.Exclusive(ATTR_DEVICE_ID, "terminal"): cv.string,
    vol.Exclusive(ATTR_CONFIG_ENTRY_ID, "terminal"): cv.string,
}


def _schema(fields: dict[vol.Marker, Any]) -> vol.All[Any]:
    return vol.All(
        vol.Schema({**_TARGET, **fields}),
        cv.has_at_least_one_key(ATTR_DEVICE_ID, ATTR_CONFIG_ENTRY_ID),
    )


_USER_ID = vol.All(cv.string, vol.Length(min=1, max=24))
SCHEMAS = {
    SERVICE_GET_ATTENDANCE: _schema(
        {
            vol.Optional(ATTR_START): cv.datetime,
            vol.Optional(ATTR_END): cv.datetime,
            vol.Optional(ATTR_USER_ID): _USER_ID,
        }
    ),
    SERVICE_GET_USERS: _schema({}),
    SERVICE_SET_USER: _schema(
        {
            vol.Required(ATTR_USER_ID): _USER_ID,
            vol.Required(ATTR_NAME): vol.All(cv.string, vol.Length(max=24)),
            vol.Optional(ATTR_PRIVILEGE, default="user"): vol.In(SETTABLE_PRIVILEGES),
            vol.Optional(CONF_PASSWORD, default=""): vol.All(cv.string, vol.Length(max=8)),
            vol.Optional(ATTR_CARD, default=0): vol.All(
                vol.Coerce(int), vol.Range(min=0, max=0xFFFFFFFF)
            ),
            vol.Optional(ATTR_GROUP_ID, default=""): vol.All(cv.string, vol.Length(max=7)),
        }
    ),
    SERVICE_DELETE_USER: _schema({vol.Required(ATTR_USER_ID): _USER_ID}),
    SERVICE_ENABLE_USER: _schema({vol.Required(ATTR_USER_ID): _USER_ID}),
    SERVICE_DISABLE_USER: _schema({vol.Required(ATTR_USER_ID): _USER_ID}),
    SERVICE_SYNC_TIME: _schema({}),
    SERVICE_CLEAR_ATTENDANCE: _schema({}),
}


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@callback
def _target_runtime(hass: HomeAssistant, call: ServiceCall) -> TerminalRuntime:
    """The runtime of the loaded terminal the call targets.

    Home Assistant's helpers refuse unknown targets, targets of other integrations and
    entries not loaded, with their own translated errors; a door is refused here.
    """
    if ATTR_DEVICE_ID in call.data:
        return device_runtime(hass, call.data[ATTR_DEVICE_ID])
    entry = service.async_get_config_entry(hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID])
    if not is_terminal_entry(entry):
        raise _invalid("not_a_terminal", name=entry.title)
    return entry.runtime_data


def _as_local(value: datetime) -> datetime:
    """A datetime from an action, naive meaning Home Assistant's time zone."""
    return value if value.tzinfo else value.replace(tzinfo=dt_util.get_default_time_zone())


def _user_dict(user: User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "name": user.name,
        "privilege": PRIVILEGE_NAMES.get(user.privilege & 0b1110, str(user.privilege)),
        "enabled": not user.privilege & 1,
        "group_id": user.group_id,
        "card": user.card,
    }


async def _async_get_attendance(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    runtime = _target_runtime(hass, call)
    start = _as_local(call.data[ATTR_START]) if ATTR_START in call.data else None
    end = _as_local(call.data[ATTR_END]) if ATTR_END in call.data else None
    if start and end and end < start:
        raise _invalid("end_before_start")
    user_id = call.data.get(ATTR_USER_ID)
    with translate_terminal_errors(hass, runtime.entry):
        batch = await runtime.terminal.get_attendance()
    zone = runtime.settings.time_zone
    records: list[JsonValueType] = []
    for record in sorted(batch.records, key=lambda record: record.timestamp):
        stamp = record.timestamp.replace(microsecond=0, tzinfo=zone)
        if (start and stamp < start) or (end and stamp > end):
            continue
        if user_id is not None and record.user_id != user_id:
            continue
        records.append(
            {
                "user_id": record.user_id,
                "user_name": runtime.users.name(record.user_id),
                "timestamp": stamp.isoformat(),
                "punch": punch_type(record.punch),
                "verify": verify_method(record.verify),
            }
        )
    return {"records": records, "invalid_records": batch.invalid}


async def _async_get_users(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    runtime = _target_runtime(hass, call)
    with translate_terminal_errors(hass, runtime.entry):
        users = await runtime.terminal.get_users()
    runtime.users.update(users)
    return {"users": [_user_dict(user) for user in users]}


async def _async_set_user(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    runtime = _target_runtime(hass, call)
    user_id = call.data[ATTR_USER_ID]
    with translate_terminal_errors(hass, runtime.entry):
        await runtime.terminal.set_user(
            user_id,
            call.data[ATTR_NAME],
            privilege=PRIVILEGES[call.data[ATTR_PRIVILEGE]],
            password=call.data[CONF_PASSWORD],
            card=call.data[ATTR_CARD],
            group_id=call.data[ATTR_GROUP_ID],
        )
        users = await runtime.terminal.get_users()
    runtime.users.update(users)
    await runtime.coordinator.async_request_refresh()
    saved = next((user for user in users if user.user_id == user_id), None)
    return {"user": _user_dict(saved) if saved else None}


async def _async_delete_user(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    runtime = _target_runtime(hass, call)
    with translate_terminal_errors(hass, runtime.entry):
        await runtime.terminal.delete_user(call.data[ATTR_USER_ID])
        users = await runtime.terminal.get_users()
    runtime.users.update(users)
    await runtime.coordinator.async_request_refresh()
    return {"deleted": call.data[ATTR_USER_ID]}


async def _async_set_enabled(
    hass: HomeAssistant, call: ServiceCall, enabled: bool
) -> ServiceResponse:
    runtime = _target_runtime(hass, call)
    with translate_terminal_errors(hass, runtime.entry):
        user = await runtime.terminal.set_user_enabled(call.data[ATTR_USER_ID], enabled)
    return {"user": _user_dict(user)}


async def _async_enable_user(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await _async_set_enabled(hass, call, enabled=True)


async def _async_disable_user(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await _async_set_enabled(hass, call, enabled=False)


async def _async_sync_time(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    runtime = _target_runtime(hass, call)
    with translate_terminal_errors(hass, runtime.entry):
        now = await runtime.async_sync_clock()
    return {"time": now.replace(tzinfo=runtime.settings.time_zone).isoformat()}


async def _async_clear_attendance(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    runtime = _target_runtime(hass, call)
    try:
        with translate_terminal_errors(hass, runtime.entry):
            cleared = await runtime.delivery.async_clear_log()
    except UndeliveredRecordsError as err:
        raise _invalid(
            "undelivered_attendance", name=runtime.entry.title, count=str(err.count)
        ) from err
    await runtime.coordinator.async_request_refresh()
    return {"cleared": cleared}


_HANDLERS = {
    SERVICE_GET_ATTENDANCE: (_async_get_attendance, SupportsResponse.ONLY),
    SERVICE_GET_USERS: (_async_get_users, SupportsResponse.ONLY),
    SERVICE_SET_USER: (_async_set_user, SupportsResponse.OPTIONAL),
    SERVICE_DELETE_USER: (_async_delete_user, SupportsResponse.OPTIONAL),
    SERVICE_ENABLE_USER: (_async_enable_user, SupportsResponse.OPTIONAL),
    SERVICE_DISABLE_USER: (_async_disable_user, SupportsResponse.OPTIONAL),
    SERVICE_SYNC_TIME: (_async_sync_time, SupportsResponse.OPTIONAL),
    SERVICE_CLEAR_ATTENDANCE: (_async_clear_attendance, SupportsResponse.OPTIONAL),
}


@callback
def async_setup_terminal_services(hass: HomeAssistant) -> None:
    """Register the terminal actions."""
    for action, (handler, supports_response) in _HANDLERS.items():
        hass.services.async_register(
            DOMAIN,
            action,
            partial(handler, hass),
            schema=SCHEMAS[action],
            supports_response=supports_response,
        )
    async_setup_copy_users(hass)
