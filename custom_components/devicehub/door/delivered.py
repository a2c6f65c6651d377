"""Door events with an id (contract 1.1): delivered once, acknowledged, duplicates dropped.

A door that gives its punches and stranger events an `id` resends each until Home Assistant
acknowledges it on `<p>/<id>/ack`, so events made while Home Assistant was down or
restarting arrive when it is back. The ids already delivered are kept in a Store, written
before the event is announced: a resend, or a crash right after a delivery, never fires the
same event twice. Only the latest ids are kept (a door resends only what is not
acknowledged, so an old id does not come back).
"""

from collections import OrderedDict
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from ..const import DOMAIN

_LOGGER = logging.getLogger(__name__)
STORE_VERSION: Final = 1
# Documented in docs/mqtt-contract.md ("Delivery guarantees").
MAX_DELIVERED_IDS: Final = 1000


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORE_VERSION, f"{DOMAIN}.door_delivered.{entry_id}")


async def async_remove_delivered_ids(hass: HomeAssistant, entry_id: str) -> None:
    """Forget a removed door's delivered ids."""
    await _store(hass, entry_id).async_remove()


class DeliveredIds:
    """The ids of one door's latest delivered events, oldest first, persisted."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty; async_load restores the saved ids."""
        self._store = _store(hass, entry_id)
        self._ids: OrderedDict[str, None] = OrderedDict()
        self.duplicates = 0

    async def async_load(self) -> None:
        """Restore the saved ids; a damaged file is ignored (ids are a safety net)."""
        try:
            stored = await self._store.async_load()
        except HomeAssistantError as err:
            _LOGGER.warning("Ignoring saved delivered door event ids: %s", err)
            return
        ids = stored.get("ids") if isinstance(stored, dict) else None
        if isinstance(ids, list):
            self._ids = OrderedDict.fromkeys(
                i for i in ids[-MAX_DELIVERED_IDS:] if isinstance(i, str)
            )

    def __len__(self) -> int:
        """How many ids are kept."""
        return len(self._ids)

    async def async_add(self, event_id: str) -> bool:
        """Note a delivered id, stored before returning; False if it was delivered before."""
        if event_id in self._ids:
            self.duplicates += 1
            return False
        self._ids[event_id] = None
        while len(self._ids) > MAX_DELIVERED_IDS:
            self._ids.popitem(last=False)
        await self._store.async_save({"ids": list(self._ids)})
        return True
