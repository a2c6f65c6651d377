"""Base entity of a door: its device, unique id, availability, and the door's coordinator."""

from typing import override

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..entity import DevicehubEntity
from .coordinator import DoorCoordinator
from .runtime import DoorRuntime


class DoorEntity(DevicehubEntity, CoordinatorEntity[DoorCoordinator]):
    """An entity of one door, fed by its coordinator, available while the door is."""

    def __init__(self, runtime: DoorRuntime, key: str) -> None:
        """Attach to the door's device (the runtime keeps its details up to date)."""
        super().__init__(runtime.coordinator)
        self.runtime = runtime
        self._attr_unique_id = f"{runtime.device_id}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, runtime.device_id)})

    @property
    @override
    def available(self) -> bool:
        """Available while the door is online, heard from in time and registered."""
        return self.runtime.liveness.available
