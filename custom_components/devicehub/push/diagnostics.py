"""Diagnostics of a push terminal entry; the unlock code is redacted, user names left out."""

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_CODE
from .gateway import async_get_gateway
from .runtime import PushConfigEntry

TO_REDACT = {CONF_CODE}


async def async_get_push_diagnostics(hass: HomeAssistant, entry: PushConfigEntry) -> dict[str, Any]:
    """What a bug report about a push terminal needs, counters keyed by serial number."""
    runtime = entry.runtime_data
    liveness = runtime.liveness
    ledger = runtime.ledger
    gateway = async_get_gateway(hass).as_dict()
    serial = runtime.serial_number
    return {
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": async_redact_data(entry.options, TO_REDACT),
        },
        "facts": dict(runtime.facts),
        "contact": {
            "online": liveness.online,
            "last_contact": liveness.last_contact.isoformat() if liveness.last_contact else None,
            "online_since": liveness.online_since.isoformat() if liveness.online_since else None,
            "poll_delay_seconds": runtime.settings.delay,
            "online_window_seconds": runtime.settings.online_window.total_seconds(),
        },
        "counters": {serial: dict(sorted(runtime.counters.items()))},
        "refused": {serial: gateway["refused"].get(serial, {})},
        "refused_other_serials": {
            key: counts for key, counts in gateway["refused"].items() if key != serial
        },
        "discoveries_started": gateway["discoveries_started"],
        "ledger": {
            "remembered_keys": ledger.remembered,
            "time_cursor": ledger.floor.isoformat() if ledger.floor else None,
            "stamps": dict(ledger.stamps),
            "dropped_duplicates": ledger.dropped_duplicates,
            "dropped_before_cursor": ledger.dropped_before_cursor,
            "known_users": len(ledger.users),
        },
        "commands": {
            "waiting": runtime.commands.waiting,
            "unconfirmed": runtime.commands.unconfirmed,
            "unknown_results": runtime.commands.unknown_results,
            "last_results": [outcome.as_dict() for outcome in runtime.commands.results],
        },
    }
