"""Events a door resends until Home Assistant acknowledges them (contract 1.1).

Punches and stranger events carry an `id`; Home Assistant answers each delivered one with
`{"id"}` on `<p>/<device>/ack`. Whatever is not acknowledged within `resend_after` seconds is
sent again (Home Assistant was down, restarting, or its acknowledgement was lost), and
Home Assistant drops the repeats by id.
"""

from dataclasses import dataclass
import json
import threading


@dataclass(slots=True)
class _Unacknowledged:
    topic: str
    payload: str
    sent_at: float
    sends: int = 1


class Outbox:
    """Thread-safe: paho's thread acknowledges, the scheduler's resends, tests read."""

    def __init__(self) -> None:
        self._pending: dict[str, _Unacknowledged] = {}
        self._lock = threading.Lock()
        self.acknowledged: list[str] = []
        self.resent = 0

    def add(self, event_id: str, topic: str, payload: str, now: float) -> None:
        """An event just sent; kept until acknowledged."""
        with self._lock:
            self._pending[event_id] = _Unacknowledged(topic, payload, now)

    def acknowledge(self, text: str) -> bool:
        """Take an `ack` payload; False if it is not one of ours."""
        try:
            event_id = json.loads(text).get("id")
        except ValueError, AttributeError:
            return False
        with self._lock:
            if self._pending.pop(event_id, None) is None:
                return False
            self.acknowledged.append(event_id)
            return True

    def due(self, now: float, resend_after: float) -> list[tuple[str, str]]:
        """The (topic, payload) of events to send again now, oldest first."""
        with self._lock:
            due = [item for item in self._pending.values() if now - item.sent_at >= resend_after]
            for item in due:
                item.sent_at = now
                item.sends += 1
            self.resent += len(due)
            return [(item.topic, item.payload) for item in due]

    @property
    def pending(self) -> list[str]:
        """Ids not acknowledged yet."""
        with self._lock:
            return list(self._pending)
