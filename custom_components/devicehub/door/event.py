"""Event entities of a door: strangers and attendance punches."""

from typing import override

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
from .access_event import access_control_events
from .const import ATTR_EVENT_ID, ATTR_PICTURE_URL, ATTR_TS, EVENT_TYPE_STRANGER
from .entity import DoorEntity
from .runtime import DoorConfigEntry, DoorRuntime

STRANGER_DESCRIPTION = EventEntityDescription(
    key="stranger", translation_key="stranger", event_types=[EVENT_TYPE_STRANGER]
)
# Same event types and data as a terminal's punches, so one automation serves both.
ATTENDANCE_DESCRIPTION = EventEntityDescription(
    key="attendance", translation_key="punch", event_types=list(PUNCH_TYPES)
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
    entities += access_control_events(runtime)
    async_add_entities(entities)


class StrangerEvent(DoorEntity, EventEntity):
    """A stranger seen by the door, with its picture URL, time and event id."""

    _follows = "stranger"

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the entity."""
        super().__init__(runtime, STRANGER_DESCRIPTION.key)
        self.entity_description = STRANGER_DESCRIPTION
        self._shown: Stranger | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Only strangers seen from now on are events."""
        self._shown = self.coordinator.data.stranger
        await super().async_added_to_hass()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Trigger for a new stranger (each message is a new object)."""
        if (stranger := self.coordinator.data.stranger) is not self._shown and stranger:
            self._shown = stranger
            self._trigger_event(
                EVENT_TYPE_STRANGER,
                {
                    ATTR_PICTURE_URL: stranger.picture_url,
                    ATTR_TS: stranger.timestamp,
                    ATTR_EVENT_ID: stranger.event_id,
                },
            )
        super()._handle_coordinator_update()

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.stranger


class AttendanceEvent(DoorEntity, EventEntity):
    """A punch at the door, in the vocabulary and under the name of the terminals'."""

    _follows = "punch"

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the entity."""
        super().__init__(runtime, ATTENDANCE_DESCRIPTION.key)
        self.entity_description = ATTENDANCE_DESCRIPTION
        self._shown: Punch | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Only punches from now on are events."""
        self._shown = self.coordinator.data.punch
        await super().async_added_to_hass()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Trigger for a new punch (each message is a new object)."""
        if (punch := self.coordinator.data.punch) is not self._shown and punch:
            self._shown = punch
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
        super()._handle_coordinator_update()

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.punch
