"""Event entities of a door: strangers and attendance punches."""

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..mqtt_door.models import DoorFeature, Punch, Stranger
from ..punch import (
    ATTR_TERMINAL,
    ATTR_TIMESTAMP,
    ATTR_USER_ID,
    ATTR_USER_NAME,
    ATTR_VERIFY,
    PUNCH_TYPES,
)
from .const import ATTR_EVENT_ID, ATTR_PICTURE_URL, ATTR_TS, EVENT_TYPE_STRANGER
from .entity import DoorEntity
from .runtime import DoorConfigEntry, DoorRuntime

STRANGER_DESCRIPTION = EventEntityDescription(
    key="stranger", translation_key="stranger", event_types=[EVENT_TYPE_STRANGER]
)
# Same event types and data as a terminal's punches, so one automation serves both.
ATTENDANCE_DESCRIPTION = EventEntityDescription(
    key="attendance", translation_key="door_attendance", event_types=list(PUNCH_TYPES)
)


async def async_setup_event(
    hass: HomeAssistant, entry: DoorConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the event entities of the declared features."""
    runtime = entry.runtime_data
    features = runtime.hand_shake.features
    entities: list[EventEntity] = []
    if DoorFeature.STRANGER in features:
        entities.append(StrangerEvent(runtime))
    if DoorFeature.ATTENDANCE in features:
        entities.append(AttendanceEvent(runtime))
    async_add_entities(entities)


class StrangerEvent(DoorEntity, EventEntity):
    """A stranger seen by the door, with its picture URL, time and event id."""

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the entity."""
        super().__init__(runtime, STRANGER_DESCRIPTION.key)
        self.entity_description = STRANGER_DESCRIPTION

    async def async_added_to_hass(self) -> None:
        """Follow the door's strangers."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.on_stranger.add(self._async_stranger))

    @callback
    def _async_stranger(self, stranger: Stranger) -> None:
        self._trigger_event(
            EVENT_TYPE_STRANGER,
            {
                ATTR_PICTURE_URL: stranger.picture_url,
                ATTR_TS: stranger.timestamp,
                ATTR_EVENT_ID: stranger.event_id,
            },
        )
        self.async_write_ha_state()


class AttendanceEvent(DoorEntity, EventEntity):
    """A punch at the door, in the vocabulary of the terminals."""

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the entity."""
        super().__init__(runtime, ATTENDANCE_DESCRIPTION.key)
        self.entity_description = ATTENDANCE_DESCRIPTION

    async def async_added_to_hass(self) -> None:
        """Follow the door's punches."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.on_punch.add(self._async_punch))

    @callback
    def _async_punch(self, punch: Punch) -> None:
        self._trigger_event(
            punch.punch,
            {
                ATTR_USER_ID: punch.user_id,
                ATTR_USER_NAME: punch.user_name,
                ATTR_VERIFY: punch.verify,
                ATTR_TIMESTAMP: punch.timestamp,
                ATTR_TERMINAL: self.runtime.name,
            },
        )
        self.async_write_ha_state()
