"""Topic names of the MQTT door contract: `<prefix>/<device id>/<kind>`."""

from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Final

DEFAULT_PREFIX: Final = "devicehub"
DISCOVERY_TOPIC: Final = f"{DEFAULT_PREFIX}/+/hand_shake"

_ID_PATTERN: Final = re.compile(r"[a-z0-9_-]{1,64}")
_MAX_PREFIX_LENGTH: Final = 128


class TopicKind(StrEnum):
    """What a topic under a door carries (the part after the device id)."""

    HAND_SHAKE = "hand_shake"
    HAND_SHAKE_ACK = "hand_shake/ack"
    AVAILABILITY = "availability"
    STATE = "state"
    COMMAND = "command"
    STRANGER = "stranger"
    STRANGER_IMAGE = "stranger/image"
    ATTENDANCE = "attendance"
    DATAPOINT = "datapoint"
    CALL = "call"
    RESULT = "result"
    # Contract 1.1, access control: two levels deep, so the shared `+/+/#` covers them.
    ACCESS_CONTACT = "access/contact"
    ACCESS_DOORBELL = "access/doorbell"
    ACCESS_ATTEMPT = "access/attempt"
    ACCESS_TAG = "access/tag"
    ALARM = "alarm"  # alarm/<kind>
    RELAY = "relay"  # relay/<key>
    RELAY_COMMAND = "relay_command"  # Home Assistant's own, never subscribed
    ACK = "ack"  # contract 1.1: Home Assistant acknowledges an event with an id


# Topics the door publishes; the others are Home Assistant's own (echoed back to us).
FROM_DEVICE: Final = frozenset(
    {
        TopicKind.HAND_SHAKE,
        TopicKind.AVAILABILITY,
        TopicKind.STATE,
        TopicKind.STRANGER,
        TopicKind.STRANGER_IMAGE,
        TopicKind.ATTENDANCE,
        TopicKind.DATAPOINT,
        TopicKind.RESULT,
        TopicKind.ACCESS_CONTACT,
        TopicKind.ACCESS_DOORBELL,
        TopicKind.ACCESS_ATTEMPT,
        TopicKind.ACCESS_TAG,
        TopicKind.ALARM,
        TopicKind.RELAY,
    }
)
# Kinds whose topic ends in a key: `<kind>/<key>`.
KEYED_KINDS: Final = frozenset({TopicKind.DATAPOINT, TopicKind.ALARM, TopicKind.RELAY})
_KINDS_BY_SUFFIX: Final = {kind.value: kind for kind in TopicKind if kind not in KEYED_KINDS}


@dataclass(frozen=True, slots=True)
class DoorTopic:
    """A parsed topic: which door, what kind, and the data point key if any."""

    device_id: str
    kind: TopicKind
    key: str | None = None


def is_valid_id(value: object) -> bool:
    """Tell whether a device id or data point key matches `[a-z0-9_-]{1,64}`."""
    return isinstance(value, str) and _ID_PATTERN.fullmatch(value) is not None


def is_valid_prefix(value: object) -> bool:
    """Tell whether a topic prefix is usable: non-empty levels, no wildcards, not `$...`."""
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_PREFIX_LENGTH:
        return False
    if value.startswith("$") or "\x00" in value:
        return False
    return all(level and "+" not in level and "#" not in level for level in value.split("/"))


def build_topic(prefix: str, device_id: str, kind: TopicKind, key: str | None = None) -> str:
    """Return the topic of one kind for one door."""
    if kind in KEYED_KINDS:
        if key is None:
            raise ValueError(f"a {kind.value} topic needs a key")
        return f"{prefix}/{device_id}/{kind.value}/{key}"
    return f"{prefix}/{device_id}/{kind.value}"


# Kinds a door publishes one level below its id, in the order they are subscribed: Home
# Assistant subscribes wildcards one at a time, so `result` goes first (a call made as soon as
# anything of the door shows must hear its answer) and `state` last.
_SINGLE_LEVEL_FROM_DEVICE: Final = (
    TopicKind.RESULT,
    TopicKind.ATTENDANCE,
    TopicKind.STRANGER,
    TopicKind.HAND_SHAKE,
    TopicKind.AVAILABILITY,
    TopicKind.STATE,
)


def subscription_topics(prefix: str, device_id: str = "+") -> tuple[str, ...]:
    """Return the subscriptions covering what doors publish (all doors of a prefix by default).

    One wildcard for everything two levels deep or more (`stranger/image`, `datapoint/<key>`,
    and topics outside the contract, which are counted as drops), and one per kind the door
    publishes at the first level. Home Assistant's own `command` and `call` are not covered,
    so they never come back. The last one is acknowledged last.
    """
    head = f"{prefix}/{device_id}"
    first, *rest = (f"{head}/{kind.value}" for kind in _SINGLE_LEVEL_FROM_DEVICE)
    return (first, f"{head}/+/+/#", *rest)


def parse_topic(prefix: str, topic: str) -> DoorTopic | None:
    """Split a received topic; None when it is not a well-formed door topic."""
    head = f"{prefix}/"
    if not topic.startswith(head):
        return None
    device_id, _, suffix = topic[len(head) :].partition("/")
    if not is_valid_id(device_id):
        return None
    if kind := _KINDS_BY_SUFFIX.get(suffix):
        return DoorTopic(device_id, kind)
    section, _, key = suffix.partition("/")
    for kind in KEYED_KINDS:
        if section == kind.value and is_valid_id(key):
            return DoorTopic(device_id, kind, key)
    return None
