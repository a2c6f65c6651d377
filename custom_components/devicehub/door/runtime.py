"""One door's live side: its messages, liveness, calls and registration.

A message's path: the prefix's shared subscription (subscriber.py) hands it to this door by
device id; async_message_received parses it and pushes the value into the door's
coordinator (coordinator.py); the entities, CoordinatorEntity all, show the new data.
"""

from datetime import datetime
import logging
import math
import time
from typing import Any

from homeassistant.components import mqtt
from homeassistant.components.mqtt.models import ReceiveMessage
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_PROTOCOL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..mqtt_door.access_control import (
    parse_access,
    parse_alarm,
    parse_contact,
    parse_relay,
    parse_ring,
    parse_tag,
    relay_command_payload,
)
from ..mqtt_door.errors import DropReason, PayloadError
from ..mqtt_door.handshake import (
    hand_shake_from_object,
    hand_shake_to_object,
    parse_hand_shake,
)
from ..mqtt_door.models import DoorCommand, DoorFeature, HandShake, Stranger
from ..mqtt_door.payloads import (
    ack_event_payload,
    ack_payload,
    command_payload,
    parse_attendance,
    parse_availability,
    parse_datapoint,
    parse_lock_state,
    parse_result,
    parse_stranger,
)
from ..mqtt_door.topics import (
    FROM_DEVICE,
    DoorTopic,
    TopicKind,
    build_topic,
    parse_topic,
)
from .calls import CallManager
from .const import (
    CONF_DEVICE_ID,
    CONF_HAND_SHAKE,
    CONF_PICTURE_HOSTS,
    CONF_PREFIX,
    CONF_REGISTERED,
    DOOR_MODEL_ID,
)
from .coordinator import DoorCoordinator
from .drops import DropLog
from .entity_keys import ACCESS_CONTROL_FEATURES, entity_keys
from .liveness import Liveness
from .once import OnceDelivery
from .pictures import PictureKeeper
from .registration import DoorRegistration
from .subscriber import async_follow_door
from .tags import DoorTags
from .url_policy import PictureHosts

_LOGGER = logging.getLogger(__name__)


type DoorConfigEntry = ConfigEntry[DoorRuntime]


def _mqtt_v5(hass: HomeAssistant) -> bool:
    """Whether Home Assistant's MQTT connection speaks MQTT 5 (message expiry needs it)."""
    return any(
        entry.data.get(CONF_PROTOCOL) == "5"
        for entry in hass.config_entries.async_loaded_entries(mqtt.DOMAIN)
    )


class DoorRuntime:
    """Everything one door's entities, actions and diagnostics read from."""

    def __init__(self, hass: HomeAssistant, entry: DoorConfigEntry) -> None:
        """Start from the declaration kept in the config entry."""
        self.hass = hass
        self.entry = entry
        self.prefix: str = entry.data[CONF_PREFIX]
        self.device_id: str = entry.data[CONF_DEVICE_ID]
        self.hand_shake: HandShake = hand_shake_from_object(entry.data[CONF_HAND_SHAKE])
        self.last_hand_shake_at: datetime | None = None
        self.drops = DropLog(self.device_id)
        self.coordinator = DoorCoordinator(hass, entry, self.device_id)
        self.liveness = Liveness(
            hass,
            self.device_id,
            heartbeat=self.hand_shake.heartbeat,
            registered=entry.data.get(CONF_REGISTERED, True),
            # Availability is shown by every entity of the door: all of them are written.
            on_change=self.coordinator.async_update_listeners,
        )
        self.pictures = PictureKeeper(
            hass,
            entry.entry_id,
            self.drops,
            self.coordinator.async_set_picture,
            PictureHosts.from_option(entry.options.get(CONF_PICTURE_HOSTS, "")),
        )
        self.calls = CallManager(hass, self._async_publish_call)
        self.registration = DoorRegistration(hass, entry, self.device_id)
        self.tags = DoorTags(hass, entry, self.device_id)
        self.once = OnceDelivery(hass, entry, self.device_id, self._async_acknowledge)
        self.delivered = self.once.ids
        self._unsubscribe: CALLBACK_TYPE | None = None

    @property
    def name(self) -> str:
        """The door's name as it declares it."""
        return self.hand_shake.name

    def topic(self, kind: TopicKind) -> str:
        """Return one of this door's topics."""
        return build_topic(self.prefix, self.device_id, kind)

    async def async_start(self) -> None:
        """Create the device, restore the picture, follow the door's topics."""
        self._async_update_device()
        self._async_remove_undeclared_entities()
        if (picture := await self.pictures.async_load()) is not None:
            self.coordinator.async_set_picture(picture)
        await self.once.async_start()
        if not self.liveness.registered:
            self.registration.async_raise_issue(self.name)
        self._unsubscribe = await async_follow_door(self.hass, self.prefix, self.device_id, self)
        self.liveness.start()
        if CONF_REGISTERED not in self.entry.data:
            # Just configured: tell the door and the bus, once.
            self._save(self.entry.data[CONF_HAND_SHAKE], registered=True)
            self.registration.async_fire_registered(self.name)
            self._create_task(self._async_ack(True), "acknowledge configuration")

    @callback
    def async_stop(self) -> None:
        """Unsubscribe and stop every timer and pending call."""
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        self.liveness.stop()
        self.calls.cancel_all()

    async def async_publish(
        self, kind: TopicKind, payload: str, *, expiry: int | None = None
    ) -> None:
        """Publish to the door; raise a translated error when MQTT is not connected.

        expiry (seconds) becomes the MQTT 5 message expiry when the connection is MQTT 5:
        the broker then drops the message rather than hand it over later.
        """
        placeholders = {"name": self.name}
        if not mqtt.is_connected(self.hass):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="mqtt_not_connected",
                translation_placeholders=placeholders,
            )
        try:
            await mqtt.async_publish(
                self.hass,
                self.topic(kind),
                payload,
                qos=1,
                retain=False,
                message_expiry_interval=expiry if _mqtt_v5(self.hass) else None,
            )
        except HomeAssistantError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="mqtt_not_connected",
                translation_placeholders=placeholders,
            ) from err

    async def async_send_command(self, command: DoorCommand, deadline: float) -> None:
        """Send lock/unlock/open, to be carried out within deadline seconds or never.

        A door declaring `expires` gets the deadline in the payload (contract 1.1) and drops
        the command after it, so a command held up (a hung broker) cannot act after Home
        Assistant reported it failed. The MQTT 5 expiry covers a door's queued session.
        """
        expires = (
            time.time() + deadline if DoorFeature.EXPIRES in self.hand_shake.features else None
        )
        await self.async_publish(
            TopicKind.COMMAND,
            command_payload(command.value, expires),
            expiry=max(1, math.ceil(deadline)),
        )

    async def _async_publish_call(self, payload: str) -> None:
        await self.async_publish(TopicKind.CALL, payload)

    async def _async_ack(self, accepted: bool) -> None:
        try:
            await self.async_publish(TopicKind.HAND_SHAKE_ACK, ack_payload(accepted))
        except HomeAssistantError:
            _LOGGER.debug("Door %s: could not acknowledge its hand_shake", self.device_id)

    @callback
    def async_message_received(self, msg: ReceiveMessage) -> None:
        """Route one message of this door; a bad one is counted and dropped, never raised."""
        parsed = parse_topic(self.prefix, msg.topic)
        if parsed is None:
            self.drops.record("unknown", DropReason.UNKNOWN_TOPIC, msg.topic[:200])
            return
        if parsed.kind not in FROM_DEVICE:
            return  # our own hand_shake/ack, echoed by the broker
        self.liveness.seen()
        # Subscribed with encoding=None, so this is bytes; text is capped before decoding.
        raw = msg.payload
        payload = raw.encode() if isinstance(raw, str) else bytes(raw)
        try:
            self._handle(parsed, payload, msg.retain)
        except PayloadError as err:
            self.drops.record(parsed.kind.value, err.reason, err.detail)

    def _handle(self, topic: DoorTopic, payload: bytes, retained: bool) -> None:
        match topic.kind:
            case TopicKind.HAND_SHAKE:
                self._handle_hand_shake(payload, retained)
            case TopicKind.AVAILABILITY:
                self.liveness.set_availability(parse_availability(payload))
            case TopicKind.STATE:
                self.coordinator.async_set_lock_state(parse_lock_state(payload))
            case TopicKind.STRANGER:
                stranger = parse_stranger(payload)
                self.once.deliver(stranger.delivery_id, lambda: self._announce_stranger(stranger))
            case TopicKind.STRANGER_IMAGE:
                self.pictures.async_set(payload, topic.kind.value)
            case TopicKind.ATTENDANCE:
                punch = parse_attendance(payload)
                self.once.deliver(
                    punch.delivery_id, lambda: self.coordinator.async_set_punch(punch)
                )
            case TopicKind.DATAPOINT:
                self._handle_datapoint(str(topic.key), payload)
            case TopicKind.RESULT:
                if not self.calls.resolve(parse_result(payload)):
                    raise PayloadError(DropReason.UNKNOWN_CALL)
            case _:
                self._handle_access_control(topic, payload)

    def _handle_access_control(self, topic: DoorTopic, payload: bytes) -> None:
        """Contract 1.1 topics; each only from a door that declares its feature."""
        feature = ACCESS_CONTROL_FEATURES[topic.kind]
        if feature not in self.hand_shake.features:
            raise PayloadError(DropReason.UNDECLARED, topic.kind.value)
        coordinator = self.coordinator
        match topic.kind:
            case TopicKind.ACCESS_CONTACT:
                coordinator.async_set_contact(parse_contact(payload))
            case TopicKind.ACCESS_DOORBELL:
                ring = parse_ring(payload)
                self.once.deliver(ring.delivery_id, lambda: coordinator.async_set_ring(ring))
            case TopicKind.ACCESS_ATTEMPT:
                attempt = parse_access(payload)
                self.once.deliver(
                    attempt.delivery_id, lambda: coordinator.async_set_access(attempt)
                )
            case TopicKind.ALARM:
                coordinator.async_set_alarm(parse_alarm(str(topic.key), payload))
            case TopicKind.ACCESS_TAG:
                self.tags.async_scanned(parse_tag(payload))
            case TopicKind.RELAY:
                key = str(topic.key)
                if key not in {relay.key for relay in self.hand_shake.relays}:
                    raise PayloadError(DropReason.UNDECLARED, f"relay {key}")
                coordinator.async_set_relay(parse_relay(key, payload))

    async def async_send_relay_command(self, key: str, turn_on: bool) -> None:
        """Switch one of the door's declared outputs."""
        await self.async_publish(TopicKind.RELAY_COMMAND, relay_command_payload(key, turn_on))

    def _announce_stranger(self, stranger: Stranger) -> None:
        self.coordinator.async_set_stranger(stranger)
        if stranger.picture_url:
            self.entry.async_create_background_task(
                self.hass,
                self.pictures.async_fetch(stranger.picture_url),
                f"{DOMAIN} door {self.device_id} stranger picture",
            )

    async def _async_acknowledge(self, delivery_id: str) -> None:
        await self.async_publish(TopicKind.ACK, ack_event_payload(delivery_id))

    def _handle_datapoint(self, key: str, payload: bytes) -> None:
        point = self.hand_shake.datapoint(key)
        if point is None:
            raise PayloadError(DropReason.UNDECLARED, key)
        self.coordinator.async_set_datapoint(key, parse_datapoint(point, payload))

    def _handle_hand_shake(self, payload: bytes, retained: bool) -> None:
        try:
            hand_shake = parse_hand_shake(payload)
        except PayloadError:
            self._create_task(self._async_ack(False), "refuse hand_shake")
            raise
        if hand_shake is None:
            if self.liveness.registered:
                self._async_unregister()
            return
        # A live hand_shake is a (re)registration; a retained one only replays what we know.
        announce = not retained or not self.liveness.registered
        previous = self.hand_shake
        self.hand_shake = hand_shake
        self.last_hand_shake_at = dt_util.utcnow()
        self._save(hand_shake_to_object(hand_shake), registered=True)
        self.liveness.set_heartbeat(hand_shake.heartbeat)
        self.liveness.set_registered(True)
        self._async_update_device()
        self.registration.async_clear_issue()
        if announce:
            self.registration.async_fire_registered(self.name)
            self._create_task(self._async_ack(True), "acknowledge hand_shake")
        if hand_shake.entity_signature != previous.entity_signature:
            # New or removed features, data points or alarms: rebuild the entities.
            self.hass.config_entries.async_schedule_reload(self.entry.entry_id)

    @callback
    def _async_unregister(self) -> None:
        self._save(self.entry.data[CONF_HAND_SHAKE], registered=False)
        self.liveness.set_registered(False)
        self.registration.async_fire_unregistered(self.name)
        self.registration.async_raise_issue(self.name)

    def _save(self, hand_shake: dict[str, Any], *, registered: bool) -> None:
        data = {**self.entry.data, CONF_HAND_SHAKE: hand_shake, CONF_REGISTERED: registered}
        if data != self.entry.data:
            self.hass.config_entries.async_update_entry(self.entry, data=data)

    def _create_task(self, coro: Any, what: str) -> None:
        self.entry.async_create_background_task(
            self.hass, coro, f"{DOMAIN} door {self.device_id} {what}"
        )

    @callback
    def _async_update_device(self) -> None:
        """Create or refresh the door's device from its declaration."""
        dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.entry.entry_id,
            identifiers={(DOMAIN, self.device_id)},
            name=self.hand_shake.name,
            manufacturer=self.hand_shake.manufacturer,
            model=self.hand_shake.model,
            model_id=DOOR_MODEL_ID,
            sw_version=self.hand_shake.sw_version,
            serial_number=self.device_id,
        )

    @callback
    def _async_remove_undeclared_entities(self) -> None:
        """Drop registry entries of entities the door no longer declares."""
        registry = er.async_get(self.hass)
        expected = {f"{self.device_id}_{key}" for key in entity_keys(self.hand_shake)}
        for entity in er.async_entries_for_config_entry(registry, self.entry.entry_id):
            if entity.unique_id not in expected:
                registry.async_remove(entity.entity_id)
