"""Doors of a prefix share one set of subscriptions; each message reaches its own door."""

from typing import Any

from homeassistant.components.mqtt.const import MQTT_PROCESSED_SUBSCRIPTIONS
from homeassistant.components.mqtt.models import DATA_MQTT, ReceiveMessage
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from paho.mqtt.client import topic_matches_sub
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.door.const import CONF_DEVICE_ID
from custom_components.devicehub.door.runtime import DoorRuntime
from custom_components.devicehub.door.subscriber import DOOR_SUBSCRIPTIONS, PrefixSubscription
from custom_components.devicehub.mqtt_door.topics import TopicKind

from .conftest import PREFIX, Fire, door_entry_data, entity_id, topic

# What the doors publish at the first level, plus one wildcard for the deeper topics.
SHARED_SUBSCRIPTIONS = 7


def door_topics(hass: HomeAssistant) -> list[str]:
    """Topics of every subscription that feeds doors (not discovery's, say)."""
    # The test client wraps Home Assistant's real one, which keeps the subscriptions.
    client = hass.data[DATA_MQTT].client._mock_wraps
    return sorted(
        s.topic
        for s in client.subscriptions
        if isinstance(getattr(s.job.target, "__self__", None), PrefixSubscription)
    )


async def broker_acknowledges(hass: HomeAssistant) -> None:
    """What Home Assistant's client signals once the broker acknowledged the shared set.

    (The test client never sends its queued subscriptions: their cooldown runs in real time.)
    """
    async_dispatcher_send(hass, MQTT_PROCESSED_SUBSCRIPTIONS, [(f"{PREFIX}/+/state", 1)])
    await hass.async_block_till_done()
    assert hass.data[DOOR_SUBSCRIPTIONS][PREFIX].acknowledged


def broker_subscriptions(hass: HomeAssistant) -> list[Any]:
    """Every subscription Home Assistant's client holds (the test client wraps the real one)."""
    return list(hass.data[DATA_MQTT].client._mock_wraps.subscriptions)


def broker_sends_retained(
    hass: HomeAssistant, topic: str, payload: str, new: list[Any], *, since: list[Any]
) -> int:
    """What the broker does for a retained message: send it to new subscriptions only."""
    sent = 0
    for subscription in new:
        if subscription not in since and topic_matches_sub(subscription.topic, topic):
            message = ReceiveMessage(topic, payload.encode(), 1, True, subscription.topic, 0.0)
            subscription.job.target(message)
            sent += 1
    return sent


async def add_door(
    hass: HomeAssistant, device_id: str, *, acknowledged: bool = True
) -> MockConfigEntry:
    """Set up another door under the same prefix (by default once the broker acknowledged
    the shared set)."""
    if acknowledged:
        await broker_acknowledges(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=device_id,
        title=device_id,
        data={**door_entry_data(), CONF_DEVICE_ID: device_id},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def runtime_of(entry: MockConfigEntry) -> DoorRuntime:
    runtime: DoorRuntime = entry.runtime_data
    return runtime


async def test_one_subscription_set_per_prefix(
    hass: HomeAssistant, setup_door: MockConfigEntry
) -> None:
    """The doors' topics are wildcards over device ids; none covers Home Assistant's own."""
    shared = door_topics(hass)
    assert len(shared) == SHARED_SUBSCRIPTIONS
    assert all(topic.startswith(f"{PREFIX}/+/") for topic in shared)
    for kind in (TopicKind.COMMAND, TopicKind.CALL):
        own = f"{PREFIX}/door1/{kind.value}"
        assert not any(topic_matches_sub(topic, own) for topic in shared), own
    for kind in ("state", "availability", "hand_shake", "result", "datapoint/mode"):
        assert any(topic_matches_sub(topic, f"{PREFIX}/door1/{kind}") for topic in shared)
    assert set(hass.data[DOOR_SUBSCRIPTIONS]) == {PREFIX}


async def test_messages_reach_their_door_only(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A value of one door changes that door's entity, not its neighbour's."""
    second = await add_door(hass, "door2")
    fire("datapoint/mode", "eco", device_id="door2")
    fire("datapoint/mode", "comfort")
    fire("state", "locked", device_id="door9")  # a door not configured here
    await hass.async_block_till_done()
    assert hass.states.get(entity_id(hass, "sensor", "datapoint_mode")).state == "comfort"
    assert runtime_of(second).coordinator.data.datapoints["mode"].state == "eco"
    assert runtime_of(setup_door).drops.by_reason == {}
    assert runtime_of(second).drops.by_reason == {}


async def test_a_late_door_gets_its_retained_messages_once(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A door added after the shared set was acknowledged still gets its retained topics.

    It takes them from its own subscriptions only, so each counts once; its live messages
    come through the shared set, also once.
    """
    second = await add_door(hass, "door2")
    runtime = runtime_of(second)
    fire("datapoint/temperature", "hot", retain=True, device_id="door2")
    fire("datapoint/mode", "eco", retain=True, device_id="door2")
    await hass.async_block_till_done()
    assert runtime.drops.by_reason == {"invalid_json": 1}
    assert runtime.coordinator.data.datapoints["mode"].state == "eco"
    fire("datapoint/temperature", "cold", device_id="door2")
    await hass.async_block_till_done()
    assert runtime.drops.by_reason == {"invalid_json": 2}


async def test_a_door_joining_while_the_set_is_acknowledged_gets_its_values(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """The shared set is subscribed one topic at a time: the broker hands out the retained
    messages of the first topics before it acknowledges the last one. A door set up in
    between (many doors starting together) still shows its value instead of `unknown`."""
    assert not hass.data[DOOR_SUBSCRIPTIONS][PREFIX].acknowledged
    # The data point topic is taken: its retained messages come, door2 is not set up yet.
    fire("datapoint/mode", "eco", retain=True, device_id="door2")
    await hass.async_block_till_done()
    before = broker_subscriptions(hass)
    second = await add_door(hass, "door2", acknowledged=False)
    sent = broker_sends_retained(
        hass, topic("datapoint/mode", "door2"), "eco", broker_subscriptions(hass), since=before
    )
    await hass.async_block_till_done()
    assert sent == 1
    assert runtime_of(second).coordinator.data.datapoints["mode"].state == "eco"
    mode = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, "door2_datapoint_mode")
    assert mode is not None
    assert hass.states.get(mode).state == "eco"
    # Topics that brought no retained message yet still feed door2 through the shared set.
    assert len(door_topics(hass)) == SHARED_SUBSCRIPTIONS + 1
    fire("state", "locked", retain=True, device_id="door2")
    fire("datapoint/mode", "comfort", device_id="door2")
    await hass.async_block_till_done()
    assert runtime_of(second).coordinator.data.datapoints["mode"].state == "comfort"
    assert runtime_of(second).drops.by_reason == {}


async def test_doors_joining_before_any_retained_message_share_the_set(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Doors set up before the broker sent anything take everything from the shared set."""
    second = await add_door(hass, "door2", acknowledged=False)
    assert len(door_topics(hass)) == SHARED_SUBSCRIPTIONS
    fire("datapoint/mode", "eco", retain=True, device_id="door2")
    await hass.async_block_till_done()
    assert runtime_of(second).coordinator.data.datapoints["mode"].state == "eco"


async def test_last_door_of_a_prefix_unsubscribes(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """The shared set stays while any door of the prefix is loaded."""
    second = await add_door(hass, "door2")
    assert await hass.config_entries.async_unload(setup_door.entry_id)
    assert len(door_topics(hass)) == SHARED_SUBSCRIPTIONS + SHARED_SUBSCRIPTIONS  # door2's own
    fire("datapoint/mode", "eco", device_id="door2")
    await hass.async_block_till_done()
    assert runtime_of(second).coordinator.data.datapoints["mode"].state == "eco"
    assert await hass.config_entries.async_unload(second.entry_id)
    assert door_topics(hass) == []
    assert hass.data[DOOR_SUBSCRIPTIONS] == {}


@pytest.mark.parametrize("kind", ["nonsense/topic", "datapoint/undeclared", "a/b/c"])
async def test_topics_outside_the_contract_are_counted(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire, kind: str
) -> None:
    """Deeper topics the door should not send still reach its drop counters."""
    fire(kind, "1")
    await hass.async_block_till_done()
    assert sum(runtime_of(setup_door).drops.by_reason.values()) == 1
