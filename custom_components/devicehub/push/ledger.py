"""Which punches of a push terminal were delivered, kept in Home Assistant's storage.

A terminal resends a batch it did not see answered `OK`, and may upload its whole log again
after a reset of its stamps, so duplicates are normal. A punch is identified by who, when
(device-local, to the second) and its punch status. The ledger remembers the most recent
delivered keys (a bounded number) and a time cursor: the newest time among the keys it had to
forget. A punch is new when its key is not remembered and it is later than the cursor.

Each delivered key is recorded in a journal (journal.py, a memory write that survives a kill)
right before its punch is announced, and the ledger's Store is saved in the background with
the journal's sequence number; after a restart the keys journaled past it are remembered
again. A batch's stamp is kept only once all its keys are journaled, so a stamp the terminal
is told after a restart never skips a punch that was not delivered.

Home Assistant's Store logs a failed write instead of raising it: the journal's slots are
then reused, and the keys they held are kept in memory and written with the next save that
succeeds (every save writes the whole ledger). A restart before that save finds only the
latest JOURNAL_SLOTS keys in the journal; older ones the terminal uploads again (it is told
the stored stamp) are delivered again. A save that raises keeps the journal full: a batch
that finds no free slot is refused, and the terminal sends it again.
"""

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple, TypedDict, cast, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from ..const import DOMAIN
from ..shared.journaled_saves import JournaledSaves
from .const import LOGGER, RECENT_PUNCH_KEYS

STORAGE_VERSION = 1
# 1.2 adds the sequence number of the last journal entry the Store holds (journal_seq).
STORAGE_MINOR_VERSION = 2
# Device facts and user names change rarely: written with a delay, or with the next batch.
LAZY_SAVE_DELAY = 10
# Keys journaled between two saves of the Store: a batch of the usual 1,000 punches fits
# whole (one Store write per batch); a bigger one waits for a save on the way.
JOURNAL_SLOTS = 1024


class PunchKey(NamedTuple):
    """What makes a punch unique: who, when (device-local, to the second) and its status."""

    user_id: str
    timestamp: datetime
    status: int

    def stored(self) -> str:
        """The key as written to storage: user, time and status, tab-separated (user ids
        are letters and digits only)."""
        return f"{self.user_id}\t{self.timestamp.isoformat()}\t{self.status}"

    @classmethod
    def from_stored(cls, text: str) -> PunchKey:
        """Read a stored key; raises ValueError when it is not one."""
        user_id, stamp, status = text.split("\t")
        return cls(user_id, datetime.fromisoformat(stamp), int(status))


class StoredLedger(TypedDict):
    """The ledger as written to storage, version 1.2."""

    floor: str | None
    recent: list[str]
    stamps: dict[str, str]
    users: dict[str, str]
    device: dict[str, str]
    journal_seq: int


class _LedgerStore(Store[StoredLedger]):
    """The Store, with the hook to convert older formats."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> StoredLedger:
        """Convert an older format; version 1 is the first, so only minor steps exist.

        Before 1.2 there was no journal: nothing to replay. Damage is left for the load to
        find.
        """
        if old_major_version == STORAGE_VERSION and isinstance(old_data, dict):
            return cast(StoredLedger, {"journal_seq": 0, **old_data})
        raise NotImplementedError(
            f"Unknown punch ledger format {old_major_version}.{old_minor_version}"
        )


def _journal_seq_from(stored: StoredLedger) -> int:
    """The last journal entry the Store holds; raises TypeError when it is not a count."""
    seq = stored["journal_seq"]
    if type(seq) is not int or seq < 0:
        raise TypeError("the stored journal position is not a count")
    return seq


class PunchLedger:
    """Delivered punch keys, stamps, user names and device facts of one push terminal."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, capacity: int = RECENT_PUNCH_KEYS
    ) -> None:
        """Bind to the entry's store and journal; load with async_load."""
        self._store = _LedgerStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.push.{entry_id}",
            atomic_writes=True,
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._saves = JournaledSaves(
            hass, f"push_journal.{entry_id}", JOURNAL_SLOTS, self._async_write
        )
        self._capacity = capacity
        # Each key with its stored form, oldest first; the stored form is made once per key.
        self._recent: OrderedDict[PunchKey, str] = OrderedDict()
        self._floor: datetime | None = None
        self.stamps: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.device: dict[str, str] = {}
        self.dropped_duplicates = 0
        self.dropped_before_cursor = 0
        self.is_new = True

    @property
    def floor(self) -> datetime | None:
        """The time cursor: punches at or before it were delivered or are forgotten."""
        return self._floor

    @property
    def remembered(self) -> int:
        """How many delivered keys are remembered."""
        return len(self._recent)

    async def async_load(self) -> None:
        """Read the stored ledger, then the keys journaled since its last save.

        An unreadable Store starts empty, with a warning; the journal's keys are kept then
        too (they were delivered).
        """
        stored = await self._store.async_load()
        saved_seq = 0
        if stored is not None:
            try:
                journal_seq = _journal_seq_from(stored)
                recent = {PunchKey.from_stored(text): text for text in stored["recent"]}
                floor = datetime.fromisoformat(stored["floor"]) if stored["floor"] else None
                stamps = {str(k): str(v) for k, v in stored.get("stamps", {}).items()}
                users = {str(k): str(v) for k, v in stored.get("users", {}).items()}
                device = {str(k): str(v) for k, v in stored.get("device", {}).items()}
            except (AttributeError, KeyError, TypeError, ValueError) as err:
                # Afresh as a new one: the time cursor goes to when the terminal was added,
                # so its history is not replayed as news.
                LOGGER.warning("Stored punch ledger unreadable, starting afresh: %s", err)
            else:
                self.is_new = False
                self._recent = OrderedDict(recent)
                self._floor = floor
                self.stamps, self.users, self.device = stamps, users, device
                saved_seq = journal_seq
        replay = await self._saves.async_open(saved_seq)
        for payload in replay:
            try:
                key = PunchKey.from_stored(payload.decode())
            except (UnicodeDecodeError, ValueError) as err:
                LOGGER.warning("Skipping an unreadable punch journal entry: %s", err)
                continue
            if key not in self._recent and (self._floor is None or key.timestamp > self._floor):
                self._remember(key)
        if replay:
            await self._saves.async_save()

    def start_at(self, floor: datetime) -> None:
        """Place the time cursor of a ledger never stored: the terminal's history before
        it was added is not news (its first upload may hold its whole log)."""
        if self.is_new and self._floor is None:
            self._floor = floor

    def new_punches[T](self, items: Iterable[tuple[PunchKey, T]]) -> list[tuple[PunchKey, T]]:
        """The items whose punch was not delivered yet, each key once, in the given order."""
        new: list[tuple[PunchKey, T]] = []
        seen: set[PunchKey] = set()
        for key, item in items:
            if key in self._recent or key in seen:
                self.dropped_duplicates += 1
            elif self._floor is not None and key.timestamp <= self._floor:
                self.dropped_before_cursor += 1
            else:
                seen.add(key)
                new.append((key, item))
        return new

    async def async_make_room(self) -> None:
        """Wait, if need be, until the journal can take a key (before record).

        Raises what a save raises when the journal is full.
        """
        await self._saves.async_make_room()

    @callback
    def record(self, key: PunchKey) -> None:
        """Remember the key of a punch about to be announced: from here on it is not new
        again, also after a kill (the journal holds it until the Store does).

        Call async_make_room first, with nothing awaited between it and the announcement.
        """
        self._saves.record(self._remember(key).encode())

    def _remember(self, key: PunchKey) -> str:
        """Add a key, forgetting the oldest past the capacity (the time cursor moves up)."""
        stored = self._recent[key] = key.stored()
        while len(self._recent) > self._capacity:
            forgotten, _ = self._recent.popitem(last=False)
            if self._floor is None or forgotten.timestamp > self._floor:
                self._floor = forgotten.timestamp
        return stored

    def note_stamps(self, stamps: Mapping[str, str]) -> None:
        """Remember upload stamps (given once the upload's punches are journaled); written
        lazily, or with the save that follows the upload's punches."""
        if stamps:
            self.stamps = {**self.stamps, **stamps}
            self._save_lazily()

    def note_users(self, users: Mapping[str, str], *, replace: bool = False) -> None:
        """Remember user names (from uploads or a user query); written lazily."""
        self.users = dict(users) if replace else {**self.users, **users}
        self._save_lazily()

    def forget_user(self, user_id: str) -> None:
        """A user was deleted on the terminal."""
        if self.users.pop(user_id, None) is not None:
            self._save_lazily()

    def note_device(self, facts: Mapping[str, str]) -> None:
        """Remember what the terminal told about itself; written lazily."""
        merged = {**self.device, **{k: v for k, v in facts.items() if v}}
        if merged != self.device:
            self.device = merged
            self._save_lazily()

    def _save_lazily(self) -> None:
        self._store.async_delay_save(self._current, LAZY_SAVE_DELAY)

    def _current(self) -> StoredLedger:
        # Every key journaled so far is in memory: the Store may say it holds them all.
        return self._serialize(self._saves.recorded_seq)

    def _serialize(self, journal_seq: int) -> StoredLedger:
        # New containers: the store writes them in a worker thread.
        return {
            "floor": self._floor.isoformat() if self._floor else None,
            "recent": list(self._recent.values()),
            "stamps": dict(self.stamps),
            "users": dict(self.users),
            "device": dict(self.device),
            "journal_seq": journal_seq,
        }

    async def _async_write(self, journal_seq: int) -> None:
        await self._store.async_save(self._serialize(journal_seq))

    async def async_flush(self) -> None:
        """Write the ledger now, with what waits for a lazy save."""
        await self._saves.async_save()

    async def async_close(self) -> None:
        """Write the ledger and close the journal (the entry is unloaded)."""
        await self.async_flush()
        await self._saves.async_close()

    async def async_remove(self) -> None:
        """Delete the stored ledger and its journal (the entry is deleted)."""
        await self._saves.async_remove()
        await self._store.async_remove()
