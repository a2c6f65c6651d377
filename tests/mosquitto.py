"""A real Mosquitto broker (Debian's package) for tests, a plain paho client to probe it, and
Home Assistant's MQTT integration connected to it (also used by the benchmarks).

Import the fixtures in a conftest.py:

    from tests.mosquitto import mosquitto, mosquitto_broker, mosquitto_executable, mqtt_probe

Tests that use them connect to 127.0.0.1, which the Home Assistant test plugin only allows to
tests taking `socket_enabled`; the broker fixture takes it for them.
"""

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
import itertools
import os
from pathlib import Path
import threading
from typing import Any

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant, callback
from paho.mqtt.client import Client, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion
import pytest
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)

from tools.mqttdoor.broker import MosquittoBroker, find_mosquitto

__all__ = [
    "MosquittoBroker",
    "MqttProbe",
    "ReceivedMessage",
    "async_setup_mqtt_entry",
    "mosquitto",
    "mosquitto_broker",
    "mosquitto_executable",
    "mqtt_probe",
]


def require_mosquitto() -> str:
    """The broker binary; missing: fail when CI=true (CI installs it), skip otherwise."""
    executable = find_mosquitto()
    if executable is None:
        msg = "mosquitto is not installed (apt-get install mosquitto; scripts/setup does it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return executable


@pytest.fixture(scope="session")
def mosquitto_executable() -> str:
    return require_mosquitto()


@pytest.fixture
def mosquitto_broker(
    socket_enabled: None, mosquitto_executable: str, tmp_path: Path
) -> Iterator[MosquittoBroker]:
    """A fresh broker per test (no retained leftovers); the test may stop and restart it."""
    broker = MosquittoBroker(mosquitto_executable, tmp_path)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def mosquitto(mosquitto_broker: MosquittoBroker) -> tuple[str, int]:
    """(host, port) of a running broker."""
    return mosquitto_broker.address


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    topic: str
    payload: bytes
    retain: bool

    @property
    def text(self) -> str:
        return self.payload.decode()


_probe_numbers = itertools.count(1)


class MqttProbe:
    """A plain paho client that records what it receives; waits are bounded by timeouts."""

    def __init__(self, host: str, port: int) -> None:
        self.messages: list[ReceivedMessage] = []
        self._changed = threading.Condition()
        # Unique ids: a broker drops the older of two clients that share one.
        client_id = f"devicehub-test-probe-{next(_probe_numbers)}"
        self._client = Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self._client.on_message = self._on_message
        self._client.connect(host, port)
        self._client.loop_start()

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def subscribe(self, topic: str, timeout: float = 5.0) -> None:
        """Subscribe and wait for the SUBACK: retained messages follow it in order."""
        acknowledged = threading.Event()
        self._client.on_subscribe = lambda *_: acknowledged.set()
        self._client.subscribe(topic, qos=1)
        if not acknowledged.wait(timeout):
            msg = f"no SUBACK for {topic}"
            raise TimeoutError(msg)

    def publish(self, topic: str, payload: str | bytes, retain: bool = False) -> None:
        self._client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5.0)

    def _on_message(self, client: Client, userdata: Any, message: MQTTMessage) -> None:
        with self._changed:
            self.messages.append(ReceivedMessage(message.topic, message.payload, message.retain))
            self._changed.notify_all()

    def on(self, topic: str) -> list[ReceivedMessage]:
        with self._changed:
            return [message for message in self.messages if message.topic == topic]

    def wait_for(
        self,
        topic: str,
        match: Callable[[ReceivedMessage], bool] = lambda _: True,
        timeout: float = 5.0,
    ) -> ReceivedMessage:
        """The first message on `topic` that `match`es, waiting for it if needed."""

        def found() -> ReceivedMessage | None:
            return next((m for m in self.messages if m.topic == topic and match(m)), None)

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout):
                seen = [(m.topic, m.payload[:60]) for m in self.messages[-10:]]
                msg = f"no matching message on {topic} within {timeout} s; last seen: {seen}"
                raise TimeoutError(msg)
            message = found()
            assert message is not None
            return message

    def wait_for_text(self, topic: str, text: str, timeout: float = 5.0) -> ReceivedMessage:
        return self.wait_for(topic, lambda message: message.payload == text.encode(), timeout)


@pytest.fixture
def mqtt_probe(mosquitto: tuple[str, int]) -> Iterator[MqttProbe]:
    """A connected probe client, disconnected (thread joined) at teardown."""
    probe = MqttProbe(*mosquitto)
    yield probe
    probe.close()


async def async_setup_mqtt_entry(
    hass: HomeAssistant,
    host: str,
    port: int,
    timeout: float = 10.0,  # noqa: ASYNC109 - a bound on waiting, applied with asyncio.timeout
) -> MockConfigEntry:
    """Home Assistant's MQTT integration (MQTT 5) set up for the broker; returns once connected."""
    entry = MockConfigEntry(
        domain=mqtt.DOMAIN, data={"broker": host, "port": port, "protocol": "5"}
    )
    entry.add_to_hass(hass)
    connected = hass.loop.create_future()

    @callback
    def connection_changed(is_connected: bool) -> None:
        if is_connected and not connected.done():
            connected.set_result(None)

    unsubscribe = mqtt.async_subscribe_connection_status(hass, connection_changed)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        async with asyncio.timeout(timeout):
            await connected
    finally:
        unsubscribe()
    return entry
