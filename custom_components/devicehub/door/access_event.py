"""Contract 1.1 event entities: the doorbell and access attempts (granted or denied)."""

from abc import abstractmethod
from typing import Any, override

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


def access_event_data(attempt: AccessAttempt, terminal: str) -> dict[str, Any]:
    """The data of an access event, from a door or a terminal alike."""
    return {
        ATTR_CREDENTIAL: attempt.credential.value,
        ATTR_USER_ID: attempt.user_id,
        ATTR_USER_NAME: attempt.user_name,
        ATTR_CREDENTIAL_ID: attempt.credential_id,
        ATTR_REASON: attempt.reason,
        ATTR_TIMESTAMP: attempt.timestamp,
        ATTR_TERMINAL: terminal,
    }


def access_control_events(runtime: DoorRuntime) -> list[EventEntity]:
    """Return the event entities of the declared contract 1.1 features."""
    features = runtime.hand_shake.features
    entities: list[EventEntity] = []
    if DoorFeature.DOORBELL in features:
        entities.append(DoorbellEvent(runtime))
    if DoorFeature.ACCESS in features:
        entities.append(AccessEvent(runtime))
    return entities


class _ReportEvent[ReportT](DoorEntity, EventEntity):
    """An event at each new report of one kind; what was reported before it was added is not."""

    def __init__(self, runtime: DoorRuntime) -> None:
        """Describe the event entity by its class's description."""
        super().__init__(runtime, self.entity_description.key)
        self._shown: ReportT | None = None

    @abstractmethod
    def _report(self) -> ReportT | None:
        """The latest report of this entity's kind in the door's data."""

    @abstractmethod
    def _fire(self, report: ReportT) -> None:
        """Trigger the event of a new report."""

    @override
    async def async_added_to_hass(self) -> None:
        """Only reports from now on are events."""
        self._shown = self._report()
        await super().async_added_to_hass()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        if (report := self._report()) is not self._shown and report is not None:
            self._shown = report
            self._fire(report)
        super()._handle_coordinator_update()

    @override
    def _shown_data(self) -> object:
        return self._report()


class DoorbellEvent(_ReportEvent[Ring]):
    """A press of the door's bell button."""

    _follows = "ring"

    entity_description = DOORBELL_DESCRIPTION

    @override
    def _report(self) -> Ring | None:
        return self.coordinator.data.ring

    @override
    def _fire(self, report: Ring) -> None:
        self._trigger_event(EVENT_TYPE_RING, {ATTR_TIMESTAMP: report.timestamp})


class AccessEvent(_ReportEvent[AccessAttempt]):
    """An access attempt: who (when known), how, and a masked credential."""

    _follows = "access"

    entity_description = ACCESS_DESCRIPTION

    @override
    def _report(self) -> AccessAttempt | None:
        return self.coordinator.data.access

    @override
    def _fire(self, report: AccessAttempt) -> None:
        self._trigger_event(report.result.value, access_event_data(report, self.runtime.name))
