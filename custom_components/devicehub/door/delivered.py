"""Door events with an id (contract 1.1): delivered once, acknowledged, duplicates dropped.

A door that gives its punches and stranger events an `id` resends each until Home Assistant
acknowledges it on `<p>/<id>/ack`, so events made while Home Assistant was down or
restarting arrive when it is back. Each delivered id is recorded in a journal (journal.py, a
memory write that survives a kill) right before the event is announced, and the ids are
saved to a Store in the background: a resend, or a crash right after a delivery, never
fires the same event twice. Only the latest ids are kept (a door resends only what is not
acknowledged, so an old id does not come back). A door's journal is made with its first
event with an id: doors of contract 1.0 have none.
"""

from collections import OrderedDict
from collections.abc import Iterable
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from ..const import DOMAIN
from ..shared.journaled_saves import JournaledSaves

_LOGGER = logging.getLogger(__name__)
STORE_VERSION: Final = 1
# Documented in docs/mqtt-contract.md ("Delivery guarantees").
MAX_DELIVERED_IDS: Final = 1000
# Deliveries between two saves of the Store; a burst of resends past this many waits for one.
JOURNAL_SLOTS: Final = 32


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORE_VERSION, f"{DOMAIN}.door_delivered.{entry_id}")


def _journal_name(entry_id: str) -> str:
    return f"door_journal.{entry_id}"


async def async_remove_delivered_ids(hass: HomeAssistant, entry_id: str) -> None:
    """Forget a removed door's delivered ids."""
    await _store(hass, entry_id).async_remove()
    await JournaledSaves(hass, _journal_name(entry_id), JOURNAL_SLOTS, _no_save).async_remove()


async def _no_save(_seq: int) -> None:
    """Removing a journal saves nothing."""


class DeliveredIds:
    """The ids of one door's latest delivered events, oldest first, persisted."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty; async_load restores the saved ids."""
        self._store = _store(hass, entry_id)
        self._saves = JournaledSaves(
            hass, _journal_name(entry_id), JOURNAL_SLOTS, self._async_write
        )
        self._ids: OrderedDict[str, None] = OrderedDict()
        self.duplicates = 0

    async def async_load(self) -> None:
        """Restore the saved ids, then those journaled since; a damaged file is ignored
        (ids are a safety net).
        """
        try:
            stored = await self._store.async_load()
        except HomeAssistantError as err:
            _LOGGER.warning("Ignoring saved delivered door event ids: %s", err)
            stored = None
        ids = stored.get("ids") if isinstance(stored, dict) else None
        if isinstance(ids, list):
            self._remember(i for i in ids[-MAX_DELIVERED_IDS:] if isinstance(i, str))
        # Saved when the journal was made: only then can the journal hold anything.
        seq = stored.get("journal_seq") if isinstance(stored, dict) else None
        if type(seq) is int and seq >= 0:
            replay = await self._saves.async_open(seq)
            self._remember(payload.decode(errors="replace") for payload in replay)

    def __len__(self) -> int:
        """How many ids are kept."""
        return len(self._ids)

    async def async_add(self, event_id: str) -> bool:
        """Note a delivered id; False if it was delivered before.

        Recorded in the journal with nothing awaited after it: the caller announces the
        event in the same event-loop step.
        """
        if event_id in self._ids:
            self.duplicates += 1
            return False
        if not self._saves.is_open:
            # Saved first: a load finds the journal only through the Store.
            await self._saves.async_save()
            await self._saves.async_open(0)
        await self._saves.async_make_room()
        if event_id in self._ids:  # delivered while waiting for room
            self.duplicates += 1
            return False
        self._remember((event_id,))
        self._saves.record(event_id.encode())
        return True

    async def async_close(self) -> None:
        """Save the ids and close the journal (the door is unloaded)."""
        if self._saves.is_open:
            await self._saves.async_save()
        await self._saves.async_close()

    def _remember(self, ids: Iterable[str]) -> None:
        self._ids.update(dict.fromkeys(ids))
        while len(self._ids) > MAX_DELIVERED_IDS:
            self._ids.popitem(last=False)

    async def _async_write(self, journal_seq: int) -> None:
        await self._store.async_save({"ids": list(self._ids), "journal_seq": journal_seq})
