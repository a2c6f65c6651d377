"""Diagnostics of a door: what it declared, what it sent, what was dropped."""

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from ..mqtt_door.handshake import hand_shake_to_object
from ..mqtt_door.models import ACCESS_CONTROL_FEATURES
from .const import CONF_UNLOCK_CODE
from .discovery_guard import refused_discoveries
from .runtime import DoorConfigEntry

TO_REDACT = {CONF_UNLOCK_CODE}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


async def async_get_door_diagnostics(hass: HomeAssistant, entry: DoorConfigEntry) -> dict[str, Any]:
    """Return the door's configuration, declaration, liveness and drop counters."""
    runtime = entry.runtime_data
    liveness = runtime.liveness
    data = runtime.coordinator.data
    picture = data.picture
    diagnostics: dict[str, Any] = {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "hand_shake": hand_shake_to_object(runtime.hand_shake),
        "last_hand_shake_at": _iso(runtime.last_hand_shake_at),
        "liveness": {
            "available": liveness.available,
            "availability": liveness.availability,
            "heartbeat_window": liveness.window,
            "heartbeat_missed": liveness.heartbeat_missed,
            "registered": liveness.registered,
            "last_seen": _iso(liveness.last_seen),
        },
        "lock_state": data.lock_state,
        "datapoints": {key: value.state for key, value in data.datapoints.items()},
        "dropped": runtime.drops.as_dict(),
        "pending_calls": runtime.calls.pending,
        "discoveries_refused": refused_discoveries(hass),
        "delivered_ids_kept": len(runtime.delivered),
        "duplicates_dropped": runtime.delivered.duplicates,
        "picture": None
        if picture is None
        else {
            "content_type": picture.content_type,
            "size": len(picture.content),
            "updated": picture.updated.isoformat(),
        },
    }
    if runtime.hand_shake.features & ACCESS_CONTROL_FEATURES:
        # Contract 1.1: states only; credentials and tag ids never, tag scans are counted.
        diagnostics["access_control"] = {
            "contact_open": None if data.contact is None else data.contact.is_open,
            "alarms": {kind.value: report.active for kind, report in data.alarms.items()},
            "relays": {key: report.is_on for key, report in data.relays.items()},
            "tag_scans_enabled": runtime.tags.enabled,
            "tags_scanned": runtime.tags.scanned,
        }
    return diagnostics
