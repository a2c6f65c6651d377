"""Sensors for the data points a door declares."""

from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfInformation
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..mqtt_door.models import DataPoint, DataPointType, DataPointValue
from .entity import DoorEntity
from .runtime import DoorConfigEntry, DoorRuntime

# Device classes whose state is not a number: a declared number could not be shown with them.
_NOT_NUMERIC = {SensorDeviceClass.DATE, SensorDeviceClass.ENUM, SensorDeviceClass.TIMESTAMP}


def _device_class(value: str | None) -> SensorDeviceClass | None:
    try:
        device_class = SensorDeviceClass(value) if value else None
    except ValueError:
        return None
    return None if device_class in _NOT_NUMERIC else device_class


def _state_class(value: str | None) -> SensorStateClass | None:
    try:
        return SensorStateClass(value) if value else None
    except ValueError:
        return None


def describe(point: DataPoint) -> SensorEntityDescription:
    """Describe the sensor of a data point; only numbers get units and classes."""
    name = point.name or point.key
    key = f"datapoint_{point.key}"
    if point.type is DataPointType.NUMBER:
        return SensorEntityDescription(
            key=key,
            name=name,
            native_unit_of_measurement=point.unit,
            device_class=_device_class(point.device_class),
            state_class=_state_class(point.state_class),
        )
    if point.type is DataPointType.BYTES:
        return SensorEntityDescription(
            key=key,
            name=name,
            native_unit_of_measurement=UnitOfInformation.BYTES,
            device_class=SensorDeviceClass.DATA_SIZE,
        )
    return SensorEntityDescription(key=key, name=name)


async def async_setup_sensor(
    hass: HomeAssistant, entry: DoorConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add one sensor per declared data point."""
    runtime = entry.runtime_data
    async_add_entities(DataPointSensor(runtime, point) for point in runtime.hand_shake.datapoints)


class DataPointSensor(DoorEntity, SensorEntity):
    """The latest valid value of a data point."""

    def __init__(self, runtime: DoorRuntime, point: DataPoint) -> None:
        """Start from the value already received, if any."""
        self.entity_description = describe(point)
        super().__init__(runtime, self.entity_description.key)
        self._point_key = point.key
        self._value: DataPointValue | None = runtime.datapoints.get(point.key)

    @property
    def native_value(self) -> StateType:
        """The number, text or (for objects and bytes) summary of the data point."""
        return None if self._value is None else self._value.state

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The fields of an object data point."""
        return self._value.attributes if self._value and self._value.attributes else None

    async def async_added_to_hass(self) -> None:
        """Follow this data point."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.on_datapoint.add(self._async_value))

    @callback
    def _async_value(self, update: tuple[str, DataPointValue]) -> None:
        key, value = update
        if key == self._point_key:
            self._value = value
            self.async_write_ha_state()
