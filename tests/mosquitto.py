"""A real Mosquitto broker (Debian's package) for tests, and a plain paho client to probe it.

Import the fixtures in a conftest.py:

    from tests.mosquitto import mosquitto, mosquitto_broker, mosquitto_executable, mqtt_probe

Tests that use them connect to 127.0.0.1, which the Home Assistant test plugin only allows to
tests taking `socket_enabled`; the broker fixture takes it for them.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
import itertools
import os
from pathlib import Path
import shutil
import socket
import subprocess
import threading
import time
from typing import IO, Any

from paho.mqtt.client import Client, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion
import pytest

HOST = "127.0.0.1"
# Debian installs the broker in /usr/sbin, which is not on every user's PATH.
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
# The smallest MQTT 3.1.1 CONNECT (clean session, empty client id) and the CONNACK it earns.
_PROBE_CONNECT = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"
_CONNACK_ACCEPTED = b"\x20\x02\x00\x00"
_DISCONNECT = b"\xe0\x00"


def find_mosquitto() -> str | None:
    return shutil.which("mosquitto", path=_SEARCH_PATH)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def broker_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when an MQTT broker (not just any listener) accepts a CONNECT on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(_PROBE_CONNECT)
            answer = connection.recv(4)
            connection.sendall(_DISCONNECT)
    except OSError:
        return False
    return answer == _CONNACK_ACCEPTED


class MosquittoBroker:
    """One mosquitto process on 127.0.0.1; stop() and start() again keep the same port."""

    host = HOST

    def __init__(
        self,
        executable: str,
        workdir: Path,
        port: int | None = None,
        extra_config: tuple[str, ...] = (),
    ) -> None:
        self.executable = executable
        self.port = port or free_port()
        self._workdir = workdir
        self._extra_config = extra_config
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def log_path(self) -> Path:
        return self._workdir / f"mosquitto-{self.port}.log"

    def start(self, timeout: float = 10.0) -> None:
        """Start the broker and return once it answers an MQTT CONNECT."""
        if self.running:
            return
        config = self._workdir / f"mosquitto-{self.port}.conf"
        config.write_text(
            "\n".join(
                [
                    f"listener {self.port} {self.host}",
                    "allow_anonymous true",
                    "persistence false",  # a restart loses retained messages, like a real crash
                    *self._extra_config,
                    "",
                ]
            )
        )
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [self.executable, "-c", str(config)], stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_until_answering(timeout)

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not broker_answers(self.host, self.port):
            if not self.running:
                self.stop()
                msg = f"mosquitto exited at start:\n{self.log_path.read_text(errors='replace')}"
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                self.stop()
                msg = f"mosquitto not answering on {self.host}:{self.port} after {timeout} s"
                raise TimeoutError(msg)
            time.sleep(0.01)  # poll interval between connection attempts

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the broker; every client sees its connection drop."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self, timeout: float = 10.0) -> None:
        self.stop()
        self.start(timeout)


@pytest.fixture(scope="session")
def mosquitto_executable() -> str:
    """The broker binary; missing: fail when CI=true (CI installs it), skip otherwise."""
    executable = find_mosquitto()
    if executable is None:
        msg = "mosquitto is not installed (apt-get install mosquitto; scripts/setup does it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return executable


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
