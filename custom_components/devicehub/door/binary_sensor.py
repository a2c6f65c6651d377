"""Problem binary sensors for the alarms a door declares (structured thresholds)."""

from datetime import datetime
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..mqtt_door.models import Alarm
from .access_binary_sensor import access_control_binary_sensors
from .runtime import DoorConfigEntry, DoorRuntime
from .timed_binary_sensor import TimedBinarySensor


async def async_setup_binary_sensor(
    hass: HomeAssistant, entry: DoorConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add one problem sensor per declared alarm."""
    runtime = entry.runtime_data
    async_add_entities(AlarmBinarySensor(runtime, alarm) for alarm in runtime.hand_shake.alarms)
    async_add_entities(access_control_binary_sensors(runtime))


class AlarmBinarySensor(TimedBinarySensor):
    """On once its data point has been past the threshold for `delay` seconds.

    Off again once it has been back for `clear_delay` seconds. Unknown until the first value.
    """

    _follows = "datapoints"

    def __init__(self, runtime: DoorRuntime, alarm: Alarm) -> None:
        """Describe the alarm; start from the data point value already received."""
        self.entity_description = BinarySensorEntityDescription(
            key=f"alarm_{alarm.key}",
            name=alarm.name or alarm.key,
            device_class=BinarySensorDeviceClass.PROBLEM,
        )
        super().__init__(runtime, self.entity_description.key)
        self._alarm = alarm
        self._timer_target: bool | None = None

    @override
    def _shown_data(self) -> object:
        # The value, not the verdict: a delay's timer changes the verdict and writes it itself.
        return self.coordinator.data.datapoints.get(self._alarm.datapoint)

    @override
    def _evaluate(self) -> None:
        # The same value again changes nothing.
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
            self._start_timer(delay)

    @callback
    @override
    def _async_elapsed(self, _now: datetime) -> None:
        self._cancel_timer = None
        self._attr_is_on = self._timer_target
        self._timer_target = None
        self.async_write_ha_state()

    @callback
    @override
    def _cancel(self) -> None:
        super()._cancel()
        self._timer_target = None
