"""Door events with an id, announced once each, in the order they came, then acknowledged.

The ids already delivered are kept by DeliveredIds (delivered.py); this is the flow around
them: one event at a time, none before Home Assistant has started (automations only listen
from then on; unacknowledged, the door keeps them), and an acknowledgement for every copy
(the door may have missed the first one).
"""

import asyncio
from collections.abc import Awaitable, Callable
import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.start import async_at_started

from ..const import DOMAIN
from .delivered import DeliveredIds

_LOGGER = logging.getLogger(__name__)


class OnceDelivery:
    """One door's events with an id: delivered once, acknowledged each time."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        device_id: str,
        acknowledge: Callable[[str], Awaitable[None]],
    ) -> None:
        """acknowledge(id) publishes the acknowledgement; it raises HomeAssistantError."""
        self._hass = hass
        self._entry = entry
        self._device_id = device_id
        self._acknowledge = acknowledge
        self.ids = DeliveredIds(hass, entry.entry_id)
        self._lock = asyncio.Lock()
        self._started = asyncio.Event()

    async def async_start(self) -> None:
        """Restore the delivered ids; deliver once Home Assistant has started."""
        await self.ids.async_load()
        self._entry.async_on_unload(self.ids.async_close)
        self._entry.async_on_unload(async_at_started(self._hass, self._async_started))

    @callback
    def _async_started(self, _hass: HomeAssistant) -> None:
        self._started.set()

    def deliver(self, delivery_id: str | None, announce: Callable[[], None]) -> None:
        """Announce an event; one with an id only once, made durable first, then
        acknowledged.
        """
        if delivery_id is None:  # contract 1.0: as it comes, never acknowledged
            announce()
            return
        # A tracked task: Home Assistant waits for it before it stops.
        self._entry.async_create_task(
            self._hass,
            self._async_deliver_once(delivery_id, announce),
            f"{DOMAIN} door {self._device_id} event {delivery_id}",
        )

    async def _async_deliver_once(self, delivery_id: str, announce: Callable[[], None]) -> None:
        async with self._lock:
            await self._started.wait()
            if await self.ids.async_add(delivery_id):
                announce()  # same step as the journal write: nothing awaited between
            try:
                await self._acknowledge(delivery_id)
            except HomeAssistantError:
                _LOGGER.debug("Door %s: could not acknowledge %s", self._device_id, delivery_id)
