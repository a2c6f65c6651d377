"""Sensors of a push terminal: who punched last, and how many users it holds."""

from typing import override

from homeassistant.components.sensor import RestoreSensor, SensorEntity, SensorStateClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..punch import ATTR_TIMESTAMP, ATTR_USER_ID, ATTR_VERIFY, Punch
from .entity import PushOnlineEntity
from .runtime import PushConfigEntry, PushRuntime

ATTR_PUNCH = "punch"


async def async_setup_sensor(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of a push terminal."""
    runtime = entry.runtime_data
    async_add_entities([PushLastPunchSensor(runtime), PushUserCountSensor(runtime)])


class PushUserCountSensor(PushOnlineEntity, SensorEntity):
    """How many users the terminal holds, as it last reported (polls, INFO, user table)."""

    _attr_translation_key = "users"
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, runtime: PushRuntime) -> None:
        """The user count of one push terminal."""
        super().__init__(runtime, "users")

    @property
    @override
    def native_value(self) -> StateType:
        """The last reported count; unknown until the terminal reports one."""
        return self._runtime.user_count


class PushLastPunchSensor(PushOnlineEntity, RestoreSensor):
    """Who punched last: the user's name, or the user id when the name is unknown."""

    _attr_translation_key = "last_punch"

    def __init__(self, runtime: PushRuntime) -> None:
        """The last-punch sensor of one push terminal."""
        super().__init__(runtime, "last_punch")

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last punch, then follow new ones."""
        if (restored := await self.async_get_last_sensor_data()) is not None:
            self._attr_native_value = restored.native_value
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.punches.async_add_listener(self._async_punched))

    @callback
    def _async_punched(self, punch: Punch) -> None:
        self._attr_native_value = punch.user_name or punch.user_id
        self._attr_extra_state_attributes = {
            ATTR_USER_ID: punch.user_id,
            ATTR_PUNCH: punch.punch_type,
            ATTR_VERIFY: punch.verify,
            ATTR_TIMESTAMP: punch.timestamp.isoformat(),
        }
        self.async_write_ha_state()
