"""Card scans as Home Assistant tags (contract 1.1, feature `tag`; opt-in per door).

The tag id goes to the tag integration only: it is never logged, never a state and never
in the diagnostics. Without the option the door's scans are ignored.
"""

import logging

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from .const import CONF_TAG_SCANS

_LOGGER = logging.getLogger(__name__)


class DoorTags:
    """Hands the door's card scans to the tag integration, if the user opted in."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, device_id: str) -> None:
        """Read the option once: the options flow reloads the entry."""
        self._hass = hass
        self._entry = entry
        self._device_id = device_id
        self.enabled: bool = bool(entry.options.get(CONF_TAG_SCANS, False))
        self.scanned = 0  # for the diagnostics: a count, never the ids

    @callback
    def async_scanned(self, tag_id: str) -> None:
        """A card was scanned at the door."""
        if not self.enabled:
            return
        self.scanned += 1
        device = dr.async_get(self._hass).async_get_device_by_identifier(
            (DOMAIN, self._device_id), self._entry.entry_id
        )
        self._entry.async_create_background_task(
            self._hass,
            self._async_scan(tag_id, None if device is None else device.id),
            f"{DOMAIN} door {self._device_id} tag scan",
        )

    async def _async_scan(self, tag_id: str, device_id: str | None) -> None:
        try:
            await async_scan_tag(self._hass, tag_id, device_id)
        except HomeAssistantError:
            _LOGGER.debug("Door %s: the tag integration is not set up", self._device_id)
