"""Problem binary sensors for the alarms a door declares (structured thresholds)."""

from datetime import datetime

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from ..mqtt_door.models import Alarm, DataPointValue
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

    async def async_added_to_hass(self) -> None:
        """Start from the value already received; follow the alarm's data point."""
        await super().async_added_to_hass()
        if (value := self.runtime.datapoints.get(self._alarm.datapoint)) is not None:
            self._evaluate(value, write=False)
        self.async_on_remove(self.runtime.on_datapoint.add(self._async_value))
        self.async_on_remove(self._cancel)

    @callback
    def _async_value(self, update: tuple[str, DataPointValue]) -> None:
        key, value = update
        if key == self._alarm.datapoint:
            self._evaluate(value, write=True)

    def _evaluate(self, value: DataPointValue, *, write: bool) -> None:
        if not isinstance(value.state, int | float):
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
            if write:
                self.async_write_ha_state()
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
