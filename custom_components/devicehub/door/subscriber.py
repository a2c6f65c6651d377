"""One MQTT subscription set per topic prefix, shared by every door under it.

Home Assistant matches each new topic against every wildcard subscription in turn, so one
wildcard per door made setting up many doors slow. The doors of a prefix share a fixed set
of subscriptions (mqtt_door.topics.subscription_topics) and each message goes to its door
through a dict keyed by device id. The set is subscribed when the first door of the prefix
follows it and unsubscribed when the last one stops.

Retained messages come once per subscription, as soon as the broker has taken it: the shared
set is subscribed one topic at a time, and the retained messages of its first topics are handed
out long before the last one is acknowledged. A door that joins after a shared topic has
brought retained messages (a door set up while others are, a reloaded or newly added door)
subscribes its own copy of that topic, to receive its retained messages again, and takes that
topic's retained messages from there only.
"""

from dataclasses import dataclass, field
from typing import Protocol

from homeassistant.components import mqtt
from homeassistant.components.mqtt.models import ReceiveMessage
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..mqtt_door.topics import subscription_topics

_QOS = 1


class DoorMessageHandler(Protocol):
    """What a door's runtime offers the shared subscription."""

    def async_message_received(self, msg: ReceiveMessage) -> None:
        """Handle one message on one of the door's topics."""


@dataclass(slots=True)
class _Door:
    handler: DoorMessageHandler
    # Shared topics whose retained messages came before the door joined: its own copies of
    # them bring those messages again.
    own_topics: set[str] = field(default_factory=set)
    unsubscribe_own: list[CALLBACK_TYPE] = field(default_factory=list)


class PrefixSubscription:
    """The shared subscriptions of one prefix and the doors they feed."""

    def __init__(self, hass: HomeAssistant, prefix: str) -> None:
        """Subscribe nothing yet: async_start does, once."""
        self._hass = hass
        self._prefix = prefix
        self._head_length = len(prefix) + 1
        self._doors: dict[str, _Door] = {}
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._started = False
        self.acknowledged = False
        # Shared topics the broker has started to send retained messages on.
        self._replayed: set[str] = set()

    @property
    def doors(self) -> int:
        """How many doors follow this prefix."""
        return len(self._doors)

    async def async_start(self) -> None:
        """Subscribe the shared set (the first door of the prefix does it)."""
        if self._started:
            return
        self._started = True
        topics = subscription_topics(self._prefix)
        for topic in topics:
            # Bytes for all topics: text is capped before decoding and pictures stay raw.
            self._unsubscribe.append(
                await mqtt.async_subscribe(
                    self._hass, topic, self._async_received, qos=_QOS, encoding=None
                )
            )
        # Subscribed one at a time, in order: the last one acknowledged means all were.
        self._unsubscribe.append(
            mqtt.async_on_subscribe_done(self._hass, topics[-1], _QOS, self._async_acknowledged)
        )

    async def async_add(self, device_id: str, handler: DoorMessageHandler) -> None:
        """Send the messages of this device id to handler."""
        door = self._doors[device_id] = _Door(handler)
        shared = subscription_topics(self._prefix)
        for shared_topic, own_topic in zip(
            shared, subscription_topics(self._prefix, device_id), strict=True
        ):
            if not self.acknowledged and shared_topic not in self._replayed:
                continue  # its retained messages are yet to come: the door is here for them
            door.own_topics.add(shared_topic)
            door.unsubscribe_own.append(
                await mqtt.async_subscribe(
                    self._hass, own_topic, self._async_own_received, qos=_QOS, encoding=None
                )
            )

    @callback
    def remove(self, device_id: str) -> None:
        """Stop sending the device's messages."""
        if (door := self._doors.pop(device_id, None)) is not None:
            for unsubscribe in door.unsubscribe_own:
                unsubscribe()

    @callback
    def stop(self) -> None:
        """Unsubscribe the shared set."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    @callback
    def _async_acknowledged(self) -> None:
        self.acknowledged = True

    @callback
    def _async_received(self, msg: ReceiveMessage) -> None:
        if msg.retain:
            self._replayed.add(msg.subscribed_topic)
        device_id = msg.topic[self._head_length :].partition("/")[0]
        door = self._doors.get(device_id)
        if door is None:
            return  # a door not configured here: discovery offers it, if it announces itself
        if msg.retain and msg.subscribed_topic in door.own_topics:
            return  # its own subscription brings it
        door.handler.async_message_received(msg)

    @callback
    def _async_own_received(self, msg: ReceiveMessage) -> None:
        if not msg.retain:
            return  # live messages come through the shared subscriptions
        device_id = msg.topic[self._head_length :].partition("/")[0]
        if (door := self._doors.get(device_id)) is not None:
            door.handler.async_message_received(msg)


DOOR_SUBSCRIPTIONS: HassKey[dict[str, PrefixSubscription]] = HassKey(f"{DOMAIN}_door_subscriptions")


async def async_follow_door(
    hass: HomeAssistant, prefix: str, device_id: str, handler: DoorMessageHandler
) -> CALLBACK_TYPE:
    """Send a door's messages to handler; return the function that stops it.

    The prefix's shared subscriptions are reference counted by the doors that follow them.
    """
    subscriptions = hass.data.setdefault(DOOR_SUBSCRIPTIONS, {})
    if (subscription := subscriptions.get(prefix)) is None:
        subscription = subscriptions[prefix] = PrefixSubscription(hass, prefix)
    await subscription.async_add(device_id, handler)
    await subscription.async_start()

    @callback
    def unfollow() -> None:
        subscription.remove(device_id)
        if subscription.doors == 0 and subscriptions.get(prefix) is subscription:
            subscription.stop()
            del subscriptions[prefix]

    return unfollow
