"""Problem binary sensors for the alarms a door declares (structured thresholds)."""

from datetime import datetime
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from ..mqtt_door.models import Alarm
from .entity import DoorEntity
from .runtime import DoorConfigEntry, DoorRuntime


async def async_setup_binary_sensor(
    hass: HomeAssistant, entry: DoorConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add one problem sensor per declared alarm."""
    runtime = entry.runtime_data
    async_add_entities(AlarmBinarySensor(runtime, alarm) for alarm in runtime.hand_shake.alarms)


class AlarmBinarySensor(DoorEntity, BinarySensorEntity):
    """On once its data point has been past the threshold for `delay` seconds.

    Off again once it has been back for `clear_delay` seconds. Unknown until the first value.
    """

    def __init__(self, runtime: DoorRuntime, alarm: Alarm) -> None:
        """Describe the alarm; start from the data point value already received."""
        self.entity_description = BinarySensorEntityDescription(
            key=f"alarm_{alarm.key}",
            name=alarm.name or alarm.key,
            device_class=BinarySensorDeviceClass.PROBLEM,
        )
        super().__init__(runtime, self.entity_description.key)
        self._alarm = alarm
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._timer_target: bool | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Start from the value already received."""
        await super().async_added_to_hass()
        self._evaluate()
        self.async_on_remove(self._cancel)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Weigh the data point again: the same value again changes nothing."""
        self._evaluate()
        super()._handle_coordinator_update()

    @override
    def _shown_data(self) -> object:
        # The value, not the verdict: a delay's timer changes the verdict and writes it itself.
        return self.coordinator.data.datapoints.get(self._alarm.datapoint)

    def _evaluate(self) -> None:
        value = self.coordinator.data.datapoints.get(self._alarm.datapoint)
        if value is None or not isinstance(value.state, int | float):
            return
        tripped = self._alarm.is_tripped_by(value.state)
        if tripped == self._attr_is_on:
            self._cancel()  # back where it is before the delay ran out
            return
        delay = self._alarm.delay if tripped else self._alarm.clear_delay
        if self._attr_is_on is None and not tripped:
            delay = 0  # the first value below the threshold: plainly off
        if delay <= 0:
            self._cancel()
            self._attr_is_on = tripped
        elif self._timer_target is not tripped:
            self._cancel()
            self._timer_target = tripped
            self._cancel_timer = async_call_later(self.runtime.hass, delay, self._async_elapsed)

    @callback
    def _async_elapsed(self, _now: datetime) -> None:
        self._cancel_timer = None
        self._attr_is_on = self._timer_target
        self._timer_target = None
        self.async_write_ha_state()

    @callback
    def _cancel(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        self._timer_target = None
