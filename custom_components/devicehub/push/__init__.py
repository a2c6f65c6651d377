"""Home Assistant glue for ZKTeco push terminals: terminals that call Home Assistant."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from .const import HISTORY_MARGIN
from .gateway import async_get_gateway
from .ledger import PunchLedger
from .listener import async_acquire_listener, async_release_listener
from .runtime import PushConfigEntry, PushRuntime
from .settings import PushSettings
from .views import async_register_views

PLATFORMS = (
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.SENSOR,
)


@callback
def async_setup(hass: HomeAssistant) -> None:
    """Serve the endpoints from the start, so unknown terminals can be discovered."""
    async_get_gateway(hass)
    async_register_views(hass)


async def async_setup_entry(hass: HomeAssistant, entry: PushConfigEntry) -> bool:
    """Load the terminal's ledger, add its entities, then serve its requests."""
    settings = await PushSettings.async_from_entry(hass, entry)
    ledger = PunchLedger(hass, entry.entry_id)
    await ledger.async_load()
    created = dt_util.as_local(entry.created_at).astimezone(settings.time_zone)
    ledger.start_at(created.replace(microsecond=0, tzinfo=None) - HISTORY_MARGIN)
    if settings.listen is not None:
        host, port = settings.listen
        try:
            await async_acquire_listener(hass, entry.entry_id, host, port)
        except OSError as err:
            await ledger.async_close()  # the next attempt opens its journal again
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="listener_failed",
                translation_placeholders={"address": f"{host}:{port}", "error": str(err)},
            ) from err
    runtime = PushRuntime(hass, entry, settings, ledger)
    entry.runtime_data = runtime
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    runtime.async_start()
    async_get_gateway(hass).async_add(runtime)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PushConfigEntry) -> bool:
    """Stop serving the terminal, remove its entities, write its ledger."""
    runtime = entry.runtime_data
    gateway = async_get_gateway(hass)
    gateway.async_remove(runtime)
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await runtime.async_stop()
        await async_release_listener(hass, entry.entry_id)
    else:
        gateway.async_add(runtime)
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PushConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Only a device that is not the entry's terminal may be removed."""
    return (DOMAIN, entry.unique_id) not in device.identifiers


async def async_remove_entry(hass: HomeAssistant, entry: PushConfigEntry) -> None:
    """Forget a deleted terminal's delivered punches and their journal."""
    await PunchLedger(hass, entry.entry_id).async_remove()


__all__ = ["PushRuntime"]
