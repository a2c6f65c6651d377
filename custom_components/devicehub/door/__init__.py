"""Home Assistant glue for MQTT doors."""

from typing import Any

from homeassistant.components import mqtt
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from ..family import DeviceFamily
from .binary_sensor import async_setup_binary_sensor
from .diagnostics import async_get_door_diagnostics
from .event import async_setup_event
from .image import async_setup_image
from .lock import async_setup_lock
from .pictures import async_remove_saved_picture
from .runtime import DoorRuntime
from .sensor import async_setup_sensor


async def _async_setup_entry(hass: HomeAssistant, entry: Any) -> None:
    """Wait for MQTT, then follow the door's topics."""
    if not await mqtt.async_wait_for_mqtt_client(hass):
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="mqtt_not_available")
    runtime = DoorRuntime(hass, entry)
    entry.async_on_unload(runtime.async_stop)
    await runtime.async_start()
    entry.runtime_data = runtime


async def _async_unload_entry(hass: HomeAssistant, entry: Any) -> None:
    """Nothing beyond what async_on_unload releases."""


async def _async_remove_device(hass: HomeAssistant, entry: Any, device: dr.DeviceEntry) -> bool:
    """Let the user remove a stale door: one that is offline, silent or unregistered.

    The entry has no other device, so removing the door's device removes the entry too.
    """
    runtime: DoorRuntime | None = getattr(entry, "runtime_data", None)
    if runtime is None or (DOMAIN, runtime.device_id) not in device.identifiers:
        return True  # not the door of this entry: a leftover nothing uses
    if runtime.liveness.available:
        return False
    hass.async_create_task(hass.config_entries.async_remove(entry.entry_id))
    return True


async def _async_remove_entry(hass: HomeAssistant, entry: Any) -> None:
    """Forget the removed door's stranger picture."""
    await async_remove_saved_picture(hass, entry.entry_id)


DOOR_FAMILY = DeviceFamily(
    platforms={
        Platform.BINARY_SENSOR: async_setup_binary_sensor,
        Platform.EVENT: async_setup_event,
        Platform.IMAGE: async_setup_image,
        Platform.LOCK: async_setup_lock,
        Platform.SENSOR: async_setup_sensor,
    },
    async_setup_entry=_async_setup_entry,
    async_unload_entry=_async_unload_entry,
    async_get_diagnostics=async_get_door_diagnostics,
    async_remove_device=_async_remove_device,
    async_remove_entry=_async_remove_entry,
)
