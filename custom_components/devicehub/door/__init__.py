"""Home Assistant glue for MQTT doors."""

from homeassistant.components import mqtt
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from .delivered import async_remove_delivered_ids
from .pictures import async_remove_saved_picture
from .runtime import DoorConfigEntry, DoorRuntime

PLATFORMS = (
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.LOCK,
    Platform.SENSOR,
    Platform.SWITCH,
)


async def async_setup_entry(hass: HomeAssistant, entry: DoorConfigEntry) -> bool:
    """Wait for MQTT, follow the door's topics, then add its entities."""
    if not await mqtt.async_wait_for_mqtt_client(hass):
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="mqtt_not_available")
    runtime = DoorRuntime(hass, entry)
    entry.async_on_unload(runtime.async_stop)
    await runtime.async_start()
    entry.runtime_data = runtime
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: DoorConfigEntry) -> bool:
    """Remove the entities; async_on_unload stops following the door."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: DoorConfigEntry, device: dr.DeviceEntry
) -> bool:
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


async def async_remove_entry(hass: HomeAssistant, entry: DoorConfigEntry) -> None:
    """Forget the removed door's stranger picture and delivered event ids."""
    await async_remove_saved_picture(hass, entry.entry_id)
    await async_remove_delivered_ids(hass, entry.entry_id)
