"""Which punches of a push terminal were delivered, kept in Home Assistant's storage.

A terminal resends a batch it did not see answered `OK`, and may upload its whole log again
after a reset of its stamps, so duplicates are normal. A punch is identified by who, when
(device-local, to the second) and its punch status. The ledger remembers the most recent
delivered keys (a bounded number) and a time cursor: the newest time among the keys it had to
forget. A punch is new when its key is not remembered and it is later than the cursor.

The state written for a batch is built aside and swapped in only once the write succeeded, so
a failed write leaves memory as it was and the terminal's resend is taken in full.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from ..const import DOMAIN
from .const import LOGGER, RECENT_PUNCH_KEYS

STORAGE_VERSION = 1
# Device facts and user names change rarely: written with a delay, or with the next batch.
LAZY_SAVE_DELAY = 10


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
    """The ledger as written to storage."""

    floor: str | None
    recent: list[str]
    stamps: dict[str, str]
    users: dict[str, str]
    device: dict[str, str]


@dataclass(slots=True)
class _State:
    # Each key with its stored form, oldest first; the stored form is made once per key.
    recent: dict[PunchKey, str] = field(default_factory=dict)
    floor: datetime | None = None


class PunchLedger:
    """Delivered punch keys, stamps, user names and device facts of one push terminal."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, capacity: int = RECENT_PUNCH_KEYS
    ) -> None:
        """Bind to the entry's store; load with async_load."""
        self._store: Store[StoredLedger] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.push.{entry_id}", atomic_writes=True
        )
        self._capacity = capacity
        self._state = _State()
        self.stamps: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.device: dict[str, str] = {}
        self.dropped_duplicates = 0
        self.dropped_before_cursor = 0
        self.is_new = True

    @property
    def floor(self) -> datetime | None:
        """The time cursor: punches at or before it were delivered or are forgotten."""
        return self._state.floor

    @property
    def remembered(self) -> int:
        """How many delivered keys are remembered."""
        return len(self._state.recent)

    async def async_load(self) -> None:
        """Read the stored ledger; an unreadable one starts empty, with a warning."""
        stored = await self._store.async_load()
        if stored is None:
            return
        self.is_new = False
        try:
            recent = {PunchKey.from_stored(text): text for text in stored["recent"]}
            floor = datetime.fromisoformat(stored["floor"]) if stored["floor"] else None
            self.stamps = {str(k): str(v) for k, v in stored.get("stamps", {}).items()}
            self.users = {str(k): str(v) for k, v in stored.get("users", {}).items()}
            self.device = {str(k): str(v) for k, v in stored.get("device", {}).items()}
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            LOGGER.warning("Stored punch ledger unreadable, starting afresh: %s", err)
            return
        self._state = _State(recent, floor)

    def start_at(self, floor: datetime) -> None:
        """Place the time cursor of a ledger never stored: the terminal's history before
        it was added is not news (its first upload may hold its whole log)."""
        if self.is_new and self._state.floor is None:
            self._state.floor = floor

    def new_punches[T](self, items: Iterable[tuple[PunchKey, T]]) -> list[tuple[PunchKey, T]]:
        """The items whose punch was not delivered yet, each key once, in the given order."""
        new: list[tuple[PunchKey, T]] = []
        seen: set[PunchKey] = set()
        state = self._state
        for key, item in items:
            if key in state.recent or key in seen:
                self.dropped_duplicates += 1
            elif state.floor is not None and key.timestamp <= state.floor:
                self.dropped_before_cursor += 1
            else:
                seen.add(key)
                new.append((key, item))
        return new

    async def async_record(self, keys: list[PunchKey], stamps: Mapping[str, str]) -> None:
        """Write the keys (and the batch's stamps) as delivered; raises if storage fails."""
        recent = dict(self._state.recent)
        recent.update((key, key.stored()) for key in keys)
        floor = self._state.floor
        excess = len(recent) - self._capacity
        if excess > 0:
            forgotten = list(recent)[:excess]
            for key in forgotten:
                del recent[key]
            newest_forgotten = max(key.timestamp for key in forgotten)
            floor = newest_forgotten if floor is None else max(floor, newest_forgotten)
        new_stamps = {**self.stamps, **stamps}
        await self._store.async_save(self._serialize(recent, floor, new_stamps))
        self._state = _State(recent, floor)
        self.stamps = new_stamps

    def note_stamps(self, stamps: Mapping[str, str]) -> None:
        """Remember upload stamps of tables without punches; written lazily."""
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
        return self._serialize(self._state.recent, self._state.floor, self.stamps)

    def _serialize(
        self, recent: Mapping[PunchKey, str], floor: datetime | None, stamps: Mapping[str, str]
    ) -> StoredLedger:
        # New containers: the store writes them in a worker thread.
        return {
            "floor": floor.isoformat() if floor else None,
            "recent": list(recent.values()),
            "stamps": dict(stamps),
            "users": dict(self.users),
            "device": dict(self.device),
        }

    async def async_flush(self) -> None:
        """Write what waits for a lazy save."""
        await self._store.async_save(self._current())

    async def async_remove(self) -> None:
        """Delete the stored ledger (the entry is deleted)."""
        await self._store.async_remove()
