"""Diagnostics of a terminal entry; the comm password and the lock code are redacted."""

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD
from homeassistant.core import HomeAssistant

from .const import CONF_CODE
from .runtime import TerminalConfigEntry

TO_REDACT = {CONF_PASSWORD, CONF_CODE}


async def async_get_terminal_diagnostics(
    hass: HomeAssistant, entry: TerminalConfigEntry
) -> dict[str, Any]:
    """What a bug report about a terminal needs."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    live = runtime.live
    data = coordinator.data
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(entry.data, TO_REDACT),
            "options": async_redact_data(entry.options, TO_REDACT),
        },
        "info": asdict(runtime.info),
        "poll": {
            "last_update_success": coordinator.last_update_success,
            "interval_seconds": coordinator.update_interval.total_seconds()
            if coordinator.update_interval
            else None,
            "counts": asdict(data.counts),
            "clock_offset_seconds": data.clock_offset.total_seconds(),
        },
        "live_capture": {
            "enabled": runtime.settings.live_capture,
            "connected": runtime.live_connected,
            # Access-control events whose bytes fit no layout of the manual (refused).
            "unknown_access_events": live.unknown_access_events if live else 0,
            "access_events_refused": bool(live and live.access_events_refused),
        },
        "delivery": {
            "cursor": runtime.cursor.as_dict(),
            "stream_has_gap": runtime.delivery.has_gap,
            "invalid_records": runtime.delivery.invalid_records,
            "known_users": len(runtime.users),
        },
    }
