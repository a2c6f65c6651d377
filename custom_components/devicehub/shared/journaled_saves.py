"""A Store saved in the background, with the deliveries since its last save in a journal.

Each delivery is recorded in the journal (a memory write, see journal.py) right before it
is announced; the owner's Store is saved as soon as the previous save is done, one write
per burst instead of one awaited write per delivery. After a restart the owner loads its
Store, then replays the deliveries the Store does not hold yet.
"""

import asyncio
from collections.abc import Awaitable, Callable
import logging
from pathlib import Path

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import STORAGE_DIR

from ..const import DOMAIN
from ..journal import DeliveryJournal

_LOGGER = logging.getLogger(__name__)


def journal_path(hass: HomeAssistant, name: str) -> Path:
    """Where a journal lives: beside the Stores, named like them."""
    return Path(hass.config.path(STORAGE_DIR, f"{DOMAIN}.{name}"))


def _open(path: Path, slots: int) -> DeliveryJournal:
    path.parent.mkdir(parents=True, exist_ok=True)
    return DeliveryJournal.open(path, slots)


class JournaledSaves:
    """One owner's journal and the background saves of its Store."""

    def __init__(
        self,
        hass: HomeAssistant,
        name: str,
        slots: int,
        save: Callable[[int], Awaitable[None]],
    ) -> None:
        """save(seq) writes the owner's Store, noting it holds every delivery up to seq."""
        self._hass = hass
        self._path = journal_path(hass, name)
        self._slots = slots
        self._save = save
        self._journal: DeliveryJournal | None = None
        self._saved_seq = 0
        self._save_lock = asyncio.Lock()
        self._saver_running = False

    @property
    def is_open(self) -> bool:
        """Whether the journal is open (deliveries can be recorded)."""
        return self._journal is not None

    @property
    def recorded_seq(self) -> int:
        """The sequence number of the last delivery recorded (the Store's while closed)."""
        return self._journal.last_seq if self._journal is not None else self._saved_seq

    async def async_open(self, saved_seq: int) -> list[bytes]:
        """Open the journal after the Store was loaded; what it holds past saved_seq."""
        journal = await self._hass.async_add_executor_job(_open, self._path, self._slots)
        self._journal = journal
        self._saved_seq = saved_seq
        return journal.continue_after(saved_seq)

    async def async_make_room(self) -> None:
        """Wait for a save when every slot of the journal holds an unsaved delivery."""
        assert self._journal is not None
        while self._journal.free <= 0:
            await self.async_save()

    @callback
    def record(self, payload: bytes) -> None:
        """Record a delivery about to be announced, and save the Store soon.

        Call async_make_room first: raises JournalFullError when no slot is free.
        """
        assert self._journal is not None
        self._journal.append(payload)
        if not self._saver_running:
            self._saver_running = True
            # Not eager: the delivery is announced first, the save follows.
            self._hass.async_create_task(
                self._async_save_while_behind(), f"{DOMAIN} save {self._path.name}", False
            )

    async def _async_save_while_behind(self) -> None:
        try:
            while self._journal is not None and self._journal.last_seq > self._saved_seq:
                await self.async_save()
        except (HomeAssistantError, OSError) as err:
            # The journal keeps what is unsaved: the next delivery tries again, and one
            # that finds the journal full gets the error from async_make_room.
            _LOGGER.warning("Could not save %s: %s", self._path.name, err)
        finally:
            self._saver_running = False

    async def async_save(self) -> None:
        """Save the Store now, with every delivery recorded so far (none open: seq 0)."""
        async with self._save_lock:  # one at a time; the next one takes what came meanwhile
            seq = self.recorded_seq
            await self._save(seq)
            self._saved_seq = seq
            if self._journal is not None:
                self._journal.mark_saved(seq)

    async def async_close(self) -> None:
        """Save what is unsaved and close the journal (the owner is unloaded)."""
        if self._journal is None:
            return
        if self._journal.last_seq > self._saved_seq:
            await self.async_save()
        journal, self._journal = self._journal, None
        await self._hass.async_add_executor_job(journal.close)

    async def async_remove(self) -> None:
        """Close and delete the journal (the owner is removed)."""
        if (journal := self._journal) is not None:
            self._journal = None
            await self._hass.async_add_executor_job(journal.close)
        await self._hass.async_add_executor_job(self._path.unlink, True)
