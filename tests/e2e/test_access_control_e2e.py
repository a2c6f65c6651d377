"""Contract 1.1 end to end: a simulated door on a real Mosquitto, Home Assistant's real MQTT.

contact + left open, doorbell, access attempts (masked card), alarms, a card scan as a tag,
a relay switched and confirmed by the door.
"""

import asyncio
from typing import Any

from homeassistant.components.tag import DOMAIN as TAG_DOMAIN, EVENT_TAG_SCANNED
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest

from custom_components.devicehub.const import DOMAIN
from tests.states import TIMEOUT, BusEvents, async_wait_for_state, async_wait_for_state_value
from tools.mqttdoor.access import ACCESS_CONTROL_FEATURES, DEFAULT_RELAYS
from tools.mqttdoor.contract import FEATURES

from .conftest import DOOR_ID, DoorFactory, async_discover_and_configure, entity_id

pytestmark = [
    pytest.mark.usefixtures("socket_enabled", "mqtt_entry"),
]

ACCESS_DOOR: dict[str, Any] = {
    "features": FEATURES + ACCESS_CONTROL_FEATURES,
    "relays": DEFAULT_RELAYS,
    "event_ids": True,  # rings and attempts resent until acknowledged (contract 1.1)
}
CARD = "0004649712"


async def test_access_control_end_to_end(hass: HomeAssistant, door_factory: DoorFactory) -> None:
    """Every 1.1 addition, from the door's publish to Home Assistant's entities and back."""
    assert await async_setup_component(hass, TAG_DOMAIN, {})
    door, entry = await async_discover_and_configure(hass, door_factory, **ACCESS_DOOR)
    # Opt in to tags, and a one second "left open" delay (the options flow reloads the entry).
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"command_timeout": 5, "left_open_delay": 1, "tag_scans": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    contact = entity_id(hass, Platform.BINARY_SENSOR, "contact")
    left_open = entity_id(hass, Platform.BINARY_SENSOR, "left_open")
    await hass.async_add_executor_job(door.publish_contact, True)
    await async_wait_for_state_value(hass, contact, "on")
    await async_wait_for_state_value(hass, left_open, "on")  # after the one second
    await hass.async_add_executor_job(door.publish_contact, False)
    await async_wait_for_state_value(hass, left_open, "off")
    assert hass.states.get(contact).state == "off"

    doorbell = entity_id(hass, Platform.EVENT, "doorbell")
    await hass.async_add_executor_job(door.ring_doorbell, "2026-12-03T09:00:00+00:00")
    rung = await async_wait_for_state(
        hass, doorbell, lambda s: s.attributes.get("event_type") == "ring"
    )
    assert rung.attributes["device_class"] == "doorbell"
    assert rung.attributes["timestamp"] == "2026-12-03T09:00:00+00:00"
    assert await hass.async_add_executor_job(door.wait_for, lambda: not door.outbox.pending)
    assert len(door.outbox.acknowledged) == 1

    access = entity_id(hass, Platform.EVENT, "access")
    await hass.async_add_executor_job(
        lambda: door.publish_access("denied", "card", credential_id=CARD, reason="unknown")
    )
    denied = await async_wait_for_state(
        hass, access, lambda s: s.attributes.get("event_type") == "denied"
    )
    assert (denied.attributes["credential"], denied.attributes["credential_id"]) == (
        "card",
        "****9712",
    )
    assert await hass.async_add_executor_job(door.wait_for, lambda: not door.outbox.pending)
    assert len(door.outbox.acknowledged) == 2

    tamper = entity_id(hass, Platform.BINARY_SENSOR, "alarm_kind_tamper")
    await hass.async_add_executor_job(door.publish_alarm, "tamper", True)
    await async_wait_for_state_value(hass, tamper, "on")
    await hass.async_add_executor_job(door.publish_alarm, "tamper", False)
    await async_wait_for_state_value(hass, tamper, "off")

    # A @callback listener: `future.set_result` given to the bus ran in an executor thread
    # and, when the test already waited, never woke it (the test hung past every timeout).
    scans = BusEvents(hass, EVENT_TAG_SCANNED)
    await hass.async_add_executor_job(door.scan_tag, CARD)
    [event] = await scans.wait(1)
    scans.stop()
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR_ID), entry.entry_id)
    assert device is not None
    assert (event.data["tag_id"], event.data["device_id"]) == (CARD, device.id)

    gate = entity_id(hass, Platform.SWITCH, "relay_gate")
    await async_wait_for_state_value(hass, gate, "off")  # retained on connect
    async with asyncio.timeout(TIMEOUT):
        await hass.services.async_call("switch", "turn_on", {"entity_id": gate}, blocking=True)
    assert hass.states.get(gate).state == "on"
    assert door.received_relay_commands == [{"relay": "gate", "state": "on"}]
    assert door.relay_states["gate"] is True
    # `expires`: the unlock goes with a deadline the door checks, and it is in time.
    lock = entity_id(hass, Platform.LOCK, "lock")
    async with asyncio.timeout(TIMEOUT):
        await hass.services.async_call("lock", "unlock", {"entity_id": lock}, blocking=True)
    assert hass.states.get(lock).state == "unlocked"
    assert (door.received_commands, door.expired_commands) == (["unlock"], [])
    # The tag integration keeps the scanned id (the user opted in); devicehub's states never.
    ours = [state for state in hass.states.async_all() if not state.entity_id.startswith("tag.")]
    assert CARD not in str([state.as_dict() for state in ours])
