"""The crash soak's ledger: what storage and the recorder held at each kill, and what each
loss or duplicate at the end comes from.

Right after each SIGKILL (before the restart) the soak reads what devicehub's storage counts
as delivered, and the recorder's file. A punch stored as delivered that the recorder never
wrote was lost in the instant of that kill (stored, not announced: it is never delivered
again). A punch the recorder wrote that storage does not count as delivered will be
announced again after the restart (the terminal's next catch-up, the door's or the push
terminal's resend): a duplicate in the making. At the end every loss and every duplicate
is tied to the first kill that showed it; one tied to none is a fault of its own.

What storage counts as delivered is read with devicehub's own rules: for a terminal, its
cursor (the Store's data as a CursorPosition) over the terminal's log; for a door, the ids
in its Store; for a push terminal, the punch keys its ledger's Store remembers. Entries of
the delivery journal past the Store's `journal_seq` count as delivered too, once the journal
exists.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

from custom_components.devicehub.journal import read_journal
from custom_components.devicehub.push.ledger import PunchKey as PushPunchKey
from custom_components.devicehub.terminal.cursor import PunchKey, position_from
from tools.zksim import TerminalSimulator

TERMINAL_CURSOR = "devicehub.terminal_cursor.{entry_id}"
TERMINAL_JOURNAL = "devicehub.terminal_journal.{entry_id}"
DOOR_DELIVERED = "devicehub.door_delivered.{entry_id}"
DOOR_JOURNAL = "devicehub.door_journal.{entry_id}"
PUSH_LEDGER = "devicehub.push.{entry_id}"
PUSH_JOURNAL = "devicehub.push_journal.{entry_id}"
FAMILIES = ("terminal", "door", "push")
PUNCH_LOG = "punches.log"  # the punch recorder's file in the configuration folder
# Shown per finding; the ids are the punches' user ids, to look for in the logs.
SHOWN_IDS = 5


def _store_data(path: Path) -> dict[str, Any]:
    """The data of a Home Assistant Store file (written atomically); empty when absent."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    assert isinstance(data, dict), path
    return data


def _journal_after(path: Path, journal_seq: int) -> list[str]:
    """The payloads of the journal entries the Store does not include yet."""
    return [payload.decode() for seq, payload in read_journal(path) if seq > journal_seq]


def recorded(log: Path, entity_starts: Mapping[str, str]) -> dict[str, Counter[str]]:
    """How often the recorder wrote each user id, per family: a line goes to the family
    whose entry in entity_starts its punch entity id starts with, to the door otherwise.
    """
    counts: dict[str, Counter[str]] = {family: Counter() for family in FAMILIES}
    if not log.exists():
        return counts
    for line in log.read_text(encoding="utf-8").splitlines():
        entity_id, _, rest = line.partition("|")
        family = next(
            (name for name, start in entity_starts.items() if entity_id.startswith(start)),
            "door",
        )
        counts[family][rest.partition("|")[0]] += 1
    return counts


def terminal_delivered(storage: Path, entry_id: str, terminal: TerminalSimulator) -> list[str]:
    """User ids of the terminal's log that its cursor (Store and journal) counts as
    delivered, in log order: the order of delivery, so the newest delivered is last.
    """
    data = _store_data(storage / TERMINAL_CURSOR.format(entry_id=entry_id))
    if not data:
        return []
    log = [PunchKey(record.user_id, record.timestamp, record.punch) for record in terminal.records]
    new = set(position_from(data).new_in(log))
    journal = storage / TERMINAL_JOURNAL.format(entry_id=entry_id)
    journaled = set(_journal_after(journal, int(data.get("journal_seq", 0))))
    return [
        key.user_id for index, key in enumerate(log) if index not in new or key.ident in journaled
    ]


def door_delivered(storage: Path, entry_id: str) -> list[str]:
    """Event ids the door's Store and journal count as delivered, in the order of delivery."""
    data = _store_data(storage / DOOR_DELIVERED.format(entry_id=entry_id))
    journal = storage / DOOR_JOURNAL.format(entry_id=entry_id)
    ids: list[str] = data.get("ids", [])
    journaled = _journal_after(journal, int(data.get("journal_seq", 0)))
    return list(dict.fromkeys([*ids, *journaled]))


def push_delivered(storage: Path, entry_id: str) -> list[str]:
    """User ids of the punches a push terminal's ledger (Store and journal) counts as
    delivered, in the order of delivery. Its time cursor (punches at or before it count as
    delivered too) stays where the entry was added, so it covers only history here.
    """
    data = _store_data(storage / PUSH_LEDGER.format(entry_id=entry_id))
    recent: list[str] = data.get("recent", [])
    journal = storage / PUSH_JOURNAL.format(entry_id=entry_id)
    journaled = _journal_after(journal, int(data.get("journal_seq", 0)))
    return [PushPunchKey.from_stored(key).user_id for key in dict.fromkeys([*recent, *journaled])]


@dataclass(frozen=True)
class KillFinding:
    """One family's storage against its recorder, read right after one kill."""

    kill: int  # counted from 1
    during_startup: bool
    stored_not_announced: frozenset[str]  # lost in the instant of this kill
    announced_not_stored: frozenset[str]  # to be announced again after the restart
    # The punch stored last: the only one a kill between a delivery's storage write and its
    # announcement can leave unannounced.
    newest_stored: str | None

    @property
    def name(self) -> str:
        """How the kill is named in a report."""
        return f"kill {self.kill}" + (" (start-up)" if self.during_startup else "")


def finding(
    kill: int,
    during_startup: bool,
    delivered: Sequence[str],
    announced: Iterable[str],
    resendable: set[str] | None = None,
) -> KillFinding:
    """Compare what storage counts as delivered (oldest first) with what the recorder wrote.

    resendable: the punches that can come again (a door's unacknowledged events); all of
    them when None (a terminal's log holds every punch).
    """
    stored, written = set(delivered), set(announced)
    again = written - stored
    if resendable is not None:
        again &= resendable
    return KillFinding(
        kill,
        during_startup,
        frozenset(stored - written),
        frozenset(again),
        delivered[-1] if delivered else None,
    )


STORED_NOT_ANNOUNCED = "stored, not announced"
# A loss that is the newest stored punch at its kill: the kill fell between that delivery's
# storage write and its announcement. One stored before it and never announced is not that.
THE_NEWEST = "the newest stored"
AN_OLDER_ONE = "not the newest stored"
ANNOUNCED_NOT_STORED = "announced, not stored"


@dataclass(frozen=True)
class Tally:
    """What one family's punches came to, and where each loss and duplicate came from."""

    punches: int
    fired: int
    duplicates: int
    losses: int
    causes: dict[str, str]  # user id of each loss and duplicate -> its cause
    kills: tuple[KillFinding, ...]

    def untied(self) -> dict[str, str]:
        """The losses and duplicates no kill explains: faults of their own."""
        return {uid: cause for uid, cause in self.causes.items() if cause.startswith("no kill")}

    def kills_text(self) -> str:
        """The kills that stored a punch without announcing it, or the reverse."""
        seen: set[str] = set()
        parts = []
        for kill in self.kills:
            for what, found in (
                (STORED_NOT_ANNOUNCED, kill.stored_not_announced),
                (ANNOUNCED_NOT_STORED, kill.announced_not_stored),
            ):
                if new := sorted(found - seen):
                    seen |= found
                    ids = " ".join(
                        f"{user_id} ({THE_NEWEST})" if user_id == kill.newest_stored else user_id
                        for user_id in new[:SHOWN_IDS]
                    )
                    parts.append(f"{kill.name} {what}: {ids}")
        return "; ".join(parts) or "none"

    def as_text(self) -> str:
        """The figures, each loss and duplicate by cause, and what each kill left."""
        by_cause: dict[str, list[str]] = {}
        for user_id, cause in self.causes.items():
            by_cause.setdefault(cause, []).append(user_id)
        causes = "; ".join(
            f"{len(ids)} by {cause} ({' '.join(ids[:SHOWN_IDS])})"
            for cause, ids in by_cause.items()
        )
        return (
            f"{self.punches} punches, {self.duplicates} duplicates, {self.losses} losses"
            f"{': ' + causes if causes else ''}; kills that left a gap: {self.kills_text()}"
        )


def _loss_cause(user_id: str, kills: Sequence[KillFinding], delivered_at_end: set[str]) -> str:
    for kill in kills:
        if user_id in kill.stored_not_announced:
            which = THE_NEWEST if kill.newest_stored == user_id else AN_OLDER_ONE
            return f"{kill.name}: {STORED_NOT_ANNOUNCED}, {which}"
    if user_id in delivered_at_end:
        return "no kill: stored, never announced"
    return "no kill: never delivered"


def _duplicate_cause(user_id: str, kills: Sequence[KillFinding]) -> str:
    for kill in kills:
        if user_id in kill.announced_not_stored:
            return f"{kill.name}: {ANNOUNCED_NOT_STORED}"
    return "no kill: announced twice"


def tally(
    punches: Sequence[str],
    announced: Counter[str],
    kills: Sequence[KillFinding],
    delivered_at_end: set[str],
) -> Tally:
    """Count, and tie each loss and duplicate to the first kill that showed it.

    A loss no kill showed is a punch stored as delivered while Home Assistant ran (never
    announced, kill or not), or one never stored as delivered at all (not delivered by the
    end). A duplicate no kill showed was announced twice by a running process.
    """
    causes: dict[str, str] = {}
    for user_id in punches:
        match announced[user_id]:
            case 0:
                causes[user_id] = _loss_cause(user_id, kills, delivered_at_end)
            case 1:
                pass
            case _:
                causes[user_id] = _duplicate_cause(user_id, kills)
    return Tally(
        punches=len(punches),
        fired=sum(announced.values()),
        duplicates=sum(count - 1 for count in announced.values() if count > 1),
        losses=sum(1 for user_id in punches if announced[user_id] == 0),
        causes=causes,
        kills=tuple(kills),
    )


@dataclass
class Ledger:
    """Storage against the recorder for the three families, read right after each kill."""

    config_dir: Path
    terminal_entry: str
    door_entry: str
    push_entry: str
    terminal: TerminalSimulator
    door_users: dict[str, str]  # event id -> user id, as the door punches
    door_pending: Callable[[], list[str]]  # the event ids the door has not had acknowledged
    push_pending: Callable[[], list[str]]  # the user ids the push terminal has not had `OK` for
    entity_starts: Mapping[str, str]  # family -> the start of its punch entity ids (recorded)
    # The terminal's history: punches before its cursor, never announced (note_history).
    terminal_history: frozenset[str] = frozenset()
    kills: dict[str, list[KillFinding]] = field(
        default_factory=lambda: {family: [] for family in FAMILIES}
    )

    def note_history(self) -> None:
        """The terminal's log now is history: call once its cursor is placed, before punching."""
        self.terminal_history = frozenset(record.user_id for record in self.terminal.records)

    def delivered(self) -> dict[str, list[str]]:
        """User ids each family's storage counts as delivered, oldest first."""
        storage = self.config_dir / ".storage"
        users = dict(self.door_users)
        return {
            "terminal": [
                user_id
                for user_id in terminal_delivered(storage, self.terminal_entry, self.terminal)
                if user_id not in self.terminal_history
            ],
            "door": [
                users[event_id]
                for event_id in door_delivered(storage, self.door_entry)
                if event_id in users
            ],
            "push": push_delivered(storage, self.push_entry),
        }

    def announced(self) -> dict[str, Counter[str]]:
        """How often the recorder wrote each user id, per family."""
        return recorded(self.config_dir / PUNCH_LOG, self.entity_starts)

    def after_kill(self, kill: int, during_startup: bool) -> None:
        """Note what this kill left: Home Assistant is dead and not started again yet."""
        delivered, announced = self.delivered(), self.announced()
        self.kills["terminal"].append(
            finding(kill, during_startup, delivered["terminal"], announced["terminal"])
        )
        # Only an event the door still holds comes again: one acknowledged is never resent
        # (and may have left the Store's latest ids).
        users = dict(self.door_users)
        held = {users[event_id] for event_id in self.door_pending() if event_id in users}
        self.kills["door"].append(
            finding(kill, during_startup, delivered["door"], announced["door"], held)
        )
        # Likewise only a punch the push terminal still holds (no `OK` for it) is sent again.
        unanswered = set(self.push_pending())
        self.kills["push"].append(
            finding(kill, during_startup, delivered["push"], announced["push"], unanswered)
        )

    def lost_at_kills(self) -> set[str]:
        """The punches a kill left stored and unannounced: they will never come."""
        return {
            user_id
            for findings in self.kills.values()
            for kill in findings
            for user_id in kill.stored_not_announced
        }

    def tally(self, punches: dict[str, list[str]]) -> dict[str, Tally]:
        """Each family's tally, once Home Assistant has stopped."""
        delivered, announced = self.delivered(), self.announced()
        return {
            family: tally(made, announced[family], self.kills[family], set(delivered[family]))
            for family, made in punches.items()
        }
