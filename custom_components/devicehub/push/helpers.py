"""Runs commands on a push terminal, their failures as translated Home Assistant errors."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from ..adms import Command, CommandFieldError
from ..const import DOMAIN
from .commands import CommandNotConfirmedError, CommandOutcome
from .runtime import PushRuntime


async def async_confirmed[T](
    runtime: PushRuntime,
    name: str,
    run: Callable[[], Awaitable[T]],
    outcome_of: Callable[[T], CommandOutcome],
    *,
    not_confirmed_key: str = "command_not_confirmed",
) -> T:
    """Run a queued command and raise unless the terminal confirmed it succeeded.

    A field the terminal could misread is the caller's to fix (ServiceValidationError); a
    command the terminal does not confirm in time, or refuses, is a HomeAssistantError.
    """
    placeholders = {
        "name": runtime.entry.title,
        "command": name,
        "timeout": str(int(runtime.settings.command_timeout.total_seconds())),
    }
    try:
        result = await run()
    except CommandFieldError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_argument",
            translation_placeholders={"name": runtime.entry.title, "error": str(err)},
        ) from err
    except CommandNotConfirmedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=not_confirmed_key,
            translation_placeholders=placeholders,
        ) from err
    outcome = outcome_of(result)
    if not outcome.succeeded:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={**placeholders, "code": str(outcome.return_code)},
        )
    return result


async def async_run_command(
    runtime: PushRuntime, command: Command, *, not_confirmed_key: str = "command_not_confirmed"
) -> CommandOutcome:
    """Queue one command and wait for the terminal to confirm it succeeded."""
    return await async_confirmed(
        runtime,
        type(command).__name__,
        lambda: runtime.async_run(command),
        lambda outcome: outcome,
        not_confirmed_key=not_confirmed_key,
    )


async def async_sync_clock(runtime: PushRuntime) -> tuple[datetime, CommandOutcome]:
    """Set the terminal's clock and wait for it to confirm."""
    return await async_confirmed(
        runtime, "SetTime", runtime.async_sync_clock, lambda result: result[1]
    )
