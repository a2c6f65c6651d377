"""Config flow steps for MQTT doors: discovery, manual add, reconfigure, options."""

from typing import Any

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo

from ..const import CONF_KIND, DeviceKind
from ..mqtt_door.errors import PayloadError
from ..mqtt_door.handshake import (
    hand_shake_from_object,
    hand_shake_to_object,
    parse_hand_shake,
)
from ..mqtt_door.models import DoorFeature, HandShake
from ..mqtt_door.payloads import ack_payload
from ..mqtt_door.topics import (
    DEFAULT_PREFIX,
    DISCOVERY_TOPIC,
    TopicKind,
    build_topic,
    is_valid_id,
    is_valid_prefix,
    parse_topic,
)
from ..schema import vol
from .const import (
    CONF_COMMAND_TIMEOUT,
    CONF_DEVICE_ID,
    CONF_FEATURES,
    CONF_HAND_SHAKE,
    CONF_LEFT_OPEN_DELAY,
    CONF_NAME,
    CONF_PICTURE_HOSTS,
    CONF_PREFIX,
    CONF_TAG_SCANS,
    CONF_UNLOCK_CODE,
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_LEFT_OPEN_DELAY,
    MAX_COMMAND_TIMEOUT,
    MAX_LEFT_OPEN_DELAY,
)
from .discovery_guard import (
    MAX_PENDING_DISCOVERIES,
    async_hold_refused,
    async_offer_next,
    count_refused,
)
from .url_policy import parse_picture_hosts

_UNLOCK_CODE = vol.Match(r"^(\d{4,16})?$")


def _entry_data(prefix: str, device_id: str, hand_shake: dict[str, Any]) -> dict[str, Any]:
    return {
        CONF_KIND: DeviceKind.MQTT_DOOR.value,
        CONF_PREFIX: prefix,
        CONF_DEVICE_ID: device_id,
        CONF_HAND_SHAKE: hand_shake,
    }


def _address_errors(user_input: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not is_valid_id(user_input[CONF_DEVICE_ID]):
        errors[CONF_DEVICE_ID] = "invalid_device_id"
    if not is_valid_prefix(user_input[CONF_PREFIX]):
        errors[CONF_PREFIX] = "invalid_prefix"
    return errors


class DoorConfigFlow(ConfigFlow):
    """Steps that add and reconfigure a door."""

    _discovered_door: tuple[str, HandShake] | None = None
    # True once this flow offers a discovered door (it counts against the cap).
    _offers_discovered_door = False

    async def async_step_mqtt(self, discovery_info: MqttServiceInfo) -> ConfigFlowResult:
        """Offer a door that published a retained hand_shake under the default prefix."""
        topic = parse_topic(DEFAULT_PREFIX, discovery_info.topic)
        if (
            discovery_info.subscribed_topic != DISCOVERY_TOPIC
            or topic is None
            or topic.kind is not TopicKind.HAND_SHAKE
        ):
            return self.async_abort(reason="invalid_discovery_info")
        await self.async_set_unique_id(topic.device_id)
        # A configured door's runtime follows its hand_shake updates itself.
        self._abort_if_unique_id_configured()
        if self._pending_discoveries() >= MAX_PENDING_DISCOVERIES:
            count_refused(self.hass, DEFAULT_PREFIX)
            async_hold_refused(self.hass, discovery_info)
            return self.async_abort(reason="too_many_discoveries")
        try:
            hand_shake = parse_hand_shake(discovery_info.payload)
        except PayloadError:
            await self._async_refuse(topic.device_id)
            return self.async_abort(reason="invalid_discovery_info")
        if hand_shake is None:  # an empty payload unregisters: nothing to add
            return self.async_abort(reason="invalid_discovery_info")
        self._discovered_door = (topic.device_id, hand_shake)
        self._offers_discovered_door = True
        self.context["title_placeholders"] = {"name": hand_shake.name}
        return await self.async_step_door_confirm()

    @callback
    def async_remove(self) -> None:
        """An offered door was added, ignored or dismissed: make room for a waiting one."""
        super().async_remove()
        if self._offers_discovered_door:
            # After the flow manager has finished removing this flow, not inside it.
            self.hass.loop.call_soon(async_offer_next, self.hass)

    def _pending_discoveries(self) -> int:
        """Other doors discovered under the default prefix that wait for the user."""
        return sum(
            1
            for flow in self.hass.config_entries.flow.async_progress_by_handler(
                self.handler, match_context={"source": self.source}
            )
            if flow["flow_id"] != self.flow_id
        )

    async def _async_refuse(self, device_id: str) -> None:
        try:
            await mqtt.async_publish(
                self.hass,
                build_topic(DEFAULT_PREFIX, device_id, TopicKind.HAND_SHAKE_ACK),
                ack_payload(False),
                qos=1,
                retain=False,
            )
        except HomeAssistantError:
            return

    async def async_step_door_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm a discovered door."""
        assert self._discovered_door is not None
        device_id, hand_shake = self._discovered_door
        if user_input is not None:
            return self.async_create_entry(
                title=hand_shake.name,
                data=_entry_data(DEFAULT_PREFIX, device_id, hand_shake_to_object(hand_shake)),
            )
        self._set_confirm_only()
        return self.async_show_form(
            step_id="door_confirm",
            description_placeholders={
                "name": hand_shake.name,
                "door_id": device_id,
                "model": hand_shake.model or "-",
            },
        )

    async def async_step_door(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add a door by hand (its hand_shake is not retained, or uses another prefix)."""
        if not await mqtt.async_wait_for_mqtt_client(self.hass):
            return self.async_abort(reason="mqtt_not_available")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _address_errors(user_input)
            if not errors:
                device_id = user_input[CONF_DEVICE_ID]
                await self.async_set_unique_id(device_id)
                self._abort_if_unique_id_configured()
                name = user_input.get(CONF_NAME) or device_id
                # Until its first hand_shake the door is what the user says it is.
                hand_shake = {CONF_NAME: name, CONF_FEATURES: sorted(user_input[CONF_FEATURES])}
                return self.async_create_entry(
                    title=name, data=_entry_data(user_input[CONF_PREFIX], device_id, hand_shake)
                )
        schema = vol.Schema(
            {
                vol.Required(CONF_DEVICE_ID): str,
                vol.Optional(CONF_NAME): str,
                vol.Required(CONF_PREFIX, default=DEFAULT_PREFIX): str,
                vol.Required(CONF_FEATURES, default=[DoorFeature.LOCK.value]): SelectSelector(
                    SelectSelectorConfig(
                        options=[feature.value for feature in DoorFeature],
                        multiple=True,
                        translation_key="door_features",
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="door",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_reconfigure_door(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the topic prefix of a door (its id must stay the same)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _address_errors(user_input)
            if not errors:
                await self.async_set_unique_id(user_input[CONF_DEVICE_ID])
                self._abort_if_unique_id_mismatch(reason="wrong_door")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_PREFIX: user_input[CONF_PREFIX]}
                )
        schema = vol.Schema({vol.Required(CONF_DEVICE_ID): str, vol.Required(CONF_PREFIX): str})
        return self.async_show_form(
            step_id="reconfigure_door",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or entry.data),
            errors=errors,
        )


class DoorOptionsFlow(OptionsFlowWithReload):
    """Options of a door: unlock code and how long to wait for the door to confirm."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Go to the door's own options step (terminals have their own `init`)."""
        return await self.async_step_door_options(user_input)

    async def async_step_door_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the unlock code and the command timeout."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                _UNLOCK_CODE(user_input.get(CONF_UNLOCK_CODE, ""))
            except vol.Invalid:
                errors[CONF_UNLOCK_CODE] = "invalid_unlock_code"
            try:
                picture_hosts = parse_picture_hosts(user_input.get(CONF_PICTURE_HOSTS, ""))
            except ValueError:
                errors[CONF_PICTURE_HOSTS] = "invalid_picture_hosts"
            if not errors:
                data: dict[str, Any] = {
                    CONF_UNLOCK_CODE: user_input.get(CONF_UNLOCK_CODE, ""),
                    CONF_COMMAND_TIMEOUT: int(user_input[CONF_COMMAND_TIMEOUT]),
                }
                if picture_hosts:
                    data[CONF_PICTURE_HOSTS] = ", ".join(picture_hosts)
                data |= self._access_control_options(user_input)
                return self.async_create_entry(data=data)
        schema = vol.Schema(
            {
                vol.Optional(CONF_UNLOCK_CODE): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.PASSWORD)
                ),
                vol.Required(CONF_COMMAND_TIMEOUT, default=DEFAULT_COMMAND_TIMEOUT): NumberSelector(
                    NumberSelectorConfig(
                        min=1,
                        max=MAX_COMMAND_TIMEOUT,
                        step=1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                ),
                vol.Optional(CONF_PICTURE_HOSTS): TextSelector(),
                **self._access_control_schema(),
            }
        )
        return self.async_show_form(
            step_id="door_options",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )

    # Contract 1.1 options: shown only to a door that declares the feature they tune.

    def _declared(self) -> frozenset[DoorFeature]:
        return hand_shake_from_object(self.config_entry.data[CONF_HAND_SHAKE]).features

    def _access_control_schema(self) -> dict[Any, Any]:
        fields: dict[Any, Any] = {}
        features = self._declared()
        if DoorFeature.CONTACT in features:
            fields[vol.Required(CONF_LEFT_OPEN_DELAY, default=DEFAULT_LEFT_OPEN_DELAY)] = (
                NumberSelector(
                    NumberSelectorConfig(
                        min=1,
                        max=MAX_LEFT_OPEN_DELAY,
                        step=1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                )
            )
        if DoorFeature.TAG in features:
            fields[vol.Required(CONF_TAG_SCANS, default=False)] = BooleanSelector()
        return fields

    def _access_control_options(self, user_input: dict[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if CONF_LEFT_OPEN_DELAY in user_input:
            options[CONF_LEFT_OPEN_DELAY] = int(user_input[CONF_LEFT_OPEN_DELAY])
        if CONF_TAG_SCANS in user_input:
            options[CONF_TAG_SCANS] = bool(user_input[CONF_TAG_SCANS])
        return options
