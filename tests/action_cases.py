"""What the pull and push terminal action tests share: the targets every action refuses, and
get_users' answer for the two users both families' test terminals hold.

An action must say clearly why a target is wrong: Home Assistant's own translated errors for
what it can tell apart (an unknown device or entry, another integration's, an entry not
loaded), devicehub's `not_a_terminal` for a door.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import DOMAIN as HOMEASSISTANT_DOMAIN, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind

type ActionCall = Callable[..., Awaitable[Any]]

# get_users' rows for the users 1001 and 1002 of tests/terminal and tests/push's terminals:
# the same shape for both families, passwords never included.
ADA_ROW: dict[str, Any] = {
    "user_id": "1001",
    "name": "Ada Lovelace",
    "privilege": "user",
    "enabled": True,
    "group_id": "1",
    "card": 0,
}
ALAN_ROW: dict[str, Any] = {
    "user_id": "1002",
    "name": "Alan Turing",
    "privilege": "admin",
    "enabled": True,
    "group_id": "1",
    "card": 0,
}


async def assert_bad_targets_refused(hass: HomeAssistant, call: ActionCall) -> None:
    """Call the action with each bad target and check the translated error it raises."""
    door = MockConfigEntry(domain=DOMAIN, title="Door", data={CONF_KIND: DeviceKind.MQTT_DOOR})
    door.add_to_hass(hass)
    door.mock_state(hass, ConfigEntryState.LOADED)  # a working door is still no terminal
    door_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=door.entry_id, identifiers={(DOMAIN, "door1")}
    )
    other = MockConfigEntry(domain="other", title="Other")
    other.add_to_hass(hass)
    other_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    idle = MockConfigEntry(
        domain=DOMAIN, title="Idle", data={CONF_KIND: DeviceKind.TERMINAL}, unique_id="IDLE"
    )
    idle.add_to_hass(hass)
    cases = [
        ({"device_id": "nope"}, HOMEASSISTANT_DOMAIN, "service_device_not_found"),
        ({"device_id": other_device.id}, HOMEASSISTANT_DOMAIN, "service_device_wrong_domain"),
        ({"config_entry_id": "nope"}, HOMEASSISTANT_DOMAIN, "service_config_entry_not_found"),
        (
            {"config_entry_id": other.entry_id},
            HOMEASSISTANT_DOMAIN,
            "service_config_entry_wrong_domain",
        ),
        ({"device_id": door_device.id}, DOMAIN, "not_a_terminal"),
        ({"config_entry_id": door.entry_id}, DOMAIN, "not_a_terminal"),
        (
            {"config_entry_id": idle.entry_id},
            HOMEASSISTANT_DOMAIN,
            "service_config_entry_not_loaded",
        ),
    ]
    for target, domain, key in cases:
        with pytest.raises(ServiceValidationError) as error:
            await call(**target)
        assert (error.value.translation_domain, error.value.translation_key) == (domain, key), (
            target
        )
    door.mock_state(hass, ConfigEntryState.NOT_LOADED)  # it has nothing to unload
    with pytest.raises(vol.Invalid):
        await call()
