"""Contract 1.1 event entities: the doorbell and access attempts (granted or denied)."""

from typing import override

from homeassistant.components.event import (
    EventDeviceClass,
    EventEntity,
    EventEntityDescription,
)
from homeassistant.core import callback

from ..mqtt_door.access_control import AccessAttempt, AccessResult, Ring
from ..mqtt_door.models import DoorFeature
from ..punch import ATTR_TERMINAL, ATTR_TIMESTAMP, ATTR_USER_ID, ATTR_USER_NAME
from .const import ATTR_CREDENTIAL, ATTR_CREDENTIAL_ID, ATTR_REASON, EVENT_TYPE_RING
from .entity import DoorEntity
from .runtime import DoorRuntime

# Home Assistant's doorbell convention: device class doorbell, event type `ring`.
DOORBELL_DESCRIPTION = EventEntityDescription(
    key="doorbell",
    translation_key="doorbell",
    device_class=EventDeviceClass.DOORBELL,
    event_types=[EVENT_TYPE_RING],
)
ACCESS_DESCRIPTION = EventEntityDescription(
    key="access", translation_key="access", event_types=[result.value for result in AccessResult]
)


def access_control_events(runtime: DoorRuntime) -> list[EventEntity]:
    """Return the event entities of the declared contract 1.1 features."""
    features = runtime.hand_shake.features
    entities: list[EventEntity] = []
    if DoorFeature.DOORBELL in features:
        entities.append(DoorbellEvent(runtime))
    if DoorFeature.ACCESS in features:
        entities.append(AccessEvent(runtime))
    return entities


class DoorbellEvent(DoorEntity, EventEntity):
    """A press of the door's bell button."""

    entity_description = DOORBELL_DESCRIPTION

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the doorbell."""
        super().__init__(runtime, DOORBELL_DESCRIPTION.key)
        self._shown: Ring | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Only presses from now on are events."""
        self._shown = self.coordinator.data.ring
        await super().async_added_to_hass()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        if (ring := self.coordinator.data.ring) is not self._shown and ring:
            self._shown = ring
            self._trigger_event(EVENT_TYPE_RING, {ATTR_TIMESTAMP: ring.timestamp})
        super()._handle_coordinator_update()

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.ring


class AccessEvent(DoorEntity, EventEntity):
    """An access attempt: who (when known), how, and a masked credential."""

    entity_description = ACCESS_DESCRIPTION

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the access event."""
        super().__init__(runtime, ACCESS_DESCRIPTION.key)
        self._shown: AccessAttempt | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Only attempts from now on are events."""
        self._shown = self.coordinator.data.access
        await super().async_added_to_hass()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        if (attempt := self.coordinator.data.access) is not self._shown and attempt:
            self._shown = attempt
            self._trigger_event(
                attempt.result.value,
                {
                    ATTR_CREDENTIAL: attempt.credential.value,
                    ATTR_USER_ID: attempt.user_id,
                    ATTR_USER_NAME: attempt.user_name,
                    ATTR_CREDENTIAL_ID: attempt.credential_id,
                    ATTR_REASON: attempt.reason,
                    ATTR_TIMESTAMP: attempt.timestamp,
                    ATTR_TERMINAL: self.runtime.name,
                },
            )
        super()._handle_coordinator_update()

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.access
