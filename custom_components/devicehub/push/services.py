"""The shared actions (get_users, set_user, delete_user, sync_time) for push terminals.

The pull terminals register these actions; this adds a branch in front of them: a call
that targets a push terminal is answered here, with the same response shape plus the
terminal's result of the queued command; any other call goes on to the action as
registered. Each waits for the terminal's next poll.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, CONF_PASSWORD
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util.json import JsonValueType

from ..adms import DeleteUser, SetUser, UserLine
from ..const import CONF_KIND, DOMAIN, DeviceKind
from .helpers import async_confirmed, async_run_command, async_sync_clock
from .runtime import PushRuntime

SERVICE_GET_USERS = "get_users"
SERVICE_SET_USER = "set_user"
SERVICE_DELETE_USER = "delete_user"
SERVICE_SYNC_TIME = "sync_time"

ATTR_USER_ID = "user_id"
ATTR_NAME = "name"
ATTR_PRIVILEGE = "privilege"
ATTR_CARD = "card"
ATTR_GROUP_ID = "group_id"

# ZKTeco privilege levels, as the pull terminals' actions name them.
PRIVILEGES = {"user": 0, "enroller": 2, "manager": 6, "admin": 14}
PRIVILEGE_NAMES = {level: name for name, level in PRIVILEGES.items()}

type PushHandler = Callable[[PushRuntime, ServiceCall], Coroutine[Any, Any, ServiceResponse]]


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


@callback
def push_target(hass: HomeAssistant, call: ServiceCall) -> PushRuntime | None:
    """The push terminal a call targets, or None when it targets something else."""
    entry_ids = _ids(call.data.get(ATTR_CONFIG_ENTRY_ID))
    registry = dr.async_get(hass)
    for device_id in _ids(call.data.get(ATTR_DEVICE_ID)):
        if device := registry.async_get(device_id):
            entry_ids.extend(device.config_entries)
    entries = [
        entry
        for entry_id in entry_ids
        if (entry := hass.config_entries.async_get_entry(entry_id))
        and entry.domain == DOMAIN
        and entry.data.get(CONF_KIND) == DeviceKind.PUSH_TERMINAL
    ]
    if not entries:
        return None
    entry = entries[0]
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="terminal_not_loaded",
            translation_placeholders={"name": entry.title},
        )
    runtime: PushRuntime = entry.runtime_data
    return runtime


def _user_dict(user: UserLine) -> dict[str, JsonValueType]:
    return {
        "user_id": user.user_id,
        "name": user.name,
        "privilege": PRIVILEGE_NAMES.get(user.privilege & 0b1110, str(user.privilege)),
        "enabled": not user.privilege & 1,
        "group_id": user.group,
        "card": int(user.card) if user.card.isdigit() else 0,
    }


def _users(runtime: PushRuntime) -> list[JsonValueType]:
    lines = dict(runtime.user_lines)
    for user_id, name in runtime.ledger.users.items():
        lines.setdefault(user_id, UserLine(user_id=user_id, name=name))
    return [_user_dict(lines[user_id]) for user_id in sorted(lines)]


async def _async_get_users(runtime: PushRuntime, call: ServiceCall) -> ServiceResponse:
    outcome = await async_confirmed(
        runtime, "QueryUsers", runtime.async_query_users, lambda outcome: outcome
    )
    return {"users": _users(runtime), "command": outcome.as_dict()}


def _group(value: str) -> int:
    if not value:
        return 1
    if value.isdigit():
        return int(value)
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_argument",
        translation_placeholders={"name": ATTR_GROUP_ID, "error": "a number from 1 to 99"},
    )


async def _async_set_user(runtime: PushRuntime, call: ServiceCall) -> ServiceResponse:
    user_id = call.data[ATTR_USER_ID]
    card = int(call.data.get(ATTR_CARD, 0))
    user = SetUser(
        user_id=user_id,
        name=call.data[ATTR_NAME],
        privilege=PRIVILEGES[call.data.get(ATTR_PRIVILEGE, "user")],
        password=call.data.get(CONF_PASSWORD, ""),
        card=str(card) if card else "",
        group=_group(call.data.get(ATTR_GROUP_ID, "")),
    )
    outcome = await async_run_command(runtime, user)
    saved = UserLine(
        user_id=user.user_id,
        name=user.name,
        privilege=user.privilege,
        card=user.card,
        group=str(user.group),
    )
    runtime.take_users((saved,), complete=False)
    return {"user": _user_dict(saved), "command": outcome.as_dict()}


async def _async_delete_user(runtime: PushRuntime, call: ServiceCall) -> ServiceResponse:
    user_id = call.data[ATTR_USER_ID]
    outcome = await async_run_command(runtime, DeleteUser(user_id))
    runtime.forget_user(user_id)
    return {"deleted": user_id, "command": outcome.as_dict()}


async def _async_sync_time(runtime: PushRuntime, call: ServiceCall) -> ServiceResponse:
    moment, outcome = await async_sync_clock(runtime)
    return {"time": moment.isoformat(), "command": outcome.as_dict()}


PUSH_HANDLERS: dict[str, PushHandler] = {
    SERVICE_GET_USERS: _async_get_users,
    SERVICE_SET_USER: _async_set_user,
    SERVICE_DELETE_USER: _async_delete_user,
    SERVICE_SYNC_TIME: _async_sync_time,
}


@callback
def async_add_push_branch(hass: HomeAssistant) -> None:
    """Put a push branch in front of the shared actions, keeping their schema and response."""
    registered = hass.services.async_services_for_domain(DOMAIN)
    for name, push_handler in PUSH_HANDLERS.items():
        service = registered[name]
        original = service.job.target

        async def handler(
            call: ServiceCall,
            push_handler: PushHandler = push_handler,
            original: Callable[[ServiceCall], Any] = original,
        ) -> ServiceResponse:
            if (runtime := push_target(hass, call)) is not None:
                return await push_handler(runtime, call)
            result: ServiceResponse = await original(call)
            return result

        hass.services.async_register(
            DOMAIN,
            name,
            handler,
            schema=service.schema,
            supports_response=service.supports_response,
        )
