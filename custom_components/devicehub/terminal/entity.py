"""Base entities of a terminal: named by translation key, on the terminal's device."""

from abc import abstractmethod
from typing import override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..entity import DevicehubEntity
from ..punch import Punch
from .const import MANUFACTURER
from .coordinator import TerminalCoordinator
from .runtime import TerminalRuntime


class TerminalEntity(DevicehubEntity, CoordinatorEntity[TerminalCoordinator]):
    """An entity of one terminal, available while the terminal answers polls."""

    def __init__(self, coordinator: TerminalCoordinator, key: str) -> None:
        """Identify the entity by the terminal's serial number and its own key."""
        super().__init__(coordinator)
        info = coordinator.info
        self._attr_unique_id = f"{info.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, info.unique_id)},
            serial_number=info.serial_number or None,
            manufacturer=MANUFACTURER,
            model=info.model or None,
            model_id=info.platform or None,
            name=coordinator.config_entry.title,
            sw_version=info.firmware_version or None,
        )
        if info.mac:
            self._attr_device_info["connections"] = {(CONNECTION_NETWORK_MAC, info.mac)}


class TerminalPunchEntity(TerminalEntity):
    """An entity that follows every delivered punch of its terminal."""

    def __init__(self, runtime: TerminalRuntime, key: str) -> None:
        """Bind the entity to the terminal's punch delivery."""
        super().__init__(runtime.coordinator, key)
        self._runtime = runtime

    @property
    @override
    def available(self) -> bool:
        """Available while punches can arrive, by polling or by live capture.

        The coordinator tells its entities when the live link changes, too.
        """
        return super().available or self.coordinator.live_connected

    @override
    async def async_added_to_hass(self) -> None:
        """Receive every delivered punch."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.delivery.async_add_listener(self._async_punched))

    @abstractmethod
    @callback
    def _async_punched(self, punch: Punch) -> None:
        """Show one delivered punch."""
