"""Home Assistant glue for doors (placeholder until the door family lands)."""

from typing import Any

from homeassistant.core import HomeAssistant

from ..family import DeviceFamily


async def _async_setup_entry(hass: HomeAssistant, entry: Any) -> None:
    entry.runtime_data = None


async def _async_unload_entry(hass: HomeAssistant, entry: Any) -> None:
    return None


async def _async_get_diagnostics(hass: HomeAssistant, entry: Any) -> dict[str, Any]:
    return {}


DOOR_FAMILY = DeviceFamily(
    platforms={},
    async_setup_entry=_async_setup_entry,
    async_unload_entry=_async_unload_entry,
    async_get_diagnostics=_async_get_diagnostics,
)
