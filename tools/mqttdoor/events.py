"""Events a door reports: strangers and punches, and (contract 1.1) their ids and resends.

A mixin of SimulatedDoor. With `event_ids` on, each event gets an id unique across door
restarts and stays in the outbox until Home Assistant acknowledges it on `ack`; the door's
scheduler resends what is due.
"""

from datetime import UTC, datetime
import json
import time
from typing import Any
import uuid

from paho.mqtt.client import MQTTMessageInfo

from .config import DoorConfig
from .contract import DoorTopics
from .outbox import Outbox


def now_iso() -> str:
    """The current time as the door stamps its events."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class DoorEvents:
    """Strangers, punches, and the id/acknowledgement side of every event."""

    config: DoorConfig
    topics: DoorTopics

    def publish(self, topic: str, payload: Any, retain: bool = False) -> MQTTMessageInfo:
        """Provided by the door."""
        raise NotImplementedError

    def _init_events(self) -> None:
        self._event_counter = 0
        self._boot = uuid.uuid4().hex[:8]  # event ids stay unique across door restarts
        self.outbox = Outbox()

    def publish_stranger(
        self,
        image: bytes | None = None,
        picture_url: str | None = None,
        *,
        event_id: str | None = None,
        ts: str | None = None,
    ) -> str:
        """Announce a stranger (JSON), then send its picture bytes if any; returns event_id."""
        event_id = event_id or uuid.uuid4().hex[:12]
        event: dict[str, Any] = {"ts": ts or now_iso(), "event_id": event_id}
        if picture_url is not None:
            event["picture_url"] = picture_url
        self._publish_event(self.topics.stranger, event)
        if image is not None:
            self.publish(self.topics.stranger_image, image)
        return event_id

    def publish_punch(
        self,
        user_id: str,
        name: str | None = None,
        punch: str = "check_in",
        *,
        ts: str | None = None,
        verify: str | None = "fingerprint",
    ) -> dict[str, Any]:
        record: dict[str, Any] = {"user_id": user_id, "punch": punch, "ts": ts or now_iso()}
        if name is not None:
            record["name"] = name
        if verify is not None:
            record["verify"] = verify
        self._publish_event(self.topics.attendance, record)
        return record

    def _publish_event(self, topic: str, event: dict[str, Any]) -> None:
        """Publish an event; with ids (contract 1.1) keep it to resend until acknowledged."""
        if self.config.event_ids:
            self._event_counter += 1
            event["id"] = f"{self.config.device_id}-{self._boot}-{self._event_counter}"
            payload = json.dumps(event)
            self.outbox.add(event["id"], topic, payload, time.monotonic())
        else:
            payload = json.dumps(event)
        self.publish(topic, payload)

    def _resend_unacknowledged(self) -> None:
        for topic, payload in self.outbox.due(time.monotonic(), self.config.resend_after):
            self.publish(topic, payload)

    def acknowledge_event(self, text: str) -> bool:
        """An `ack` payload from Home Assistant: the event is delivered, stop resending it."""
        return self.outbox.acknowledge(text)
