"""Which entities a door's declaration creates, and which feature each access topic needs."""

from typing import Final

from ..mqtt_door.access_control import AlarmKind
from ..mqtt_door.models import DoorFeature, HandShake
from ..mqtt_door.topics import TopicKind


def entity_keys(hand_shake: HandShake) -> set[str]:
    """Return the keys (unique id suffixes) of the entities a declaration creates."""
    keys = {f"datapoint_{point.key}" for point in hand_shake.datapoints}
    keys |= {f"alarm_{alarm.key}" for alarm in hand_shake.alarms}
    if hand_shake.has_lock:
        keys.add("lock")
    if DoorFeature.STRANGER in hand_shake.features:
        keys |= {"stranger", "stranger_picture"}
    if DoorFeature.ATTENDANCE in hand_shake.features:
        keys.add("attendance")
    return keys | access_control_entity_keys(hand_shake)


def access_control_entity_keys(hand_shake: HandShake) -> set[str]:
    """Return the keys of the contract 1.1 access-control entities a declaration creates."""
    features = hand_shake.features
    keys: set[str] = set()
    if DoorFeature.CONTACT in features:
        keys |= {"contact", "left_open"}
    if DoorFeature.DOORBELL in features:
        keys.add("doorbell")
    if DoorFeature.ACCESS in features:
        keys.add("access")
    if DoorFeature.ALARMS in features:
        keys |= {f"alarm_kind_{kind.value}" for kind in AlarmKind}
    keys |= {f"relay_{relay.key}" for relay in hand_shake.relays}
    return keys


ACCESS_CONTROL_FEATURES: Final = {
    TopicKind.ACCESS_CONTACT: DoorFeature.CONTACT,
    TopicKind.ACCESS_DOORBELL: DoorFeature.DOORBELL,
    TopicKind.ACCESS_ATTEMPT: DoorFeature.ACCESS,
    TopicKind.ACCESS_TAG: DoorFeature.TAG,
    TopicKind.ALARM: DoorFeature.ALARMS,
    TopicKind.RELAY: DoorFeature.RELAYS,
}
