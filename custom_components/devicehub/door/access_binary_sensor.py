"""Contract 1.1 binary sensors: the door contact, "left open", and the door's own alarms."""

from datetime import datetime
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import callback

from ..mqtt_door.access_control import AlarmKind
from ..mqtt_door.models import DoorFeature
from .const import CONF_LEFT_OPEN_DELAY, DEFAULT_LEFT_OPEN_DELAY
from .entity import DoorEntity
from .runtime import DoorRuntime
from .timed_binary_sensor import TimedBinarySensor

CONTACT_DESCRIPTION = BinarySensorEntityDescription(
    key="contact", translation_key="contact", device_class=BinarySensorDeviceClass.DOOR
)
LEFT_OPEN_DESCRIPTION = BinarySensorEntityDescription(
    key="left_open", translation_key="left_open", device_class=BinarySensorDeviceClass.PROBLEM
)


def alarm_description(kind: AlarmKind) -> BinarySensorEntityDescription:
    """Describe the problem sensor of an access-control alarm (MQTT doors and terminals)."""
    return BinarySensorEntityDescription(
        key=f"alarm_kind_{kind.value}",
        translation_key=f"alarm_{kind.value}",
        device_class=BinarySensorDeviceClass.PROBLEM,
    )


def access_control_binary_sensors(runtime: DoorRuntime) -> list[BinarySensorEntity]:
    """Return the binary sensors of the declared contract 1.1 features."""
    features = runtime.hand_shake.features
    entities: list[BinarySensorEntity] = []
    if DoorFeature.CONTACT in features:
        entities += [ContactBinarySensor(runtime), LeftOpenBinarySensor(runtime)]
    if DoorFeature.ALARMS in features:
        entities += [DoorAlarmBinarySensor(runtime, kind) for kind in AlarmKind]
    return entities


class ContactBinarySensor(DoorEntity, BinarySensorEntity):
    """Open or closed, as the door's contact reports; unknown until its first report."""

    _follows = "contact"

    entity_description = CONTACT_DESCRIPTION

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the contact."""
        super().__init__(runtime, CONTACT_DESCRIPTION.key)

    @property
    @override
    def is_on(self) -> bool | None:
        """On (open) or off (closed)."""
        contact = self.coordinator.data.contact
        return None if contact is None else contact.is_open

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.contact


class LeftOpenBinarySensor(TimedBinarySensor):
    """On once the door has stayed open for the delay set in its options; off when closed."""

    _follows = "contact"

    entity_description = LEFT_OPEN_DESCRIPTION

    def __init__(self, runtime: DoorRuntime) -> None:
        """Read the delay from the door's options."""
        super().__init__(runtime, LEFT_OPEN_DESCRIPTION.key)
        self._delay: float = runtime.entry.options.get(
            CONF_LEFT_OPEN_DELAY, DEFAULT_LEFT_OPEN_DELAY
        )

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.contact

    @override
    def _evaluate(self) -> None:
        contact = self.coordinator.data.contact
        if contact is None:
            return
        if not contact.is_open:
            self._cancel()
            self._attr_is_on = False
        elif not self._attr_is_on and self._cancel_timer is None:
            if self._attr_is_on is None:
                self._attr_is_on = False  # open, not yet for long
            self._start_timer(self._delay)

    @callback
    @override
    def _async_elapsed(self, _now: datetime) -> None:
        self._cancel_timer = None
        self._attr_is_on = True
        self.async_write_ha_state()


class DoorAlarmBinarySensor(DoorEntity, BinarySensorEntity):
    """A tamper, forced-open or duress alarm: on until the door says it is over."""

    _follows = "alarms"

    def __init__(self, runtime: DoorRuntime, kind: AlarmKind) -> None:
        """Describe the alarm of this kind."""
        self.entity_description = alarm_description(kind)
        super().__init__(runtime, self.entity_description.key)
        self._kind = kind

    @property
    @override
    def is_on(self) -> bool | None:
        """On while the door reports the alarm; unknown until its first report."""
        report = self.coordinator.data.alarms.get(self._kind)
        return None if report is None else report.active

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.alarms.get(self._kind)
