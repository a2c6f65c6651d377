"""Connectivity of a push terminal: on while its polls keep arriving."""

from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..access.binary_sensor import async_setup_access_binary_sensors
from .entity import PushEntity
from .runtime import PushConfigEntry, PushRuntime


async def async_setup_binary_sensor(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of a push terminal, and its door sensors once it shows
    it is an access model."""
    runtime = entry.runtime_data
    async_add_entities([PushConnectivity(runtime)])

    async def _async_add_door_sensors() -> None:
        async_setup_access_binary_sensors(hass, entry, runtime.access, async_add_entities)

    await runtime.async_add_access_entities(_async_add_door_sensors)


class PushConnectivity(PushEntity, BinarySensorEntity):
    """On while requests arrive within twice the poll delay plus a margin."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, runtime: PushRuntime) -> None:
        """The connectivity of one push terminal."""
        super().__init__(runtime, "connectivity")

    @property
    @override
    def is_on(self) -> bool:
        """Whether the terminal called within the window."""
        return self._runtime.liveness.online
