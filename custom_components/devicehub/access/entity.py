"""Base of the access entities: on the terminal's device, following its feed."""

from typing import override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo

from ..const import DOMAIN
from ..entity import DevicehubEntity
from .feed import AccessFeed


class AccessEntity(DevicehubEntity):
    """An entity of a terminal's access feed; unique id ``{serial}_{key}``."""

    _attr_should_poll = False

    def __init__(self, feed: AccessFeed, key: str) -> None:
        """Attach the entity to the terminal's device (made by the family's entities)."""
        self._feed = feed
        self._attr_unique_id = f"{feed.serial_number}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, feed.serial_number)})

    @property
    @override
    def available(self) -> bool:
        """Available while the terminal can report (the family says when)."""
        return self._feed.available()

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the feed and the terminal's availability."""
        await super().async_added_to_hass()
        self.async_on_remove(self._feed.async_add_listener(self._async_feed_changed))
        self.async_on_remove(self._feed.add_availability_listener(self._async_feed_changed))

    @callback
    def _async_feed_changed(self) -> None:
        self.async_write_ha_state()
