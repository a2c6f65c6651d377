"""A push terminal entry's data and options, read once with their defaults."""

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import (
    COMMAND_MARGIN,
    CONF_CODE,
    CONF_DELAY,
    CONF_LISTEN_ADDRESS,
    CONF_LISTEN_PORT,
    CONF_REALTIME,
    CONF_SERIAL_NUMBER,
    CONF_TIME_ZONE,
    CONF_UNLOCK_SECONDS,
    DEFAULT_DELAY,
    DEFAULT_LISTEN_ADDRESS,
    DEFAULT_REALTIME,
    DEFAULT_UNLOCK_SECONDS,
    ONLINE_MARGIN,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PushSettings:
    """The settings of a push terminal entry, defaults applied."""

    serial_number: str
    time_zone: tzinfo
    delay: int
    realtime: bool
    unlock_seconds: int
    code: str | None
    # The plain-HTTP listener of our own, if the user asked for one.
    listen: tuple[str, int] | None = None

    @classmethod
    async def async_from_entry(cls, hass: HomeAssistant, entry: ConfigEntry) -> PushSettings:
        """Read the settings; the time zone defaults to Home Assistant's."""
        options = entry.options
        zone_name = entry.data.get(CONF_TIME_ZONE) or hass.config.time_zone
        # Loading a zone reads tzdata from disk: let HA do that off the event loop.
        time_zone = await dt_util.async_get_time_zone(zone_name) or dt_util.get_default_time_zone()
        return cls(
            serial_number=entry.data[CONF_SERIAL_NUMBER],
            time_zone=time_zone,
            delay=int(options.get(CONF_DELAY, DEFAULT_DELAY)),
            realtime=bool(options.get(CONF_REALTIME, DEFAULT_REALTIME)),
            unlock_seconds=int(options.get(CONF_UNLOCK_SECONDS, DEFAULT_UNLOCK_SECONDS)),
            code=options.get(CONF_CODE) or None,
            listen=(
                (str(options.get(CONF_LISTEN_ADDRESS) or DEFAULT_LISTEN_ADDRESS), int(port))
                if (port := options.get(CONF_LISTEN_PORT))
                else None
            ),
        )

    @property
    def command_timeout(self) -> timedelta:
        """How long a queued command may take: the next poll, plus a margin to run it."""
        return timedelta(seconds=self.delay) + COMMAND_MARGIN

    @property
    def online_window(self) -> timedelta:
        """How long after its last request the terminal still counts as online."""
        return timedelta(seconds=2 * self.delay) + ONLINE_MARGIN

    def utc_offset_minutes(self, when: datetime) -> int:
        """The terminal's offset from UTC at a moment, in minutes (for the handshake)."""
        offset = when.astimezone(self.time_zone).utcoffset() or timedelta()
        return int(offset.total_seconds() // 60)
