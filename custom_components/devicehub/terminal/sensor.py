"""Sensors of a terminal: who punched last, memory counters and the clock offset."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self, override

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorExtraStoredData,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..punch import ATTR_PERSON, ATTR_TIMESTAMP, ATTR_USER_ID, ATTR_VERIFY, Punch
from .coordinator import TerminalCoordinator, TerminalData
from .entity import TerminalEntity, TerminalPunchEntity
from .runtime import TerminalConfigEntry, TerminalRuntime

ATTR_PUNCH = "punch"
# The attributes a restart restores with the last punch; nothing else is taken back.
_RESTORED_ATTRIBUTES = (ATTR_USER_ID, ATTR_PUNCH, ATTR_VERIFY, ATTR_TIMESTAMP, ATTR_PERSON)


@dataclass
class LastPunchStoredData(SensorExtraStoredData):
    """The last punch's value and its attributes, kept across restarts."""

    punch_attributes: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {**super().as_dict(), "punch_attributes": self.punch_attributes}

    @classmethod
    def from_dict(cls, restored: dict[str, Any]) -> Self | None:
        """The last punch as stored, None if the stored data is not one."""
        sensor_data = SensorExtraStoredData.from_dict(restored)
        attributes = restored.get("punch_attributes")
        if sensor_data is None or not isinstance(attributes, dict):
            return None
        return cls(
            sensor_data.native_value,
            sensor_data.native_unit_of_measurement,
            {
                key: value
                for key, value in attributes.items()
                if key in _RESTORED_ATTRIBUTES and isinstance(value, str)
            },
        )


@dataclass(frozen=True, kw_only=True)
class TerminalSensorEntityDescription(SensorEntityDescription):
    """A sensor computed from a poll of the terminal."""

    value_fn: Callable[[TerminalData], StateType]


def _capacity_used(data: TerminalData) -> float | None:
    capacity, records = data.counts.records_capacity, data.counts.records
    # Unknown (None) on firmware whose counters reply carries no counts.
    return round(100 * records / capacity, 2) if capacity and records is not None else None


SENSORS: tuple[TerminalSensorEntityDescription, ...] = (
    TerminalSensorEntityDescription(
        key="users",
        translation_key="users",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.counts.users,
    ),
    TerminalSensorEntityDescription(
        key="fingerprints",
        translation_key="fingerprints",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.counts.fingerprints,
    ),
    TerminalSensorEntityDescription(
        key="faces",
        translation_key="faces",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.counts.faces,
    ),
    TerminalSensorEntityDescription(
        key="attendance_records",
        translation_key="attendance_records",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.counts.records,
    ),
    TerminalSensorEntityDescription(
        key="record_capacity_used",
        translation_key="record_capacity_used",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=1,
        value_fn=_capacity_used,
    ),
    TerminalSensorEntityDescription(
        key="clock_offset",
        translation_key="clock_offset",
        entity_category=EntityCategory.DIAGNOSTIC,
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        value_fn=lambda data: int(data.clock_offset.total_seconds()),
    ),
)


async def async_setup_sensor(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of a terminal."""
    runtime = entry.runtime_data
    async_add_entities(
        [
            TerminalLastPunchSensor(runtime),
            *(TerminalSensor(runtime.coordinator, description) for description in SENSORS),
        ]
    )


class TerminalSensor(TerminalEntity, SensorEntity):
    """A value read by the poller."""

    entity_description: TerminalSensorEntityDescription

    def __init__(
        self, coordinator: TerminalCoordinator, description: TerminalSensorEntityDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    @override
    def native_value(self) -> StateType:
        """The value from the last poll."""
        return self.entity_description.value_fn(self.coordinator.data)


class TerminalLastPunchSensor(TerminalPunchEntity, RestoreSensor):
    """Who punched last: the user's name, or the user id when the name is unknown."""

    _attr_translation_key = "last_punch"

    def __init__(self, runtime: TerminalRuntime) -> None:
        """The last-punch sensor of one terminal."""
        super().__init__(runtime, "last_punch")

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last punch with its attributes, then follow new ones."""
        if (extra := await self.async_get_last_extra_data()) is not None:
            if (restored := LastPunchStoredData.from_dict(extra.as_dict())) is not None:
                self._attr_native_value = restored.native_value
                self._attr_extra_state_attributes = restored.punch_attributes
            elif (sensor_data := SensorExtraStoredData.from_dict(extra.as_dict())) is not None:
                # Stored before attributes were: the value alone.
                self._attr_native_value = sensor_data.native_value
        await super().async_added_to_hass()

    @property
    @override
    def extra_restore_state_data(self) -> LastPunchStoredData:
        """The value and the punch attributes, for the next start."""
        return LastPunchStoredData(
            self.native_value,
            self.native_unit_of_measurement,
            dict(self.extra_state_attributes or {}),
        )

    @callback
    @override
    def _async_punched(self, punch: Punch) -> None:
        self._attr_native_value = punch.user_name or punch.user_id
        attributes = {
            ATTR_USER_ID: punch.user_id,
            ATTR_PUNCH: punch.punch_type,
            ATTR_VERIFY: punch.verify,
            ATTR_TIMESTAMP: punch.timestamp.isoformat(),
        }
        if (link := self._runtime.settings.people.get(punch.user_id)) is not None:
            attributes[ATTR_PERSON] = link.person
        self._attr_extra_state_attributes = attributes
        self.async_write_ha_state()
