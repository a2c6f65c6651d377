"""The copy_users action: users and fingerprints from one terminal onto others."""

from functools import partial

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType

from ..const import DOMAIN
from ..schema import vol
from .helpers import device_runtime, translate_terminal_errors
from .user_copy import (
    STATUS_COPIED,
    STATUS_FAILED,
    STATUS_SKIPPED,
    STATUS_WOULD_COPY,
    CopyRequest,
    UserOutcome,
    async_copy_users,
)

SERVICE_COPY_USERS = "copy_users"
ATTR_SOURCE = "source"
ATTR_TARGETS = "targets"
ATTR_USER_IDS = "user_ids"
ATTR_FINGERPRINTS = "fingerprints"
ATTR_DRY_RUN = "dry_run"
# Said in every response: the binary protocol has no face template transfer.
FACES_NOTE = (
    "Faces are not copied: the terminals' protocol cannot read or write face templates. "
    "Enroll faces at each terminal."
)

COPY_USERS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_SOURCE): cv.string,
        vol.Required(ATTR_TARGETS): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        vol.Optional(ATTR_USER_IDS): vol.All(
            cv.ensure_list, [vol.All(cv.string, vol.Length(min=1, max=24))]
        ),
        vol.Optional(ATTR_FINGERPRINTS, default=True): cv.boolean,
        vol.Optional(ATTR_DRY_RUN, default=False): cv.boolean,
    }
)


def _summary(outcomes: list[UserOutcome]) -> dict[str, int]:
    return {
        status: sum(1 for outcome in outcomes if outcome.status == status)
        for status in (STATUS_COPIED, STATUS_WOULD_COPY, STATUS_SKIPPED, STATUS_FAILED)
    }


async def _async_copy_users(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    source = device_runtime(hass, call.data[ATTR_SOURCE])
    targets = [
        device_runtime(hass, device_id) for device_id in dict.fromkeys(call.data[ATTR_TARGETS])
    ]
    if any(target is source for target in targets):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="copy_to_source",
            translation_placeholders={"name": source.entry.title},
        )
    user_ids = call.data.get(ATTR_USER_IDS)
    request = CopyRequest(
        user_ids=frozenset(user_ids) if user_ids is not None else None,
        fingerprints=call.data[ATTR_FINGERPRINTS],
        dry_run=call.data[ATTR_DRY_RUN],
    )
    with translate_terminal_errors(hass, source.entry):
        results = await async_copy_users(
            source.terminal,
            {target.entry.entry_id: target.terminal for target in targets},
            request,
        )
    response: list[JsonValueType] = []
    for target in targets:
        outcomes = results[target.entry.entry_id]
        response.append(
            {
                "terminal": target.entry.title,
                **_summary(outcomes),
                "users": [outcome.as_dict() for outcome in outcomes],
            }
        )
        if not request.dry_run and any(o.status == STATUS_COPIED for o in outcomes):
            await target.users.async_refresh()
            await target.coordinator.async_request_refresh()
    return {
        "source": source.entry.title,
        "dry_run": request.dry_run,
        "fingerprints": request.fingerprints,
        "faces_copied": False,
        "faces": FACES_NOTE,
        "targets": response,
    }


@callback
def async_setup_copy_users(hass: HomeAssistant) -> None:
    """Register the copy_users action."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_COPY_USERS,
        partial(_async_copy_users, hass),
        schema=COPY_USERS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
