"""Home Assistant glue for ZKTeco terminals: the terminal device family."""

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from ..family import DeviceFamily
from .button import async_setup_button
from .cursor import AttendanceCursor
from .diagnostics import async_get_terminal_diagnostics
from .event import async_setup_event
from .issues import async_delete_issues
from .lock import async_setup_lock
from .runtime import async_setup_runtime, async_unload_runtime
from .sensor import async_setup_sensor


async def _async_remove_device(hass: HomeAssistant, entry: Any, device: dr.DeviceEntry) -> bool:
    """Only a device that is not the entry's terminal any more may be removed."""
    return (DOMAIN, entry.unique_id) not in device.identifiers


async def _async_remove_entry(hass: HomeAssistant, entry: Any) -> None:
    """Forget a deleted terminal's delivery position and its repair issues."""
    await AttendanceCursor(hass, entry.entry_id).async_remove()
    async_delete_issues(hass, entry)


TERMINAL_FAMILY = DeviceFamily(
    platforms={
        Platform.BUTTON: async_setup_button,
        Platform.EVENT: async_setup_event,
        Platform.LOCK: async_setup_lock,
        Platform.SENSOR: async_setup_sensor,
    },
    async_setup_entry=async_setup_runtime,
    async_unload_entry=async_unload_runtime,
    async_get_diagnostics=async_get_terminal_diagnostics,
    async_remove_device=_async_remove_device,
    async_remove_entry=_async_remove_entry,
)
