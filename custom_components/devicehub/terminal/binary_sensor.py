"""Presence from punches: a linked person is on site from check-in to check-out.

Opt-in per linked person (the terminal's people options). Every sensor turns off at the
terminal's end-of-day reset time, in case a check-out was never punched.
"""

from datetime import datetime, timedelta
from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import ATTR_FRIENDLY_NAME, STATE_ON, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util import dt as dt_util

from ..punch import (
    ATTR_PERSON,
    ATTR_USER_ID,
    PUNCH_BREAK_IN,
    PUNCH_BREAK_OUT,
    PUNCH_CHECK_IN,
    PUNCH_CHECK_OUT,
    PUNCH_OVERTIME_IN,
    PUNCH_OVERTIME_OUT,
    Punch,
)
from .entity import TerminalPunchEntity
from .runtime import TerminalConfigEntry, TerminalRuntime
from .settings import PersonLink

ATTR_LAST_PUNCH = "last_punch"
PRESENCE_KEY_PREFIX = "presence_"
# Punches that say someone came in, and those that say they left.
ARRIVALS = frozenset({PUNCH_CHECK_IN, PUNCH_BREAK_IN, PUNCH_OVERTIME_IN})
DEPARTURES = frozenset({PUNCH_CHECK_OUT, PUNCH_BREAK_OUT, PUNCH_OVERTIME_OUT})


async def async_setup_binary_sensor(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a presence sensor per linked person who wants one; drop those no longer wanted."""
    runtime = entry.runtime_data
    links = [link for link in runtime.settings.people.values() if link.presence]
    wanted = {f"{runtime.serial_number}_{PRESENCE_KEY_PREFIX}{link.user_id}" for link in links}
    registry = er.async_get(hass)
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            registered.domain == Platform.BINARY_SENSOR
            and registered.unique_id.startswith(f"{runtime.serial_number}_{PRESENCE_KEY_PREFIX}")
            and registered.unique_id not in wanted
        ):
            registry.async_remove(registered.entity_id)
    async_add_entities(
        PersonPresenceSensor(runtime, link, _person_name(hass, link.person)) for link in links
    )


def _person_name(hass: HomeAssistant, person: str) -> str:
    """The person's name as Home Assistant shows it, else their entity id's object id."""
    if (state := hass.states.get(person)) is not None and state.attributes.get(ATTR_FRIENDLY_NAME):
        return str(state.attributes[ATTR_FRIENDLY_NAME])
    return person.split(".", 1)[-1].replace("_", " ").title()


class PersonPresenceSensor(TerminalPunchEntity, BinarySensorEntity, RestoreEntity):
    """On after the person's check-in, off after their check-out or the daily reset."""

    _attr_device_class = BinarySensorDeviceClass.PRESENCE
    _attr_translation_key = "presence"

    def __init__(self, runtime: TerminalRuntime, link: PersonLink, person_name: str) -> None:
        """The presence of one linked person at this terminal's site."""
        super().__init__(runtime, f"{PRESENCE_KEY_PREFIX}{link.user_id}")
        self._link = link
        self._last_punch: datetime | None = None
        self._attr_is_on = False
        self._attr_translation_placeholders = {"person": person_name}

    @property
    @override
    def available(self) -> bool:
        """Always: what the punches said stays true while the terminal is unreachable."""
        return True

    @property
    @override
    def extra_state_attributes(self) -> dict[str, str | None]:
        """Who this is, and when they last punched (kept across restarts)."""
        return {
            ATTR_PERSON: self._link.person,
            ATTR_USER_ID: self._link.user_id,
            ATTR_LAST_PUNCH: self._last_punch.isoformat() if self._last_punch else None,
        }

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the presence (unless a reset passed meanwhile), then follow punches."""
        if (last := await self.async_get_last_state()) is not None:
            stamp = last.attributes.get(ATTR_LAST_PUNCH)
            self._last_punch = dt_util.parse_datetime(stamp) if isinstance(stamp, str) else None
            since_reset = self._last_punch is not None and self._last_punch >= self._last_reset()
            self._attr_is_on = last.state == STATE_ON and since_reset
        await super().async_added_to_hass()
        reset = self._runtime.settings.presence_reset
        self.async_on_remove(
            async_track_time_change(
                self.hass,
                self._async_reset,
                hour=reset.hour,
                minute=reset.minute,
                second=reset.second,
            )
        )

    def _last_reset(self) -> datetime:
        """The latest end-of-day reset at or before now, in Home Assistant's time zone."""
        now = dt_util.now()
        reset = now.replace(
            hour=self._runtime.settings.presence_reset.hour,
            minute=self._runtime.settings.presence_reset.minute,
            second=self._runtime.settings.presence_reset.second,
            microsecond=0,
        )
        return reset if reset <= now else reset - timedelta(days=1)

    @callback
    def _async_reset(self, _now: datetime) -> None:
        if self._attr_is_on:
            self._attr_is_on = False
            self.async_write_ha_state()

    @callback
    @override
    def _async_punched(self, punch: Punch) -> None:
        if punch.user_id != self._link.user_id:
            return
        # A punch read back late from the log may be older than what is shown already,
        # or from before the last reset: it says nothing about now.
        if punch.timestamp < self._last_reset() or (
            self._last_punch is not None and punch.timestamp < self._last_punch
        ):
            return
        if punch.punch_type in ARRIVALS:
            self._attr_is_on = True
        elif punch.punch_type in DEPARTURES:
            self._attr_is_on = False
        else:
            return
        self._last_punch = punch.timestamp
        self.async_write_ha_state()
