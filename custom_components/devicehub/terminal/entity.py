"""Base entity of a terminal: named by translation key, on the terminal's device."""

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.entity import DevicehubEntity

from .const import MANUFACTURER
from .coordinator import TerminalCoordinator


class TerminalEntity(DevicehubEntity, CoordinatorEntity[TerminalCoordinator]):
    """An entity of one terminal, available while the terminal answers polls."""

    def __init__(self, coordinator: TerminalCoordinator, key: str) -> None:
        """Identify the entity by the terminal's serial number and its own key."""
        super().__init__(coordinator)
        info = coordinator.info
        self._attr_unique_id = f"{info.serial_number}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, info.serial_number)},
            serial_number=info.serial_number,
            manufacturer=MANUFACTURER,
            model=info.model or None,
            model_id=info.platform or None,
            name=coordinator.config_entry.title,
            sw_version=info.firmware_version or None,
        )
        if info.mac:
            self._attr_device_info["connections"] = {(CONNECTION_NETWORK_MAC, info.mac)}
