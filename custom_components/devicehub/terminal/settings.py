"""A terminal entry's connection data and options, read once with their defaults."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta, tzinfo
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_TIMEOUT
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..zk.client import TerminalConfig
from .const import (
    CONF_CODE,
    CONF_ENCODING,
    CONF_LIVE_CAPTURE,
    CONF_PEOPLE,
    CONF_PERSON,
    CONF_POLL_INTERVAL,
    CONF_PRESENCE,
    CONF_PRESENCE_RESET,
    CONF_TIME_ZONE,
    CONF_UNLOCK_SECONDS,
    DEFAULT_ENCODING,
    DEFAULT_LIVE_CAPTURE,
    DEFAULT_PASSWORD,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PORT,
    DEFAULT_PRESENCE_RESET,
    DEFAULT_TIMEOUT,
    DEFAULT_UNLOCK_SECONDS,
)


def terminal_config(data: Mapping[str, Any], encoding: str = DEFAULT_ENCODING) -> TerminalConfig:
    """The client configuration for connection data as stored in an entry."""
    return TerminalConfig(
        host=data[CONF_HOST],
        port=int(data.get(CONF_PORT, DEFAULT_PORT)),
        password=int(data.get(CONF_PASSWORD, DEFAULT_PASSWORD)),
        timeout=float(data.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)),
        encoding=encoding,
    )


@dataclass(frozen=True, slots=True)
class PersonLink:
    """A terminal user linked to a Home Assistant person; ``presence``: a sensor is wanted."""

    user_id: str
    person: str
    presence: bool


def person_links(options: Mapping[str, Any]) -> dict[str, PersonLink]:
    """The links stored in an entry's options, by user id."""
    return {
        user_id: PersonLink(user_id, link[CONF_PERSON], bool(link.get(CONF_PRESENCE, False)))
        for user_id, link in options.get(CONF_PEOPLE, {}).items()
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class TerminalSettings:
    """The options of a terminal entry, defaults applied."""

    config: TerminalConfig
    unlock_seconds: int
    code: str | None
    time_zone: tzinfo
    live_capture: bool
    poll_interval: timedelta
    people: Mapping[str, PersonLink]
    presence_reset: time

    @classmethod
    async def async_from_entry(cls, hass: HomeAssistant, entry: ConfigEntry) -> TerminalSettings:
        """Read the settings; the time zone defaults to Home Assistant's."""
        options = entry.options
        zone_name = options.get(CONF_TIME_ZONE) or hass.config.time_zone
        # Loading a zone reads tzdata from disk: let HA do that off the event loop.
        time_zone = await dt_util.async_get_time_zone(zone_name) or dt_util.get_default_time_zone()
        return cls(
            config=terminal_config(entry.data, options.get(CONF_ENCODING, DEFAULT_ENCODING)),
            unlock_seconds=int(options.get(CONF_UNLOCK_SECONDS, DEFAULT_UNLOCK_SECONDS)),
            code=options.get(CONF_CODE) or None,
            time_zone=time_zone,
            live_capture=bool(options.get(CONF_LIVE_CAPTURE, DEFAULT_LIVE_CAPTURE)),
            poll_interval=timedelta(
                seconds=int(options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))
            ),
            people=person_links(options),
            presence_reset=time.fromisoformat(
                options.get(CONF_PRESENCE_RESET, DEFAULT_PRESENCE_RESET)
            ),
        )
