"""The attendance cursor: which punches of a terminal were already delivered.

A terminal can only hand over its whole attendance log, so exactly-once delivery needs a
position in that log that survives restarts. The cursor holds two:

- the log position: how many records of the log were read and delivered (`log_count`), the
  identity of the last of them (`log_anchor`), and the ids delivered since (live events, which
  arrive without a position). A record after that index is new unless among those ids. The
  terminal only ever appends to its log, so this holds whatever its clock says;
- the time position: the device-local time of the newest delivered record plus the ids of
  every delivered record at that second (several people can punch within one second). A
  record is new when it is later, or at that time with an id not yet seen. It is used only
  when the log position does not fit the log (cleared, rewritten, or never anchored).

Each delivery is recorded in a journal (journal.py, a memory write that survives a kill)
right before it is announced, and the Store is saved in the background with the journal's
sequence number: a crash right after a delivery can then never announce the same punch
again (see PunchDelivery). After a restart the journal's deliveries past that number are
replayed onto the stored position.
"""

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, TypedDict, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from ..const import DOMAIN
from ..shared.journaled_saves import JournaledSaves
from .const import LOGGER

STORAGE_VERSION = 1
# 1.2 adds the log position (log_count, log_anchor, ids_since_anchor); 1.3 the sequence
# number of the last journal entry the Store holds (journal_seq).
STORAGE_MINOR_VERSION = 3
# Deliveries the journal holds between two saves of the Store; a burst past this many waits
# for a save (one write for 64 punches).
JOURNAL_SLOTS = 64
# Ids delivered since the log was last read; past this many the log position is dropped and
# the next catch-up goes by time once, then anchors again.
MAX_IDS_SINCE_ANCHOR = 4096
# Live events older than the cursor (the terminal clock went back) are checked against the
# ids delivered in this session; this many are remembered.
RECENT_IDS = 2048
# Repair issue raised when a stored cursor cannot be read and delivery starts afresh.
ISSUE_CURSOR_RESET = "terminal_cursor_reset"


class PunchKey(NamedTuple):
    """What makes a punch unique: who, when (device-local, to the second) and which state."""

    user_id: str
    timestamp: datetime
    punch: int

    @property
    def ident(self) -> str:
        """The key as stored."""
        return f"{self.user_id}|{self.timestamp.isoformat(timespec='seconds')}|{self.punch}"

    @classmethod
    def from_ident(cls, ident: str) -> PunchKey:
        """Read a key back from its stored form; raises ValueError when it is not one."""
        user_id, stamp, punch = ident.rsplit("|", 2)
        return cls(user_id, datetime.fromisoformat(stamp), int(punch))


class CursorData(TypedDict):
    """The position as stored (version 1.3 adds journal_seq beside it)."""

    last_time: str
    ids_at_last_time: list[str]
    log_count: int | None
    log_anchor: str | None
    ids_since_anchor: list[str]


class StoredCursor(CursorData):
    """The stored format, version 1.3."""

    journal_seq: int


@dataclass(frozen=True, slots=True)
class CursorPosition:
    """An immutable view of the cursor, safe to hand to a worker thread."""

    last_time: datetime
    ids_at_last_time: frozenset[str]
    # None: no log position (stored before 1.2, or dropped); go by time.
    log_count: int | None = None
    log_anchor: str | None = None
    ids_since_anchor: frozenset[str] = frozenset()

    def is_new(self, key: PunchKey) -> bool:
        """Whether a record is after the time position, so never delivered."""
        stamp = key.timestamp.replace(microsecond=0)
        if stamp != self.last_time:
            return stamp > self.last_time
        return key.ident not in self.ids_at_last_time

    def fits(self, log: Sequence[PunchKey]) -> bool:
        """Whether the log position still points into this log (not cleared or rewritten)."""
        count = self.log_count
        if count is None or count > len(log):
            return False
        return count == 0 or log[count - 1].ident == self.log_anchor

    def new_in(self, log: Sequence[PunchKey]) -> list[int]:
        """The indexes of the log's records never delivered, in log order."""
        if self.fits(log):
            assert self.log_count is not None
            return [
                index
                for index in range(self.log_count, len(log))
                if log[index].ident not in self.ids_since_anchor
            ]
        return [index for index, key in enumerate(log) if self.is_new(key)]


def _texts(value: Any, what: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(ident, str) for ident in value):
        raise TypeError(f"the stored cursor {what} are not a list of text")
    return frozenset(value)


def position_from(data: Any) -> CursorPosition:
    """Check a stored position; raise ValueError or TypeError if it is not one."""
    if not isinstance(data, dict):
        raise TypeError("the stored cursor is not an object")
    last_time = datetime.fromisoformat(data["last_time"])
    if last_time.tzinfo is not None:
        raise ValueError("the stored cursor time is not the terminal's local time")
    count = data["log_count"]
    anchor = data["log_anchor"]
    if count is not None and (type(count) is not int or count < 0):
        raise TypeError("the stored log position is not a count")
    if anchor is not None and not isinstance(anchor, str):
        raise TypeError("the stored log anchor is not text")
    return CursorPosition(
        last_time,
        _texts(data["ids_at_last_time"], "ids"),
        count,
        anchor,
        _texts(data["ids_since_anchor"], "ids since the anchor"),
    )


def _journal_seq_from(data: StoredCursor) -> int:
    """The last journal entry the Store holds; raise KeyError or TypeError if damaged."""
    seq = data["journal_seq"]
    if type(seq) is not int or seq < 0:
        raise TypeError("the stored journal position is not a count")
    return seq


class _CursorStore(Store[StoredCursor]):
    """The Store, with the hook to convert older formats."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> StoredCursor:
        """Convert an older format; version 1 is the first, so only minor steps exist.

        1.1 had no log position: the first catch-up after the upgrade goes by time, then
        anchors the position in the log. Before 1.3 there was no journal: nothing to replay.
        """
        if old_major_version == STORAGE_VERSION:
            return StoredCursor(
                last_time=old_data["last_time"],
                ids_at_last_time=old_data["ids_at_last_time"],
                log_count=old_data.get("log_count"),
                log_anchor=old_data.get("log_anchor"),
                ids_since_anchor=old_data.get("ids_since_anchor", []),
                journal_seq=old_data.get("journal_seq", 0),
            )
        raise NotImplementedError(
            f"Unknown attendance cursor format {old_major_version}.{old_minor_version}"
        )


class AttendanceCursor:
    """The delivered position of one terminal's attendance log, persisted in a Store."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind the cursor to its Store; call async_load before use."""
        self._hass = hass
        self._entry_id = entry_id
        self._store = _CursorStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.terminal_cursor.{entry_id}",
            minor_version=STORAGE_MINOR_VERSION,
        )
        self._position: CursorPosition | None = None
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._saves = JournaledSaves(
            hass, f"terminal_journal.{entry_id}", JOURNAL_SLOTS, self._async_write
        )

    async def async_load(self) -> None:
        """Read the stored position, if any.

        A damaged one (or one of a newer version) is reported with a repair issue and left
        out: the cursor then starts afresh at the terminal's present, like a first setup,
        rather than replay the terminal's history as new punches.

        Then the deliveries the journal holds past the Store's last save are replayed.
        """
        saved_seq = 0
        try:
            data = await self._store.async_load()
            if data is not None:
                journal_seq = _journal_seq_from(data)
                self._position = position_from(data)
                saved_seq = journal_seq
        except (HomeAssistantError, KeyError, TypeError, ValueError) as err:
            LOGGER.warning("The attendance cursor of %s is unreadable: %s", self._entry_id, err)
            entry = self._hass.config_entries.async_get_entry(self._entry_id)
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                f"{ISSUE_CURSOR_RESET}_{self._entry_id}",
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_CURSOR_RESET,
                translation_placeholders={
                    "name": entry.title if entry else self._entry_id,
                    "error": str(err) or type(err).__name__,
                },
            )
        replay = await self._saves.async_open(saved_seq)
        if self._position is None:
            return  # placed afresh at the terminal's present: nothing before it is news
        for payload in replay:
            try:
                key = PunchKey.from_ident(payload.decode())
            except (UnicodeDecodeError, ValueError) as err:
                LOGGER.warning("Skipping an unreadable attendance journal entry: %s", err)
                continue
            self.advance(key)
        if replay:
            await self.async_flush()

    @property
    def position(self) -> CursorPosition | None:
        """The current position; None before the first setup placed it."""
        return self._position

    async def async_start_at(self, last_time: datetime, log: Sequence[PunchKey]) -> None:
        """Place a fresh cursor at the end of the log, without delivering anything before it."""
        self._position = CursorPosition(
            last_time.replace(microsecond=0),
            frozenset(key.ident for key in log if key.timestamp == last_time),
            len(log),
            log[-1].ident if log else None,
        )
        await self.async_flush()

    def is_new(self, key: PunchKey) -> bool:
        """Whether a record is after the time position (or no position was placed yet)."""
        return self._position is None or self._position.is_new(key)

    def new_in(self, log: Sequence[PunchKey]) -> list[int]:
        """The indexes of the log's records not delivered yet, in log order."""
        if self._position is None:
            return list(range(len(log)))
        return self._position.new_in(log)

    def fits(self, log: Sequence[PunchKey]) -> bool:
        """Whether new records of this log are found by position (rather than by time)."""
        return self._position is not None and self._position.fits(log)

    def anchor(self, log: Sequence[PunchKey]) -> None:
        """Note that every record of this log is delivered: the position moves to its end.

        Written with the next save (the caller saves right after).
        """
        if self._position is not None:
            self._position = replace(
                self._position,
                log_count=len(log),
                log_anchor=log[-1].ident if log else None,
                ids_since_anchor=frozenset(),
            )

    def log_cleared(self) -> None:
        """The log was emptied: the position moves to its start."""
        self.anchor(())

    def is_new_live(self, key: PunchKey) -> bool:
        """Whether a live event has not been delivered yet.

        A live event is happening now, so one older than the cursor means the terminal clock
        went back; it is new unless this session already delivered it.
        """
        if key.ident in self._recent:
            return False
        position = self._position
        if position is None or key.timestamp.replace(microsecond=0) < position.last_time:
            return True
        return position.is_new(key)

    def advance(self, key: PunchKey) -> None:
        """Record a delivered punch; the time position only ever moves forward.

        Kept in memory: record_delivery also journals it, right before it is announced.
        """
        ident = key.ident
        self._recent[ident] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)
        stamp = key.timestamp.replace(microsecond=0)
        position = self._position
        if position is None:
            position = CursorPosition(stamp, frozenset({ident}))
        elif stamp > position.last_time:
            position = replace(position, last_time=stamp, ids_at_last_time=frozenset({ident}))
        elif stamp == position.last_time:
            position = replace(position, ids_at_last_time=position.ids_at_last_time | {ident})
        since = position.ids_since_anchor | {ident}
        if len(since) > MAX_IDS_SINCE_ANCHOR:
            # Too many to keep: the next catch-up goes by time once, then anchors again.
            position = replace(position, log_count=None, log_anchor=None)
            since = frozenset()
        self._position = replace(position, ids_since_anchor=since)

    async def async_make_room(self) -> None:
        """Wait, if need be, until the journal can take a delivery (before record_delivery)."""
        await self._saves.async_make_room()

    def record_delivery(self, key: PunchKey) -> None:
        """Advance past a punch about to be announced: from here on it is not new again,
        also after a kill (the journal holds it until the Store does).
        """
        self.advance(key)
        self._saves.record(key.ident.encode())

    async def async_flush(self) -> None:
        """Write the position now (after a catch-up anchored it, and on unload)."""
        if self._position is not None:
            await self._saves.async_save()

    async def _async_write(self, journal_seq: int) -> None:
        await self._store.async_save(StoredCursor(**self._data(), journal_seq=journal_seq))

    async def async_close(self) -> None:
        """Write the position and close the journal (the entry is unloaded)."""
        await self.async_flush()
        await self._saves.async_close()

    async def async_remove(self) -> None:
        """Forget the position (the entry is deleted)."""
        await self._saves.async_remove()
        await self._store.async_remove()

    def as_dict(self) -> dict[str, Any]:
        """The position for diagnostics."""
        if self._position is None:
            return {
                "last_time": None,
                "ids_at_last_time": [],
                "log_count": None,
                "log_anchor": None,
                "ids_since_anchor": [],
            }
        return dict(self._data())

    def _data(self) -> CursorData:
        position = self._position
        assert position is not None
        return {
            "last_time": position.last_time.isoformat(),
            "ids_at_last_time": sorted(position.ids_at_last_time),
            "log_count": position.log_count,
            "log_anchor": position.log_anchor,
            "ids_since_anchor": sorted(position.ids_since_anchor),
        }
