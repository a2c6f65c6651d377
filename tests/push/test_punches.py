"""Punches from a push terminal: durable before announced and before `OK`, delivered exactly
once, late when a backlog, across resends, storage failures, kills and restarts."""

from copy import deepcopy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util.file import WriteError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.journal import SLOT_SIZE
from custom_components.devicehub.punch import Punch
from custom_components.devicehub.push.const import RECENT_PUNCH_KEYS
from custom_components.devicehub.push.ledger import JOURNAL_SLOTS
from tests.journals import durable, journal_file
from tools.admssim import PushTerminalSimulator, UploadResult

from .conftest import (
    LAST_PUNCH_ENTITY,
    PUNCH_ENTITY,
    SERIAL,
    USERS,
    EventRecorder,
    PunchRecorder,
    SimFactory,
    push_entry,
    runtime_of,
)


def tear_entry(journal: Path, seq: int) -> None:
    """Damage one entry's payload, as a kill in the middle of its copy would."""
    data = bytearray(journal.read_bytes())
    data[seq * SLOT_SIZE + 18] ^= 0xFF  # first payload byte; entry seq sits in slot seq
    journal.write_bytes(bytes(data))


async def test_live_punch_fires_event(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    punches: EventRecorder,
) -> None:
    """A realtime upload fires one punch event with the pull terminals' data, not late."""
    punch = sim.inject_punch("1001", status=1, verify=15)
    assert await sim.upload_once() is UploadResult.ACCEPTED
    await hass.async_block_till_done()
    assert punches.punches == [
        {
            "event_types": punches.punches[0]["event_types"],
            "event_type": "check_out",
            "user_id": "1001",
            "user_name": None,
            "verify": "face",
            "timestamp": punch.time.replace(tzinfo=punches_zone()).isoformat(),
            "terminal": "Gate",
            "serial_number": SERIAL,
            "late": False,
            "friendly_name": "Gate Punch",
        }
    ]
    state = hass.states.get(LAST_PUNCH_ENTITY)
    assert state is not None
    assert state.state == "1001"
    assert state.attributes["punch"] == "check_out"
    assert sim.exchanges[-1].reply == "OK:1"


def punches_zone():
    """The entries of these tests run in UTC."""
    from datetime import UTC

    return UTC


async def test_backlog_after_outage_is_late_and_once(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A 2,500-punch backlog arrives in batches of 1,000, each punch once, all late; the
    whole log uploaded again (stamps reset) delivers nothing more."""
    delivered = PunchRecorder(runtime_of(loaded_entry))
    sim.go_offline()
    backlog = sim.add_backlog(2_500, start=sim.clock.now() - timedelta(hours=2))
    assert await sim.flush() is UploadResult.OFFLINE
    sim.go_online()
    assert await sim.flush() is UploadResult.NOTHING
    assert [e.lines for e in sim.exchanges if e.table == "ATTLOG"] == [1_000, 1_000, 500]
    assert len(delivered.punches) == 2_500
    assert len(set(delivered.keys)) == 2_500
    assert all(punch.late for punch in delivered.punches)
    assert [p.timestamp.replace(tzinfo=None) for p in delivered.punches] == [
        punch.time for punch in backlog
    ]

    assert sim.resend_history() == 2_500
    assert await sim.flush() is UploadResult.NOTHING
    assert len(delivered.punches) == 2_500
    counters = runtime_of(loaded_entry).counters
    assert counters["punches_delivered"] == 2_500
    assert counters["punches_duplicate"] == 2_500


async def test_resend_after_storage_failure(
    hass: HomeAssistant,
    make_sim: SimFactory,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While storage fails, the journal's 1,024 slots hold what was delivered. A batch
    that finds no free slot is not acknowledged: the punches journaled before it were
    delivered, the terminal sends the batch again, and then each punch is delivered once."""
    assert JOURNAL_SLOTS == 1_024
    delivered = PunchRecorder(runtime_of(loaded_entry))
    sim = await make_sim(batch_size=2_000)
    assert await sim.handshake()
    backlog = sim.add_backlog(1_100, start=sim.clock.now() - timedelta(hours=1))
    with patch.object(Store, "async_save", side_effect=HomeAssistantError("disk full")):
        assert await sim.upload_once() is UploadResult.REFUSED
        await hass.async_block_till_done()
    assert sim.exchanges[-1].status == 503
    assert len(delivered.punches) == 1_024
    assert "Could not save devicehub.push_journal" in caplog.text
    assert await sim.upload_once() is UploadResult.ACCEPTED
    assert await sim.upload_once() is UploadResult.NOTHING
    assert sim.resends == 1
    assert [p.timestamp.replace(tzinfo=None) for p in delivered.punches] == [
        punch.time for punch in backlog
    ]
    assert runtime_of(loaded_entry).ledger.dropped_duplicates == 1_024


async def test_storage_write_errors_are_logged(
    hass: HomeAssistant,
    make_sim: SimFactory,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Home Assistant logs a failed storage write instead of raising it: punches go on being
    delivered and answered past the journal's slots, and the next write that succeeds
    holds them all."""
    key = f"{DOMAIN}.push.{loaded_entry.entry_id}"
    delivered = PunchRecorder(runtime_of(loaded_entry))
    sim = await make_sim(batch_size=2_000)
    assert await sim.handshake()
    sim.add_backlog(JOURNAL_SLOTS + 76, start=sim.clock.now() - timedelta(hours=1))
    with patch.object(Store, "_async_write_data", side_effect=WriteError("disk full")):
        assert await sim.upload_once() is UploadResult.ACCEPTED
        await hass.async_block_till_done()
    assert f"Error writing config for {key}: disk full" in caplog.text
    assert len(delivered.punches) == 1_100
    sim.inject_punch("1001")
    assert await sim.flush() is UploadResult.NOTHING
    await hass.async_block_till_done()
    assert len(hass_storage[key]["data"]["recent"]) == 1_101
    assert hass_storage[key]["data"]["journal_seq"] == 1_101


async def test_kill_before_the_ledger_is_saved(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Keys the Store missed (Home Assistant killed before its background save, so the
    terminal got no `OK`) come back from the journal file: the resent batch delivers
    nothing again. A slot torn by the kill is left out, so its punch is delivered then."""
    key = f"{DOMAIN}.push.{loaded_entry.entry_id}"
    journal = journal_file(hass, f"push_journal.{loaded_entry.entry_id}")
    delivered = PunchRecorder(runtime_of(loaded_entry))
    sim.inject_punch("1001", when=sim.clock.now() - timedelta(minutes=3))
    assert await sim.flush() is UploadResult.NOTHING
    await hass.async_block_till_done()
    before_kill = deepcopy(hass_storage[key])
    assert before_kill["minor_version"] == 2
    assert before_kill["data"]["journal_seq"] == 1
    batch = [
        sim.inject_punch("1002", when=sim.clock.now() - timedelta(minutes=2)),
        sim.inject_punch("1001", status=1, when=sim.clock.now() - timedelta(minutes=1)),
    ]
    body = "".join(p.line() + "\n" for p in batch).encode()
    assert await sim.post_raw("cdata", body, {"table": "ATTLOG", "Stamp": "3"}) == (200, "OK:2")
    await hass.async_block_till_done()
    assert hass_storage[key]["data"]["journal_seq"] == 3  # the background save ran
    assert len(delivered.punches) == 3

    async def restart_killed(entry: MockConfigEntry) -> PunchRecorder:
        """Unload, put back the Store as it was before the kill, load again."""
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert await hass.async_add_executor_job(journal.exists)  # kept on unload
        hass_storage[key] = deepcopy(before_kill)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return PunchRecorder(runtime_of(entry))

    after = await restart_killed(loaded_entry)
    assert runtime_of(loaded_entry).ledger.remembered == 3
    assert hass_storage[key]["data"]["journal_seq"] == 3  # the replay was saved at once
    assert runtime_of(loaded_entry).ledger.stamps == {"ATTLOG": "1"}  # the batch's was lost
    assert await sim.post_raw("cdata", body, {"table": "ATTLOG", "Stamp": "3"}) == (200, "OK:2")
    assert after.punches == []
    assert runtime_of(loaded_entry).ledger.dropped_duplicates == 2

    await hass.async_add_executor_job(tear_entry, journal, 3)
    after = await restart_killed(loaded_entry)
    assert runtime_of(loaded_entry).ledger.remembered == 2
    assert await sim.post_raw("cdata", body, {"table": "ATTLOG", "Stamp": "3"}) == (200, "OK:2")
    assert [(p.user_id, p.punch_type) for p in after.punches] == [("1001", "check_out")]


async def test_reply_lost_resend_dropped(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """The same batch posted twice (its OK lost on the way) is delivered once. Each punch is
    durable when it is announced (in the Store, or journaled since its last save), and so
    is every punch of the batch when `OK` goes back."""
    key = f"{DOMAIN}.push.{loaded_entry.entry_id}"
    journal = f"push_journal.{loaded_entry.entry_id}"

    def durable_keys() -> list[str]:
        stored = hass_storage[key]["data"] if key in hass_storage else {}
        return durable(hass, journal, stored, "recent")

    def durable_key(punch: Punch) -> str | None:
        stamp = punch.timestamp.replace(tzinfo=None).isoformat()
        return next(
            (k for k in durable_keys() if k.startswith(f"{punch.user_id}\t{stamp}\t")), None
        )

    delivered = PunchRecorder(runtime_of(loaded_entry))
    durable_when_announced: list[str | None] = []
    runtime_of(loaded_entry).punches.async_add_listener(
        lambda punch: durable_when_announced.append(durable_key(punch))
    )
    batch = [sim.inject_punch("1001"), sim.inject_punch("1002", status=1)]
    body = "".join(p.line() + "\n" for p in batch).encode()
    status, reply = await sim.post_raw("cdata", body, {"table": "ATTLOG", "Stamp": "2"})
    assert (status, reply) == (200, "OK:2")
    expected = [
        f"{p.user_id}\t{p.time.replace(microsecond=0).isoformat()}\t{p.status}" for p in batch
    ]
    assert durable_when_announced == expected
    assert sorted(durable_keys()) == sorted(expected)
    status, reply = await sim.post_raw("cdata", body, {"table": "ATTLOG", "Stamp": "2"})
    assert (status, reply) == (200, "OK:2")
    assert len(delivered.punches) == 2


async def test_exactly_once_across_restart(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
) -> None:
    """Punches made while Home Assistant is down are refused meanwhile, then delivered
    once after the restart (late); the log resent after it delivers nothing again."""
    delivered = PunchRecorder(runtime_of(loaded_entry))
    sim.inject_punch("1001", when=sim.clock.now() - timedelta(minutes=30))
    assert await sim.flush() is UploadResult.NOTHING
    assert len(delivered.punches) == 1

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    sim.add_backlog(1_500, start=sim.clock.now() - timedelta(minutes=25))
    assert await sim.upload_once() is UploadResult.REFUSED
    assert sim.exchanges[-1].status == 403

    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()
    after = PunchRecorder(runtime_of(loaded_entry))
    assert await sim.flush() is UploadResult.NOTHING
    assert len(after.punches) == 1_500
    assert all(punch.late for punch in after.punches)

    assert sim.resend_history() == 1_501
    sim.handshaken = False
    assert await sim.flush() is UploadResult.NOTHING
    assert len(after.punches) == 1_500
    state = hass.states.get(PUNCH_ENTITY)
    assert state is not None
    assert state.attributes["late"] is True


async def test_handshake_tells_the_stamp_taken(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """After a restart the handshake tells the terminal the last stamp stored, so it does
    not upload its whole log again."""
    assert sim.server_options["ATTLOGStamp"] == "None"
    sim.inject_punch("1001")
    sim.inject_punch("1002")
    assert await sim.flush() is UploadResult.NOTHING
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert await sim.handshake()
    assert sim.server_options["ATTLOGStamp"] == "2"
    assert sim.server_options["Delay"] == "10"
    assert sim.server_options["Realtime"] == "1"
    assert sim.server_options["TimeZone"] == "0"


async def test_malformed_lines_skipped(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Malformed lines are counted and skipped; the good lines of the batch are taken."""
    delivered = PunchRecorder(runtime_of(loaded_entry))
    now = sim.clock.now().strftime("%Y-%m-%d %H:%M:%S")
    body = "\n".join(
        (
            f"1001\t{now}\t0\t1\t0\t0\t0",
            "not a punch",
            "1002\t2026-13-45 99:00:00\t0\t1",
            f"1002\t{now}\t1\t15\t0\t0\t0",
            "x" * 5_000,
        )
    ).encode()
    status, reply = await sim.post_raw("cdata", body, {"table": "ATTLOG", "Stamp": "9"})
    assert (status, reply) == (200, "OK:5")
    assert [p.user_id for p in delivered.punches] == ["1001", "1002"]
    assert runtime_of(loaded_entry).counters["malformed_lines"] == 3


async def test_history_before_adding_is_not_replayed(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A new terminal's first upload may hold its whole log: punches from before the entry
    was added are taken (OK) but not delivered."""
    delivered = PunchRecorder(runtime_of(loaded_entry))
    sim.inject_punch("1001", when=sim.clock.now() - timedelta(days=3))
    sim.inject_punch("1002", when=sim.clock.now() - timedelta(hours=1))
    assert await sim.flush() is UploadResult.NOTHING
    assert [p.user_id for p in delivered.punches] == ["1002"]
    assert runtime_of(loaded_entry).ledger.dropped_before_cursor == 1


async def test_punches_just_after_adding_are_news(
    hass: HomeAssistant, make_sim: SimFactory, http_client: TestClient
) -> None:
    """A terminal's clock may lag Home Assistant's (it is set from the whole-second HTTP Date
    header): punches stamped up to 2 minutes before the entry was added are delivered, so a
    punch made right after adding is never taken for history."""
    entry = push_entry()
    entry.created_at = datetime(2026, 3, 2, 9, 30, 0, 900_000, tzinfo=UTC)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    delivered = PunchRecorder(runtime_of(entry))
    sim = await make_sim()
    sim.add_users(USERS)
    assert await sim.handshake()
    added = entry.created_at.replace(tzinfo=None)
    for user_id, before in (("1", 121), ("2", 119), ("3", 1), ("4", 0)):
        sim.inject_punch(user_id, when=added.replace(microsecond=0) - timedelta(seconds=before))
    assert await sim.flush() is UploadResult.NOTHING
    assert [p.user_id for p in delivered.punches] == ["2", "3", "4"]
    assert runtime_of(entry).ledger.dropped_before_cursor == 1


async def test_backlog_beyond_remembered_keys(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A 25,000-punch backlog (more than the 20,000 keys remembered) is delivered once; the
    log uploaded again is dropped whole, the oldest punches by the time cursor."""
    assert RECENT_PUNCH_KEYS == 20_000
    runtime = runtime_of(loaded_entry)
    delivered = PunchRecorder(runtime)
    sim.go_offline()
    sim.add_backlog(25_000, start=sim.clock.now() - timedelta(hours=8), users=500)
    sim.go_online()
    assert await sim.flush(max_batches=100) is UploadResult.NOTHING
    assert len(delivered.punches) == 25_000
    assert runtime.ledger.remembered == 20_000
    assert sim.resend_history() == 25_000
    assert await sim.flush(max_batches=100) is UploadResult.NOTHING
    assert len(delivered.punches) == 25_000
    assert runtime.ledger.dropped_before_cursor == 5_000
    assert runtime.ledger.dropped_duplicates == 20_000


async def test_two_terminals_apart(
    hass: HomeAssistant, make_sim: SimFactory, sim: PushTerminalSimulator
) -> None:
    """The same punch at two terminals is two punches: each terminal has its own ledger."""
    from .conftest import push_entry

    other = push_entry("CQZ0000000002")
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    second = await make_sim("CQZ0000000002")
    when = sim.clock.now()
    sim.inject_punch("1001", when=when)
    second.inject_punch("1001", when=when)
    first_delivered = PunchRecorder(runtime_of(hass.config_entries.async_entries()[0]))
    second_delivered = PunchRecorder(runtime_of(other))
    assert await sim.flush() is UploadResult.NOTHING
    assert await second.flush() is UploadResult.NOTHING
    assert len(first_delivered.punches) == len(second_delivered.punches) == 1
