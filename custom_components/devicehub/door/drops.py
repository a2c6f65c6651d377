"""Counts and logs the messages a door sends that break the contract."""

from collections import Counter
import logging

from ..mqtt_door.errors import DropReason

_LOGGER = logging.getLogger(__name__)


class DropLog:
    """Counters per reason and per topic; one warning per topic kind, then debug logs."""

    def __init__(self, device_id: str) -> None:
        """Start with nothing dropped."""
        self._device_id = device_id
        self.by_reason: Counter[str] = Counter()
        self.by_topic: Counter[str] = Counter()
        self._warned: set[str] = set()

    def record(self, topic_kind: str, reason: DropReason, detail: str = "") -> None:
        """Count a dropped message and log it, loudly only the first time per topic kind."""
        self.by_reason[reason.value] += 1
        self.by_topic[topic_kind] += 1
        if topic_kind in self._warned:
            _LOGGER.debug(
                "Door %s: dropped a message on %s: %s %s",
                self._device_id,
                topic_kind,
                reason.value,
                detail,
            )
            return
        self._warned.add(topic_kind)
        _LOGGER.warning(
            "Door %s: dropped a message on %s (%s %s); later ones on this topic are logged "
            "at debug level and counted in the diagnostics",
            self._device_id,
            topic_kind,
            reason.value,
            detail,
        )

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Return the counters for the diagnostics."""
        return {"by_reason": dict(self.by_reason), "by_topic": dict(self.by_topic)}
