"""A simulated MQTT door that speaks the devicehub contract over paho-mqtt 2.x."""

from contextlib import suppress
import json
import logging
import socket
import time
from typing import TYPE_CHECKING, Any

from paho.mqtt.client import (
    Client,
    ConnectFlags,
    DisconnectFlags,
    MQTTMessage,
    MQTTMessageInfo,
)
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from .access import AccessControlMixin
from .activity import periodic_jobs
from .behaviour import DoorBehaviour
from .calls import CallHandler, config_report, ping
from .config import DoorConfig, DoorMode
from .contract import (
    DoorTopics,
    LockState,
)
from .events import DoorEvents
from .scheduler import ScheduledJob, Scheduler

if TYPE_CHECKING:
    from paho.mqtt.client import SocketLike  # a typing-only Protocol in paho

_LOGGER = logging.getLogger(__name__)

type Payload = str | bytes | bytearray | int | float | None


def encode_datapoint(value: object) -> Payload:
    """Numbers and strings go as text, bytes raw, anything else as JSON."""
    if isinstance(value, bytes | bytearray | str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value)


class SimulatedDoor(AccessControlMixin, DoorEvents, DoorBehaviour):
    """One door with its own paho client, last will and network thread.

    Thread model: paho's network thread runs the MQTT callbacks; a Scheduler thread (own, or
    shared by a DoorFleet) runs delayed state transitions and periodic publishing.
    """

    def __init__(self, config: DoorConfig, scheduler: Scheduler | None = None) -> None:
        super().__init__(config.initial_state)
        self.config = config
        self.topics = DoorTopics(config.prefix, config.device_id)
        self.mode = config.mode
        self.registered = True
        self.volume = 50  # what the `set_volume` call changes
        self.call_handlers: dict[str, CallHandler] = {
            "ping": ping,
            "get_config": lambda args: config_report(self.config, self.mode, self.volume),
            "set_volume": self._set_volume,
        }
        self._owns_scheduler = scheduler is None
        self._scheduler = scheduler or Scheduler(f"mqttdoor-{config.device_id}")
        self._periodic_jobs: list[ScheduledJob] = []
        self._transition: ScheduledJob | None = None
        self._datapoint_values: dict[str, object] = dict(config.datapoint_values)
        self._pending: list[MQTTMessageInfo] = []
        self._init_events()
        self._running = False
        self._init_access_control(
            config.prefix, config.device_id, tuple(relay["key"] for relay in config.relays)
        )
        self._client = self._make_client()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Connect, and return once the retained topics reached the broker."""
        self.begin_start()
        if not self.wait_started(timeout):
            self.stop(clean=False)
            where = f"{self.config.host}:{self.config.port}"
            msg = f"door {self.config.device_id} not connected to {where} within {timeout} s"
            raise TimeoutError(msg)

    def begin_start(self) -> None:
        """Start connecting without waiting (a fleet starts many doors at once)."""
        if self._running:
            return
        self._running = True
        if self._owns_scheduler:
            self._scheduler.start()
        self._client.connect_async(self.config.host, self.config.port, self.config.keepalive)
        self._client.loop_start()
        self._schedule_periodic_jobs()

    def wait_started(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        if not self.connected.wait(timeout):
            return False
        return self.flush(max(0.0, deadline - time.monotonic()))

    def stop(self, clean: bool = True, timeout: float = 5.0) -> None:
        """Leave the broker, joining paho's network thread.

        clean=True publishes `offline` and disconnects; clean=False vanishes without a
        DISCONNECT so the broker publishes the last will (`offline`, retained) itself.
        """
        if not self._running:
            return
        self._running = False
        for job in self._periodic_jobs:
            job.cancel()
        self._periodic_jobs.clear()
        self._cancel_transition()
        if self._owns_scheduler:
            self._scheduler.stop()
        if clean:
            self._disconnect_cleanly(timeout)
        else:
            self._drop_connection()
        self.connected.clear()

    def kill(self) -> None:
        """Die uncleanly: the broker fires the last will."""
        self.stop(clean=False)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every QoS>0 message published so far was acknowledged by the broker."""
        deadline = time.monotonic() + timeout
        with self._changed:
            pending, self._pending = self._pending, []
        for info in pending:
            with suppress(RuntimeError, ValueError):
                info.wait_for_publish(max(0.0, deadline - time.monotonic()))
            if not info.is_published():
                return False
        return True

    def _disconnect_cleanly(self, timeout: float) -> None:
        if self.connected.is_set():
            info = self._client.publish(self.topics.availability, "offline", qos=1, retain=True)
            with suppress(RuntimeError, ValueError):
                info.wait_for_publish(timeout)
        self._client.disconnect()
        self._client.loop_stop()

    def _drop_connection(self) -> None:
        # paho has no public "vanish" call. Ask its thread to end, wake its select() by shutting
        # the socket down (else loop_stop() waits out a 1 s select timeout), then close the
        # socket without ever sending DISCONNECT.
        self._client._thread_terminate = True
        sock = self._client.socket()
        if isinstance(sock, socket.socket):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._client.loop_stop()
        self._client._reset_sockets()

    def __enter__(self) -> SimulatedDoor:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- publishing ------------------------------------------------------------------------

    def publish(self, topic: str, payload: Payload, retain: bool = False) -> MQTTMessageInfo:
        """Publish anything on any topic (also used to send malformed payloads in tests)."""
        info = self._client.publish(topic, payload, qos=self.config.qos, retain=retain)
        if self.config.qos:
            with self._changed:
                self._pending.append(info)
        return info

    def publish_handshake(self, **changes: Any) -> None:
        """(Re-)register; keyword arguments override fields of the declared hand_shake."""
        self.registered = True
        self.config.extra_handshake.update(changes)
        self.publish(self.topics.hand_shake, json.dumps(self.config.hand_shake()), retain=True)

    def unregister(self) -> None:
        """Empty retained hand_shake: the contract's unregister."""
        self.registered = False
        self.publish(self.topics.hand_shake, b"", retain=True)

    def publish_state(self, state: LockState | str) -> None:
        with self._changed:
            if state in LockState:  # tests may publish off-contract states on purpose
                self.state = LockState(state)
            self.published_states.append(str(state))
            self._changed.notify_all()
        self.publish(self.topics.state, str(state), retain=True)

    def publish_heartbeat(self) -> None:
        # The contract has no heartbeat topic: refreshing retained `availability` is the beat.
        self.publish(self.topics.availability, "online", retain=True)

    def publish_datapoint(self, key: str, value: object) -> None:
        self._datapoint_values[key] = value
        self.publish(self.topics.datapoint(key), encode_datapoint(value), retain=True)

    def set_mode(self, mode: DoorMode | str) -> None:
        self.mode = DoorMode(mode)

    # -- MQTT callbacks (paho's network thread) --------------------------------------------

    def _make_client(self) -> Client:
        protocol = (
            MQTTProtocolVersion.MQTTv5 if self.config.mqtt_v5 else MQTTProtocolVersion.MQTTv311
        )
        client = Client(
            CallbackAPIVersion.VERSION2, client_id=self.config.mqtt_client_id, protocol=protocol
        )
        client.will_set(self.topics.availability, "offline", qos=1, retain=True)
        client.reconnect_delay_set(1, self.config.reconnect_max_delay)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_socket_open = self._on_socket_open
        return client

    def _on_socket_open(self, client: Client, userdata: object, sock: SocketLike) -> None:
        # A door sends tiny packets back to back (`unlocking`, `unlocked`): without this,
        # Nagle's algorithm holds the second until the first is ACKed (40 ms delayed ACKs).
        if isinstance(sock, socket.socket):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _on_connect(
        self,
        client: Client,
        userdata: object,
        flags: ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            _LOGGER.warning("Door %s refused: %s", self.config.device_id, reason_code)
            return
        qos = self.config.qos
        topics = self.topics
        client.subscribe(
            [
                (topics.command, qos),
                (topics.call, qos),
                (topics.hand_shake_ack, qos),
                (self.relay_command_topic, qos),
                (topics.ack, qos),
            ]
        )
        # The broker may have lost retained messages (restart without persistence): resend all.
        if self.registered:
            self.publish(topics.hand_shake, json.dumps(self.config.hand_shake()), retain=True)
        self.publish(topics.availability, "online", retain=True)
        self.publish(topics.state, str(self.state), retain=True)
        for key, value in self._datapoint_values.items():
            self.publish(topics.datapoint(key), encode_datapoint(value), retain=True)
        self._republish_access_control()
        self._record_connected(True)

    def _on_disconnect(
        self,
        client: Client,
        userdata: object,
        flags: DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._record_connected(False)

    def _on_message(self, client: Client, userdata: object, message: MQTTMessage) -> None:
        try:
            text = message.payload.decode()
        except UnicodeDecodeError:
            _LOGGER.debug(
                "Door %s: undecodable payload on %s", self.config.device_id, message.topic
            )
            return
        if message.topic == self.topics.command:
            self._handle_command(text)
        elif message.topic == self.topics.call:
            self._handle_call(text)
        elif message.topic == self.topics.hand_shake_ack:
            self._handle_ack(text)
        elif message.topic == self.relay_command_topic:
            self._handle_relay_command(text)
        elif message.topic == self.topics.ack:
            self._record(lambda: self.acknowledge_event(text))

    def _schedule_periodic_jobs(self) -> None:
        jobs = periodic_jobs(
            self.config,
            heartbeat=self.publish_heartbeat,
            stranger=self.publish_stranger,
            punch=self.publish_punch,
            datapoint=self.publish_datapoint,
            access=self.random_access_activity,
        )
        if self.config.event_ids:
            jobs.append((self.config.resend_after, self._resend_unacknowledged))
        for interval, job in jobs:
            self._periodic_jobs.append(self._scheduler.call_every(interval, job))
