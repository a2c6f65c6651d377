"""Sensors for the data points a door declares."""

from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfInformation
from homeassistant.core import HomeAssistant
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

    _follows = "datapoints"

    def __init__(self, runtime: DoorRuntime, point: DataPoint) -> None:
        """Describe the data point's sensor."""
        self.entity_description = describe(point)
        super().__init__(runtime, self.entity_description.key)
        self._point_key = point.key

    @property
    def _value(self) -> DataPointValue | None:
        return self.coordinator.data.datapoints.get(self._point_key)

    @override
    def _shown_data(self) -> object:
        return self._value

    @property
    @override
    def native_value(self) -> StateType:
        """The number, text or (for objects and bytes) summary of the data point."""
        return None if (value := self._value) is None else value.state

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The fields of an object data point."""
        return value.attributes if (value := self._value) and value.attributes else None
