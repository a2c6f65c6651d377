"""The attendance cursor: which punches of a terminal were already delivered.

A terminal can only hand over its whole attendance log, so exactly-once delivery needs a
position in that log that survives restarts. The cursor is the device-local time of the newest
delivered record plus the ids of every delivered record at that second (several people can
punch within one second). A record is new when it is later than that time, or at that time
with an id not yet seen.
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypedDict, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from ..const import DOMAIN
from .const import LOGGER

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1
# Seconds to batch cursor writes; unload and HA's final write flush it anyway.
SAVE_DELAY = 2
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


class CursorData(TypedDict):
    """The stored format, version 1."""

    last_time: str
    ids_at_last_time: list[str]


@dataclass(frozen=True, slots=True)
class CursorPosition:
    """An immutable view of the cursor, safe to hand to a worker thread."""

    last_time: datetime
    ids_at_last_time: frozenset[str]

    def is_new(self, key: PunchKey) -> bool:
        """Whether a record after this position, so never delivered."""
        stamp = key.timestamp.replace(microsecond=0)
        if stamp != self.last_time:
            return stamp > self.last_time
        return key.ident not in self.ids_at_last_time


def _position_from(data: Any) -> CursorPosition:
    """Check a stored position; raise ValueError or TypeError if it is not one."""
    if not isinstance(data, dict):
        raise TypeError("the stored cursor is not an object")
    last_time = datetime.fromisoformat(data["last_time"])
    ids = data["ids_at_last_time"]
    if last_time.tzinfo is not None:
        raise ValueError("the stored cursor time is not the terminal's local time")
    if not isinstance(ids, list) or not all(isinstance(ident, str) for ident in ids):
        raise TypeError("the stored cursor ids are not a list of text")
    return CursorPosition(last_time, frozenset(ids))


class _CursorStore(Store[CursorData]):
    """The Store, with the hook to convert older formats."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> CursorData:
        """Convert an older format; version 1 is the first, so only minor steps exist.

        A minor version only ever adds keys, so older minor formats load as they are.
        """
        if old_major_version == STORAGE_VERSION:
            return CursorData(
                last_time=old_data["last_time"], ids_at_last_time=old_data["ids_at_last_time"]
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

    async def async_load(self) -> None:
        """Read the stored position, if any.

        A damaged one (or one of a newer version) is reported with a repair issue and left
        out: the cursor then starts afresh at the terminal's present, like a first setup,
        rather than replay the terminal's history as new punches.
        """
        try:
            data = await self._store.async_load()
            if data is not None:
                self._position = _position_from(data)
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

    @property
    def position(self) -> CursorPosition | None:
        """The current position; None before the first setup placed it."""
        return self._position

    def start_at(self, last_time: datetime, keys: Iterable[PunchKey]) -> None:
        """Place a fresh cursor, without delivering anything before it."""
        self._position = CursorPosition(
            last_time.replace(microsecond=0),
            frozenset(key.ident for key in keys if key.timestamp == last_time),
        )
        self._schedule_save()

    def is_new(self, key: PunchKey) -> bool:
        """Whether a record from the log has not been delivered yet."""
        return self._position is None or self._position.is_new(key)

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
        """Record a delivered punch; the position only ever moves forward."""
        ident = key.ident
        self._recent[ident] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)
        stamp = key.timestamp.replace(microsecond=0)
        position = self._position
        if position is None or stamp > position.last_time:
            self._position = CursorPosition(stamp, frozenset({ident}))
        elif stamp == position.last_time:
            self._position = CursorPosition(stamp, position.ids_at_last_time | {ident})
        else:
            return
        self._schedule_save()

    async def async_flush(self) -> None:
        """Write the position now (on unload)."""
        if self._position is not None:
            await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Forget the position (the entry is deleted)."""
        await self._store.async_remove()

    def as_dict(self) -> dict[str, Any]:
        """The position for diagnostics."""
        if self._position is None:
            return {"last_time": None, "ids_at_last_time": []}
        return dict(self._data())

    def _schedule_save(self) -> None:
        self._store.async_delay_save(self._data, SAVE_DELAY)

    def _data(self) -> CursorData:
        assert self._position is not None
        return {
            "last_time": self._position.last_time.isoformat(),
            "ids_at_last_time": sorted(self._position.ids_at_last_time),
        }
