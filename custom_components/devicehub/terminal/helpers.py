"""Turns terminal errors into translated Home Assistant errors, for entities and actions."""

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import service

from ..const import DOMAIN
from ..kinds import DevicehubConfigEntry, is_terminal_entry
from ..zk.errors import (
    TerminalAuthFailed,
    TerminalBusy,
    TerminalError,
    TerminalInvalidArgument,
    TerminalUserNotFound,
)
from .entity import TerminalEntity
from .runtime import TerminalRuntime


@contextmanager
def translate_terminal_errors(hass: HomeAssistant, entry: ConfigEntry) -> Iterator[None]:
    """Raise what a terminal call failed with as a translated error.

    Bad input is the caller's to fix (ServiceValidationError); anything else is the
    terminal's or the network's (HomeAssistantError). A rejected password also starts
    reauthentication, since nothing works until the user enters the new one.
    """
    placeholders = {"name": entry.title}
    try:
        yield
    except TerminalUserNotFound as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_user",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err
    except TerminalInvalidArgument as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_argument",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err
    except TerminalAuthFailed as err:
        entry.async_start_reauth(hass)
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="invalid_auth") from err
    except TerminalBusy as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="terminal_busy",
            translation_placeholders=placeholders,
        ) from err
    except TerminalError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="action_failed",
            translation_placeholders={**placeholders, "error": str(err)},
        ) from err


def terminal_action[EntityT: TerminalEntity, **P](
    func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Decorate an entity method that asks something of the terminal.

    Its terminal errors become translated Home Assistant errors.
    """

    async def handler(self: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> None:
        with translate_terminal_errors(self.hass, self.coordinator.config_entry):
            await func(self, *args, **kwargs)

    return handler


@callback
def device_runtime(hass: HomeAssistant, device_id: str) -> TerminalRuntime:
    """The runtime of the loaded terminal with this device id.

    Home Assistant's helper refuses unknown devices, devices of other integrations and
    entries not loaded, with its own translated errors; a door is refused here.
    """
    entry: DevicehubConfigEntry
    _device, entry = service.async_get_device_and_config_entry(
        hass, DOMAIN, device_id, include_child_devices=False
    )
    if not is_terminal_entry(entry):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_terminal",
            translation_placeholders={"name": entry.title},
        )
    return entry.runtime_data
