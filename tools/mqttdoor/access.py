"""Contract 1.1 on the door side: contact, doorbell, access attempts, alarms, tags, relays.

A mixin of SimulatedDoor: it publishes through the door's `publish` and keeps what it
reported, so a reconnect re-publishes the retained topics (contact, alarms, relays).
"""

from collections.abc import Callable
import json
import logging
import random
from typing import Any, Final

from paho.mqtt.client import MQTTMessageInfo

_LOGGER = logging.getLogger(__name__)

ACCESS_CONTROL_FEATURES: Final = ("contact", "doorbell", "access", "alarms", "tag", "relays")
ALARM_KINDS: Final = ("tamper", "forced_open", "duress")
CREDENTIALS: Final = ("card", "fingerprint", "face", "pin", "qr")
DEFAULT_RELAYS: Final[tuple[dict[str, Any], ...]] = (
    {"key": "gate", "name": "Gate"},
    {"key": "light", "name": "Porch light"},
)


def access_control_topic(prefix: str, device_id: str, suffix: str) -> str:
    """`access/contact`, `alarm/<kind>`, `relay/<key>`, `relay_command`..."""
    return f"{prefix}/{device_id}/{suffix}"


class AccessControlMixin:
    """What a door with contract 1.1 access control publishes and answers."""

    publish: Callable[..., MQTTMessageInfo]
    # Doorbell presses and access attempts are events: with ids (contract 1.1) they are
    # resent until Home Assistant acknowledges them, like punches.
    _publish_event: Callable[[str, dict[str, Any]], None]
    _record: Callable[[Callable[[], object]], None]

    def _init_access_control(self, prefix: str, device_id: str, relays: tuple[str, ...]) -> None:
        self._ac_prefix = prefix
        self._ac_device_id = device_id
        self.contact_open: bool | None = None
        self.alarms: dict[str, bool] = {}
        self.relay_states: dict[str, bool] = dict.fromkeys(relays, False)
        self.received_relay_commands: list[dict[str, Any]] = []
        self.relays_answer = True  # False: a relay that never confirms

    def _ac_topic(self, suffix: str) -> str:
        return access_control_topic(self._ac_prefix, self._ac_device_id, suffix)

    @property
    def relay_command_topic(self) -> str:
        return self._ac_topic("relay_command")

    def publish_contact(self, is_open: bool) -> None:
        self.contact_open = is_open
        self.publish(self._ac_topic("access/contact"), "open" if is_open else "closed", True)

    def ring_doorbell(self, ts: str | None = None) -> None:
        self._publish_event(self._ac_topic("access/doorbell"), {"ts": ts} if ts else {})

    def publish_access(
        self,
        result: str,
        credential: str = "card",
        *,
        user_id: str | None = None,
        name: str | None = None,
        credential_id: str | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        attempt: dict[str, Any] = {"result": result, "credential": credential}
        optional = {"user_id": user_id, "name": name, "credential_id": credential_id}
        attempt |= {key: value for key, value in optional.items() if value is not None}
        if reason is not None:
            attempt["reason"] = reason
        self._publish_event(self._ac_topic("access/attempt"), attempt)
        return attempt

    def publish_alarm(self, kind: str, active: bool) -> None:
        self.alarms[kind] = active
        self.publish(self._ac_topic(f"alarm/{kind}"), "on" if active else "off", True)

    def scan_tag(self, tag_id: str) -> None:
        self.publish(self._ac_topic("access/tag"), json.dumps({"tag_id": tag_id}))

    def publish_relay(self, key: str, is_on: bool) -> None:
        self.relay_states[key] = is_on
        self.publish(self._ac_topic(f"relay/{key}"), "on" if is_on else "off", True)

    def _republish_access_control(self) -> None:
        """On every connect: the retained topics the broker may have lost."""
        if self.contact_open is not None:
            self.publish_contact(self.contact_open)
        for kind, active in self.alarms.items():
            self.publish_alarm(kind, active)
        for key, is_on in self.relay_states.items():
            self.publish_relay(key, is_on)

    def _handle_relay_command(self, text: str) -> None:
        try:
            command = json.loads(text)
        except ValueError:
            return
        if not isinstance(command, dict):
            return
        self._record(lambda: self.received_relay_commands.append(command))
        key, state = command.get("relay"), command.get("state")
        if key in self.relay_states and state in ("on", "off") and self.relays_answer:
            self.publish_relay(str(key), state == "on")
        else:
            _LOGGER.debug("Door %s ignores relay command %r", self._ac_device_id, text)

    def random_access_activity(self) -> None:
        """One made-up event for the CLI: a ring, an attempt, or the door opening/closing."""
        match random.choice(("ring", "granted", "denied", "contact")):
            case "ring":
                self.ring_doorbell()
            case "contact":
                self.publish_contact(not self.contact_open)
            case result:
                self.publish_access(
                    result,
                    random.choice(CREDENTIALS),
                    user_id="1" if result == "granted" else None,
                    credential_id=str(random.randint(10**9, 10**10 - 1)),
                )
