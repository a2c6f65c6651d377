"""Base entity of a door: its device, unique id and availability."""

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo

from ..const import DOMAIN
from ..entity import DevicehubEntity
from .runtime import DoorRuntime


class DoorEntity(DevicehubEntity):
    """An entity of one door, pushed by its runtime, available while the door is."""

    _attr_should_poll = False

    def __init__(self, runtime: DoorRuntime, key: str) -> None:
        """Attach to the door's device (the runtime keeps its details up to date)."""
        self.runtime = runtime
        self._attr_unique_id = f"{runtime.device_id}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, runtime.device_id)})

    @property
    def available(self) -> bool:
        """Available while the door is online, heard from in time and registered."""
        return self.runtime.liveness.available

    async def async_added_to_hass(self) -> None:
        """Follow the door's availability."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.on_availability.add(self._async_availability_changed))

    @callback
    def _async_availability_changed(self, _available: bool) -> None:
        self.async_write_ha_state()
