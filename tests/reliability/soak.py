"""Tools of the terminal soak: a ledger of injected punches and a recorder of delivered ones.

A punch is keyed by who, when (the terminal's local time, as the event carries it) and which
state: the key Home Assistant users dedupe on, and the one delivery promises exactly once.
"""

import asyncio
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
import itertools

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from custom_components.devicehub.punch import punch_type
from tools.zksim import AttendanceRecord, TerminalSimulator, User

type PunchKey = tuple[str, str, str]

# ZKTeco attendance states 0-5: with N users, 6 * N distinct punches fit in one second.
PUNCH_STATES = 6


def key_of(record: AttendanceRecord) -> PunchKey:
    """The key of a terminal record, as its delivered event shows it."""
    stamp = record.timestamp.replace(tzinfo=dt_util.get_default_time_zone())
    return (record.user_id, stamp.isoformat(), punch_type(record.punch))


class Ledger:
    """Makes punches on the simulator and remembers each one.

    Timestamps never go back (unless the test rewinds after moving the clock back) and no two
    punches share a key, so the set of keys is the set of punches.
    """

    def __init__(self, sim: TerminalSimulator, users: list[User]) -> None:
        """Punch as these enrolled users."""
        self._sim = sim
        self._users = users
        self._combos = [(user, state) for state in range(PUNCH_STATES) for user in users]
        self._next_combo = itertools.count()
        self._used: dict[datetime, set[tuple[str, int]]] = {}
        self._last = datetime.min
        self.records: list[AttendanceRecord] = []
        self.unreadable: set[PunchKey] = set()

    def _stamp_and_combo(self, base: datetime) -> tuple[datetime, User, int]:
        stamp = max(base, self._last)
        while True:
            used = self._used.setdefault(stamp, set())
            if len(used) < len(self._combos):
                break
            stamp += timedelta(seconds=1)
        while True:
            user, state = self._combos[next(self._next_combo) % len(self._combos)]
            if (user.user_id, state) not in used:
                used.add((user.user_id, state))
                self._last = stamp
                return stamp, user, state

    def punch(self, count: int = 1) -> list[AttendanceRecord]:
        """People punch now: logged and pushed to live sessions, as a terminal does."""
        made = []
        for _ in range(count):
            stamp, user, state = self._stamp_and_combo(self._sim.clock.now())
            made.append(self._sim.inject_punch(user.user_id, state, 1, stamp))
        self.records.extend(made)
        return made

    def bulk(self, count: int) -> list[AttendanceRecord]:
        """Punches logged while nobody listened (pushed to no one), in one go."""
        made = []
        for _ in range(count):
            stamp, user, state = self._stamp_and_combo(self._sim.clock.now())
            made.append(AttendanceRecord(user.uid, user.user_id, stamp, 15, state))
        self._sim.add_records(made)
        # The terminal's clock has moved on past the last of them.
        if made and made[-1].timestamp > self._sim.clock.now():
            self._sim.clock.set(made[-1].timestamp)
        self.records.extend(made)
        return made

    def rewind(self) -> None:
        """Follow the terminal clock after it was moved back."""
        self._last = self._sim.clock.now()

    def expected(self) -> set[PunchKey]:
        """Every punch made that the terminal could hand over with a readable date."""
        return {key_of(record) for record in self.records} - self.unreadable


class DeliveredPunches:
    """Every punch the terminal's event entity fires, counted by key.

    A new punch is a new state (an event entity's state is the time of its last event); an
    entity becoming available again shows its last event once more, with the same state.
    """

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Follow the entity."""
        self.counts: Counter[PunchKey] = Counter()
        self.late: dict[PunchKey, bool] = {}
        self.phase = ""  # what the test is doing, noted with each first delivery
        self.delivered_in: dict[PunchKey, str] = {}
        self._last_state: str | None = None
        self._waiters: list[tuple[frozenset[PunchKey], asyncio.Future[None]]] = []
        self._unsub = async_track_state_change_event(hass, entity_id, self._changed)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return
        if new.state == self._last_state:
            return
        self._last_state = new.state
        attributes = new.attributes
        key = (attributes["user_id"], attributes["timestamp"], attributes["event_type"])
        self.counts[key] += 1
        self.late[key] = attributes["late"]
        self.delivered_in.setdefault(key, self.phase)
        for wanted, future in self._waiters:
            if not future.done() and wanted <= self.counts.keys():
                future.set_result(None)

    def missing(self, expected: Iterable[PunchKey]) -> set[PunchKey]:
        """Expected punches not delivered yet."""
        return set(expected) - self.counts.keys()

    def duplicates(self) -> dict[PunchKey, int]:
        """Punches delivered more than once."""
        return {key: count for key, count in self.counts.items() if count > 1}

    async def wait_for(self, expected: Iterable[PunchKey]) -> None:
        """Return once every expected punch was delivered (no time limit of its own)."""
        wanted = frozenset(expected)
        if wanted <= self.counts.keys():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((wanted, future))
        try:
            await future
        finally:
            self._waiters.remove((wanted, future))

    def stop(self) -> None:
        """Stop following."""
        self._unsub()
