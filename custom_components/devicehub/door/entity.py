"""Base entity of a door: its device, unique id, availability, and the door's coordinator."""

from abc import abstractmethod
from typing import ClassVar, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..entity import DevicehubEntity
from .coordinator import DoorCoordinator, DoorField
from .runtime import DoorRuntime


class DoorEntity(DevicehubEntity, CoordinatorEntity[DoorCoordinator]):
    """An entity of one door, fed by its coordinator, available while the door is."""

    # The field of the door's data it shows: only updates of it (or of the door's
    # availability) reach the entity.
    _follows: ClassVar[DoorField]

    def __init__(self, runtime: DoorRuntime, key: str) -> None:
        """Attach to the door's device (the runtime keeps its details up to date)."""
        super().__init__(runtime.coordinator, self._follows)
        self.runtime = runtime
        self._attr_unique_id = f"{runtime.device_id}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, runtime.device_id)})
        self._written: tuple[object, bool] | None = None

    @property
    @override
    def available(self) -> bool:
        """Available while the door is online, heard from in time and registered."""
        return self.runtime.liveness.available

    @abstractmethod
    def _shown_data(self) -> object:
        """The part of the door's data this entity shows (a new object when it changes)."""

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state when what it shows or the door's availability changed.

        Every message of the door updates the coordinator; a sensor need not be written again
        for its neighbour's value.
        """
        shown, available = self._shown_data(), self.available
        written = self._written
        if written is not None and written[0] is shown and written[1] == available:
            return
        self._written = (shown, available)
        self.async_write_ha_state()
