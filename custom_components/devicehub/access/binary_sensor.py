"""Door contact and alarm problem sensors of a terminal, as the MQTT doors have them.

The contact is made when the terminal first reports a door state (and kept from then on,
through the entity registry), so a terminal without a door sensor never shows one.
"""

from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from ..door.access_binary_sensor import CONTACT_DESCRIPTION, alarm_description
from ..mqtt_door.access_control import AlarmKind
from .entity import AccessEntity
from .feed import AccessFeed


def async_setup_access_binary_sensors(
    hass: HomeAssistant,
    entry: ConfigEntry,
    feed: AccessFeed,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the alarm sensors now, and the contact once the terminal reports a door state."""
    async_add_entities(AccessAlarmSensor(feed, kind) for kind in feed.capabilities.alarms)
    contact_id = f"{feed.serial_number}_{CONTACT_DESCRIPTION.key}"
    registry = er.async_get(hass)
    if (
        feed.contact_open is not None
        or registry.async_get_entity_id(Platform.BINARY_SENSOR, DOMAIN, contact_id) is not None
    ):
        async_add_entities([AccessContactSensor(feed)])
        return

    @callback
    def _async_first_door_state() -> None:
        remove()
        async_add_entities([AccessContactSensor(feed)])

    remove = feed.async_add_contact_listener(_async_first_door_state)
    entry.async_on_unload(remove)


class AccessContactSensor(AccessEntity, BinarySensorEntity):
    """Open or closed, as the terminal reports its door sensor; unknown until it does."""

    entity_description = CONTACT_DESCRIPTION

    def __init__(self, feed: AccessFeed) -> None:
        """Describe the contact."""
        super().__init__(feed, CONTACT_DESCRIPTION.key)

    @property
    @override
    def is_on(self) -> bool | None:
        """On (open) or off (closed)."""
        return self._feed.contact_open


class AccessAlarmSensor(AccessEntity, BinarySensorEntity):
    """A tamper, forced-open or duress alarm: on while the terminal reports it."""

    def __init__(self, feed: AccessFeed, kind: AlarmKind) -> None:
        """Describe the alarm of this kind (the MQTT doors' keys and names)."""
        self.entity_description = alarm_description(kind)
        super().__init__(feed, self.entity_description.key)
        self._kind = kind

    @property
    @override
    def is_on(self) -> bool | None:
        """On while the alarm is reported; unknown until the first report."""
        return self._feed.alarms.get(self._kind)
