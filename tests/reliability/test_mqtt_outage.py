"""MQTT outages with a real Mosquitto: commands fail clearly, nothing arrives late, state returns.

tests/e2e covers a clean broker restart (both sides reconnect, the door re-publishes). Here:
a broker that crashes (no last wills), a broker that hangs (Home Assistant cannot tell yet),
and Home Assistant restarting while the door keeps quiet (retained topics bring it all back).
"""

from collections.abc import Iterator
import signal
from unittest.mock import patch

from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from tests.e2e.conftest import (
    DOOR_ID,
    DoorFactory,
    MqttConnection,
    async_discover_and_configure,
    async_lock_action,
    async_set_command_timeout,
    async_start_locked_door,
    door_factory,
    entity_id,
    mqtt_entry,
)
from tests.mosquitto import MosquittoBroker, mosquitto, mosquitto_broker, mosquitto_executable
from tests.states import TIMEOUT, async_wait_for_state, async_wait_for_state_value

__all__ = [
    "door_factory",
    "mosquitto",
    "mosquitto_broker",
    "mosquitto_executable",
    "mqtt_entry",
]


# Every test here runs with Home Assistant's MQTT integration connected to a real broker.
pytestmark = pytest.mark.usefixtures("socket_enabled", "mqtt_entry")


@pytest.fixture(autouse=True)
def quick_reconnect() -> Iterator[None]:
    """Home Assistant retries the broker every 10 s; a shorter interval keeps tests short."""
    with patch("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.2):
        yield


def signal_broker(broker: MosquittoBroker, sig: signal.Signals) -> None:
    assert broker._process is not None
    broker._process.send_signal(sig)
    if sig is signal.SIGKILL:
        broker._process.wait()
        broker.stop()  # forget the dead process, keep the port


async def test_broker_crash(
    hass: HomeAssistant,
    door_factory: DoorFactory,
    mosquitto_broker: MosquittoBroker,
) -> None:
    """The broker dies (no last wills): an unlock fails clearly and is never delivered later."""
    door, _, lock = await async_start_locked_door(hass, door_factory)
    connection = MqttConnection(hass)
    try:
        await hass.async_add_executor_job(signal_broker, mosquitto_broker, signal.SIGKILL)
        await connection.async_wait(connected=False)
        # The door said nothing (it could not): the lock shows what it last knew.
        assert hass.states.get(lock).state == "locked"
        with pytest.raises(HomeAssistantError) as refused:
            await async_lock_action(hass, "unlock", lock)
        assert refused.value.translation_key == "mqtt_not_connected"

        await hass.async_add_executor_job(mosquitto_broker.start)
        await connection.async_wait(connected=True)
        assert await hass.async_add_executor_job(door.wait_for_connect_count, 2, TIMEOUT)
        # Home Assistant subscribes again in batches: a fresh value shows it hears the door.
        await hass.async_add_executor_job(door.publish_datapoint, "temperature", 19.5)
        temperature = entity_id(hass, Platform.SENSOR, "datapoint_temperature")
        await async_wait_for_state_value(hass, temperature, "19.5")
        assert hass.states.get(lock).state == "locked"
    finally:
        connection.close()
    assert door.received_commands == []  # nothing queued during the outage arrived late
    await async_lock_action(hass, "unlock", lock)
    assert hass.states.get(lock).state == "unlocked"
    assert door.received_commands == ["unlock"]


async def test_hung_broker_delivers_no_late_unlock(
    hass: HomeAssistant,
    door_factory: DoorFactory,
    mosquitto_broker: MosquittoBroker,
) -> None:
    """The broker hangs: the unlock is not confirmed in time; it must not open the door later.

    The door declares `expires` (contract 1.1): the unlock reaches it past its deadline and is
    dropped.
    """
    door, entry = await async_discover_and_configure(hass, door_factory)
    await async_set_command_timeout(hass, entry, 1)
    lock = entity_id(hass, Platform.LOCK, "lock")
    await async_wait_for_state_value(hass, lock, "locked")

    await hass.async_add_executor_job(signal_broker, mosquitto_broker, signal.SIGSTOP)
    try:
        # Home Assistant waits up to 10 s for the broker's PUBACK, then carries on.
        with (
            patch("homeassistant.components.mqtt.client.TIMEOUT_ACK", 0.5),
            pytest.raises(HomeAssistantError) as refused,
        ):
            await async_lock_action(hass, "unlock", lock)
        assert refused.value.translation_key == "command_not_confirmed"
    finally:
        await hass.async_add_executor_job(signal_broker, mosquitto_broker, signal.SIGCONT)
    # The broker catches up; the door must not open now that nobody expects it to.
    await hass.services.async_call("lock", "lock", {"entity_id": lock}, blocking=True)
    assert door.received_commands == ["lock"]
    assert door.expired_commands == ["unlock"]


async def test_retained_state_after_home_assistant_restart(
    hass: HomeAssistant,
    door_factory: DoorFactory,
) -> None:
    """Home Assistant restarts, the door keeps quiet: its retained topics restore everything."""
    door, entry, lock = await async_start_locked_door(hass, door_factory)
    temperature = entity_id(hass, Platform.SENSOR, "datapoint_temperature")
    await async_lock_action(hass, "unlock", lock)
    await hass.async_add_executor_job(door.publish_datapoint, "temperature", 23.5)
    await async_wait_for_state_value(hass, temperature, "23.5")
    published = len(door.published_states)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(lock).state == STATE_UNAVAILABLE
    assert await hass.config_entries.async_setup(entry.entry_id)
    await async_wait_for_state_value(hass, lock, "unlocked")
    await async_wait_for_state(hass, temperature, lambda state: state.state == "23.5")
    assert len(door.published_states) == published  # from the broker, not the door
    assert door.connect_count == 1
    assert DOOR_ID in door.topics.state
