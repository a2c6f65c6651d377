"""The crash soak's recorder: every punch Home Assistant announces, written to disk at once.

A test-only custom component, linked into the soak's configuration. Its state listener is a
@callback, so Home Assistant runs it inside async_fire, in the same event-loop step as the
punch event entity's state write that announces the punch: the punch's line is appended and
fsynced before anything else runs, so only a SIGKILL within that one step (a few function
calls) could fall between an announcement and its record. Plain os.write and os.fsync on a
descriptor opened at set-up: the soak's Home Assistant has nothing else to do, and a record
that waited for an executor would reopen the window the soak must not have.

A line per announced punch: `<entity_id>|<user_id>|<event time>`. A state restored at start-up
(or coming back from unavailable) repeats an event already recorded and is not written again.
"""

import os
from pathlib import Path
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.typing import ConfigType

DOMAIN = "punch_recorder"
LOG_FILE = "punches.log"


def _open_log(path: str) -> tuple[int, set[str]]:
    """The log's descriptor for appending, and the lines already in it."""
    seen: set[str] = set()
    if (log := Path(path)).exists():
        text = log.read_text(encoding="utf-8", errors="replace")
        seen = set(text.split("\n")[:-1])
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644), seen


def _is_punch_entity(entity_id: str) -> bool:
    return entity_id.startswith("event.") and entity_id.endswith("_punch")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Record every punch event from now on."""
    descriptor, recorded = await hass.async_add_executor_job(_open_log, hass.config.path(LOG_FILE))

    @callback
    def _record(event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        if new_state is None or new_state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return
        user_id: Any = new_state.attributes.get("user_id")
        line = f"{event.data['entity_id']}|{user_id}|{new_state.state}"
        if line in recorded:
            return  # the last event restored, not a new one
        recorded.add(line)
        os.write(descriptor, f"{line}\n".encode())
        os.fsync(descriptor)

    @callback
    def _is_punch(data: EventStateChangedData) -> bool:
        return _is_punch_entity(data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, _record, event_filter=_is_punch)
    return True
