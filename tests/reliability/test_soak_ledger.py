"""The crash soak's ledger: storage read with devicehub's own rules, and every loss and
duplicate tied to the kill that made it (or to none).
"""

from collections import Counter
from datetime import datetime, timedelta
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.devicehub.journal import DeliveryJournal
from custom_components.devicehub.push.ledger import PunchKey as PushPunchKey, PunchLedger
from custom_components.devicehub.terminal.cursor import AttendanceCursor, PunchKey
from tests.zksim_fixtures import SimulatorFactory

from .soak_ledger import (
    DOOR_DELIVERED,
    PUNCH_LOG,
    PUSH_LEDGER,
    TERMINAL_CURSOR,
    TERMINAL_JOURNAL,
    Ledger,
    door_delivered,
    finding,
    push_delivered,
    recorded,
    tally,
    terminal_delivered,
)

ENTRY_ID = "0123456789abcdef"
START = datetime(2026, 12, 3, 9, 0, 0)
ENTITY_STARTS = {"terminal": "event.soak_terminal", "push": "event.soak_push"}


def _write_store(storage: Path, key: str, hass_storage: dict[str, Any]) -> None:
    """The Store's file as Home Assistant writes it (the test harness keeps it in memory)."""
    storage.mkdir(exist_ok=True)
    (storage / key).write_text(json.dumps(hass_storage[key]), encoding="utf-8")


async def test_terminal_delivered_is_what_the_cursor_would_not_deliver_again(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    zk_simulator: SimulatorFactory,
    tmp_path: Path,
) -> None:
    """History before the cursor and the punches it stored count; one after it does not."""
    terminal = zk_simulator()
    history = terminal.inject_punch("1", when=START)
    cursor = AttendanceCursor(hass, ENTRY_ID)
    keys = [PunchKey(history.user_id, history.timestamp, history.punch)]
    await cursor.async_start_at(history.timestamp, keys)
    stored = terminal.inject_punch("2", when=START + timedelta(seconds=5))
    cursor.advance(PunchKey(stored.user_id, stored.timestamp, stored.punch))
    await cursor.async_flush()
    terminal.inject_punch("3", when=START + timedelta(seconds=9))  # not delivered yet
    key = TERMINAL_CURSOR.format(entry_id=ENTRY_ID)
    _write_store(tmp_path, key, hass_storage)

    assert terminal_delivered(tmp_path, ENTRY_ID, terminal) == ["1", "2"]
    # Another terminal's Store is not this one's.
    assert terminal_delivered(tmp_path, "another", terminal) == []


async def test_terminal_journal_entries_past_the_store_count(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    zk_simulator: SimulatorFactory,
    tmp_path: Path,
) -> None:
    """Journal entries after the Store's journal_seq are delivered; older ones are in it."""
    terminal = zk_simulator()
    cursor = AttendanceCursor(hass, ENTRY_ID)
    await cursor.async_start_at(START, [])
    key = TERMINAL_CURSOR.format(entry_id=ENTRY_ID)
    hass_storage[key]["data"]["journal_seq"] = 1
    _write_store(tmp_path, key, hass_storage)
    late = terminal.inject_punch("7", when=START + timedelta(seconds=3))
    ident = PunchKey(late.user_id, late.timestamp, late.punch).ident
    assert terminal_delivered(tmp_path, ENTRY_ID, terminal) == []  # no journal yet

    journal = DeliveryJournal.open(tmp_path / TERMINAL_JOURNAL.format(entry_id=ENTRY_ID), 4)
    journal.continue_after(0)
    journal.append(b"8|2026-12-03T09:00:01|0")  # seq 1: the Store holds it
    journal.append(ident.encode())  # seq 2: only the journal does
    journal.close()
    assert terminal_delivered(tmp_path, ENTRY_ID, terminal) == ["7"]


def test_door_delivered_is_the_stored_ids(tmp_path: Path) -> None:
    """The ids of the door's Store; none before it was written."""
    assert door_delivered(tmp_path, ENTRY_ID) == []
    store = {"version": 1, "minor_version": 1, "key": "k", "data": {"ids": ["d-2", "d-1"]}}
    (tmp_path / DOOR_DELIVERED.format(entry_id=ENTRY_ID)).write_text(
        json.dumps(store), encoding="utf-8"
    )
    assert door_delivered(tmp_path, ENTRY_ID) == ["d-2", "d-1"]  # as delivered


async def test_push_delivered_is_the_ledgers_keys_and_its_journal(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The keys the push ledger's Store remembers, then those only its journal holds (past
    the Store's journal_seq), as the ledger itself would load them after a kill."""
    storage = Path(hass.config.path(".storage"))
    assert push_delivered(storage, ENTRY_ID) == []  # nothing stored yet
    ledger = PunchLedger(hass, ENTRY_ID)
    await ledger.async_load()
    key = PUSH_LEDGER.format(entry_id=ENTRY_ID)
    await ledger.async_make_room()
    ledger.record(PushPunchKey("31", START, 0))
    await hass.async_block_till_done()  # the Store is saved with it
    assert hass_storage[key]["data"]["journal_seq"] == 1
    _write_store(storage, key, hass_storage)
    await ledger.async_make_room()
    ledger.record(PushPunchKey("32", START + timedelta(seconds=1), 1))  # the journal only
    try:
        assert push_delivered(storage, ENTRY_ID) == ["31", "32"]
        assert push_delivered(storage, "another") == []
    finally:
        await ledger.async_close()


def test_recorded_counts_per_family(tmp_path: Path) -> None:
    """The recorder's lines, counted by user id for the terminal, the push terminal and
    the door (every other punch entity)."""
    log = tmp_path / "punches.log"
    assert recorded(log, ENTITY_STARTS) == {
        "terminal": Counter(),
        "door": Counter(),
        "push": Counter(),
    }
    log.write_text(
        "event.soak_terminal_punch|101|2026-12-03T09:00:00.1+00:00\n"
        "event.soak_door_attendance|102|2026-12-03T09:00:00.2+00:00\n"
        "event.soak_terminal_punch|101|2026-12-03T09:00:03.1+00:00\n"
        "event.soak_push_punch|103|2026-12-03T09:00:03.2+00:00\n",
        encoding="utf-8",
    )
    assert recorded(log, ENTITY_STARTS) == {
        "terminal": Counter({"101": 2}),
        "door": Counter({"102": 1}),
        "push": Counter({"103": 1}),
    }


def test_each_loss_and_duplicate_is_tied_to_its_first_kill_or_to_none() -> None:
    """The first kill that showed a gap gets the loss or duplicate; the rest is untied."""
    kills = [
        # b was stored last and not announced: the kill fell between its write and event.
        finding(1, False, delivered=["a", "b"], announced={"a"}),
        # x was stored before c, which was announced: not that instant. d not stored yet.
        finding(2, True, delivered=["a", "b", "x", "c"], announced={"a", "c", "d"}),
        # A door's announced event that it no longer holds is not resent: no gap.
        finding(
            3,
            False,
            delivered=["a", "b", "x", "c"],
            announced={"a", "c", "d", "e"},
            resendable={"d"},
        ),
    ]
    assert kills[0].stored_not_announced == {"b"}
    assert kills[0].newest_stored == "b"
    assert kills[1].stored_not_announced == {"b", "x"}
    assert kills[1].announced_not_stored == {"d"}
    assert kills[2].announced_not_stored == {"d"}
    punches = ["a", "b", "c", "d", "e", "f", "g", "h", "x"]
    announced = Counter({"a": 1, "c": 1, "d": 2, "e": 2, "g": 1, "h": 0})
    delivered_at_end = {"a", "b", "c", "d", "e", "h", "x"}
    result = tally(punches, announced, kills, delivered_at_end)

    assert (result.punches, result.losses, result.duplicates) == (9, 4, 2)
    assert result.causes == {
        "b": "kill 1: stored, not announced, the newest stored",
        "d": "kill 2 (start-up): announced, not stored",
        "e": "no kill: announced twice",
        "f": "no kill: never delivered",
        "h": "no kill: stored, never announced",
        "x": "kill 2 (start-up): stored, not announced, not the newest stored",
    }
    assert result.untied() == {
        "e": "no kill: announced twice",
        "f": "no kill: never delivered",
        "h": "no kill: stored, never announced",
    }
    text = result.as_text()
    assert "1 by kill 1: stored, not announced, the newest stored (b)" in text
    assert "kills that left a gap: kill 1 stored, not announced: b (the newest stored); " in text
    assert "kill 2 (start-up) stored, not announced: x; " in text
    assert "kill 2 (start-up) announced, not stored: d" in text


def test_a_clean_soak_has_nothing_to_tie() -> None:
    """No loss, no duplicate, no kill that left a gap."""
    kills = [finding(1, False, delivered=["a"], announced={"a"})]
    result = tally(["a"], Counter({"a": 1}), kills, delivered_at_end={"a"})
    assert result.causes == {}
    assert result.as_text() == "1 punches, 0 duplicates, 0 losses; kills that left a gap: none"


async def test_the_ledger_reads_both_families_at_a_kill(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    zk_simulator: SimulatorFactory,
    tmp_path: Path,
) -> None:
    """History is left out; a door event the door still holds, and a push punch the push
    terminal still holds, are duplicates in the making."""
    terminal = zk_simulator()
    history = terminal.inject_punch("1", when=START)
    cursor = AttendanceCursor(hass, ENTRY_ID)
    await cursor.async_start_at(history.timestamp, [PunchKey("1", history.timestamp, 0)])
    pending = ["d-3"]
    push_pending = ["23"]
    ledger = Ledger(
        tmp_path,
        ENTRY_ID,
        "door",
        "push",
        terminal,
        door_users={"d-1": "11", "d-2": "12", "d-3": "13"},
        door_pending=lambda: pending,
        push_pending=lambda: push_pending,
        entity_starts=ENTITY_STARTS,
    )
    ledger.note_history()
    stored = terminal.inject_punch("2", when=START + timedelta(seconds=2))
    cursor.advance(PunchKey("2", stored.timestamp, 0))
    await cursor.async_flush()
    storage = tmp_path / ".storage"
    _write_store(storage, TERMINAL_CURSOR.format(entry_id=ENTRY_ID), hass_storage)
    door_store = {"version": 1, "minor_version": 1, "key": "k", "data": {"ids": ["d-1", "d-2"]}}
    (storage / DOOR_DELIVERED.format(entry_id="door")).write_text(
        json.dumps(door_store), encoding="utf-8"
    )
    push_keys = [PushPunchKey(user, START, 0).stored() for user in ("21", "22")]
    push_store = {
        "version": 1,
        "minor_version": 2,
        "key": "k",
        "data": {"recent": push_keys, "journal_seq": 0},
    }
    (storage / PUSH_LEDGER.format(entry_id="push")).write_text(
        json.dumps(push_store), encoding="utf-8"
    )
    (tmp_path / PUNCH_LOG).write_text(
        "event.soak_door_punch|11|2026-12-03T09:00:00.1+00:00\n"
        "event.soak_door_punch|13|2026-12-03T09:00:00.3+00:00\n"
        "event.soak_push_punch|21|2026-12-03T09:00:00.4+00:00\n"
        "event.soak_push_punch|23|2026-12-03T09:00:00.5+00:00\n"
        "event.soak_push_punch|24|2026-12-03T09:00:00.6+00:00\n",
        encoding="utf-8",
    )

    ledger.after_kill(1, during_startup=False)

    terminal_kill, door_kill = ledger.kills["terminal"][0], ledger.kills["door"][0]
    push_kill = ledger.kills["push"][0]
    assert terminal_kill.stored_not_announced == {"2"}  # "1" is history, never announced
    assert terminal_kill.newest_stored == "2"
    assert door_kill.stored_not_announced == {"12"}
    assert door_kill.announced_not_stored == {"13"}  # still held by the door: resent
    assert push_kill.stored_not_announced == {"22"}
    assert push_kill.newest_stored == "22"
    # 23 is still held by the push terminal (no `OK`): sent again. 24 was answered `OK`.
    assert push_kill.announced_not_stored == {"23"}
    assert ledger.lost_at_kills() == {"2", "12", "22"}
    tallies = ledger.tally(
        {"terminal": ["2"], "door": ["11", "12", "13"], "push": ["21", "22", "23", "24"]}
    )
    assert tallies["terminal"].causes == {"2": "kill 1: stored, not announced, the newest stored"}
    assert tallies["door"].causes == {"12": "kill 1: stored, not announced, the newest stored"}
    assert tallies["push"].causes == {"22": "kill 1: stored, not announced, the newest stored"}
    pending.clear()  # acknowledged: never resent, so no duplicate in the making
    push_pending.clear()  # answered `OK`: never sent again
    ledger.after_kill(2, during_startup=True)
    assert ledger.kills["door"][1].announced_not_stored == set()
    assert ledger.kills["push"][1].announced_not_stored == set()
