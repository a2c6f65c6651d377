"""Soak: a few thousand punches through every terminal fault and a Home Assistant restart.

One terminal (the simulator) and one Home Assistant entry live through a scripted sequence of
faults while people keep punching: live while the link is up, into the log only while it is
down, and in bulk. At every checkpoint, and at the end, the punches Home Assistant fired must
be exactly the punches on the terminal since the cursor started: none lost, none twice.

Real sockets and threads run here, so waits are on futures and thread events with deadlines,
and Home Assistant's own timers (polls, retries) are moved with async_fire_time_changed.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
import itertools
import logging
import threading
import time
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from zk import ZK
from zk.exception import ZKErrorResponse

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal import runtime as runtime_module
from custom_components.devicehub.terminal.const import ISSUE_CLOCK_DRIFT
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from custom_components.devicehub.zk import live as live_module
from custom_components.devicehub.zk.live import LiveCapture
from tests.terminal.conftest import (
    async_wait_live_connected,
    entry_data,
    ha_wall_clock_offset,
)
from tests.zksim_fixtures import SimulatorFactory, close_pyzk
from tools.zksim import BusyMode, ChunkMode, GarbageKind, TerminalSimulator

from .soak import DeliveredPunches, Ledger, key_of

SERIAL = "ZKSOAK0000001"
TITLE = "Soak"
PUNCH_ENTITY = "event.soak_punch"
LOCK_ENTITY = "lock.soak"
USERS = 60
# Small timings keep the soak within a minute or so: terminal calls, watchdog, backoff.
CALL_TIMEOUT = 0.5
WATCHDOG = 1.0
HEARTBEAT = 0.3
BACKOFF = (0.05, 0.4)
WAIT = 20.0  # the longest any single wait may take, in seconds


class Attempts:
    """When live capture tried to connect; thread-safe, with a bounded wait."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._changed = threading.Condition()

    def note(self) -> None:
        with self._changed:
            self.times.append(time.monotonic())
            self._changed.notify_all()

    def wait_for(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self.times) >= count, WAIT)


@dataclass
class Observed:
    """What the soak saw happen, phase by phase."""

    phase: str = "setup"
    # (phase, state) of the lock: it is available exactly while polls succeed.
    lock_states: list[tuple[str, str]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)  # each fault switched on
    attempts: Attempts = field(default_factory=Attempts)  # live capture connection attempts

    def unavailable_in(self, phase: str) -> bool:
        """Whether the lock went unavailable during a phase."""
        return (phase, STATE_UNAVAILABLE) in self.lock_states


@pytest.fixture
def soak_timings() -> Iterator[Attempts]:
    """Live capture with a short watchdog and backoff; records each connection attempt."""
    attempts = Attempts()
    original = live_module.open_session

    def recording_open_session(*args: Any, **kwargs: Any) -> Any:
        attempts.note()
        return original(*args, **kwargs)

    with (
        patch.object(runtime_module, "LIVE_WATCHDOG_SECONDS", WATCHDOG),
        patch.object(runtime_module, "LIVE_HEARTBEAT_SECONDS", HEARTBEAT),
        patch.object(runtime_module, "LiveCapture", partial(LiveCapture, retry_backoff=BACKOFF)),
        patch.object(live_module, "open_session", recording_open_session),
    ):
        yield attempts


class Soak:
    """Drives one terminal entry through the scripted faults."""

    def __init__(
        self,
        hass: HomeAssistant,
        sim: TerminalSimulator,
        entry: MockConfigEntry,
        observed: Observed,
        punches: DeliveredPunches,
    ) -> None:
        self.hass = hass
        self.sim = sim
        self.entry = entry
        self.observed = observed
        self.punches = punches
        self.ledger = Ledger(sim, sim.users)
        # Records in the log before the cursor started are history, never delivered.
        self.history = sim.record_count
        self.log_epochs: list[list[Any]] = []  # logs read back before each clear

    @property
    def runtime(self) -> TerminalRuntime:
        runtime: TerminalRuntime = self.entry.runtime_data
        return runtime

    def phase(self, name: str, fault: str | None = None) -> None:
        self.observed.phase = self.punches.phase = name
        if fault is not None:
            self.observed.faults.append(fault)

    def nudge(self) -> None:
        """Let Home Assistant's timers (polls, retries) run as if minutes had passed."""
        async_fire_time_changed(self.hass, dt_util.utcnow() + timedelta(minutes=6))

    async def in_thread(self, func: Callable[..., Any], *args: Any) -> Any:
        return await self.hass.async_add_executor_job(func, *args)

    async def live_connected(self, connected: bool = True) -> None:
        """Wait until the runtime learned live capture is (dis)connected."""
        await async_wait_live_connected(self.hass, self.runtime, connected, WAIT)

    async def lock_available(self) -> None:
        """Wait until the lock is available again, without moving Home Assistant's time.

        Once live capture is back, the terminal evidently answers: its entities must not wait
        for the next scheduled poll (minutes away while live capture runs) to come back.
        """
        reached: asyncio.Future[None] = self.hass.loop.create_future()

        @callback
        def changed(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is not None and new.state != STATE_UNAVAILABLE and not reached.done():
                reached.set_result(None)

        unsub = async_track_state_change_event(self.hass, LOCK_ENTITY, changed)
        try:
            state = self.hass.states.get(LOCK_ENTITY)
            if state is None or state.state == STATE_UNAVAILABLE:
                async with asyncio.timeout(WAIT):
                    await reached
        finally:
            unsub()

    async def poll_failed(self) -> None:
        """Wait until a poll of the terminal failed (the lock is then unavailable)."""
        coordinator = self.runtime.coordinator
        deadline = time.monotonic() + WAIT
        while coordinator.last_update_success:
            assert time.monotonic() < deadline, "no poll failed"
            done: asyncio.Future[None] = self.hass.loop.create_future()

            @callback
            def updated(future: asyncio.Future[None] = done) -> None:
                if not future.done():
                    future.set_result(None)

            unsub = coordinator.async_add_listener(updated)
            try:
                self.nudge()
                async with asyncio.timeout(WAIT):
                    await done
            finally:
                unsub()

    async def settle(self) -> None:
        """Wait until every punch made so far was delivered; nudge timers meanwhile."""
        expected = self.ledger.expected()
        deadline = time.monotonic() + WAIT
        while missing := self.punches.missing(expected):
            if time.monotonic() > deadline:
                sample = sorted(missing)[:5]
                pytest.fail(f"{self.observed.phase}: {len(missing)} punches missing, e.g. {sample}")
            self.nudge()
            try:
                async with asyncio.timeout(1.0):
                    await self.punches.wait_for(expected)
            except TimeoutError:
                continue
        assert self.punches.duplicates() == {}, self.observed.phase
        # A record unreadable once may read well later (the simulator spoils dates on the way).
        unexpected = set(self.punches.counts) - expected - self.ledger.unreadable
        assert unexpected == set(), f"{self.observed.phase}: unexpected punches"

    def terminal_keys(self) -> set[Any]:
        """Every punch the terminal logged since the cursor started, clears included."""
        logs = [*self.log_epochs, self.sim.records]
        keys = {key_of(record) for record in logs[0][self.history :]}
        for log in logs[1:]:
            keys |= {key_of(record) for record in log}
        return keys


async def test_terminal_soak(
    hass: HomeAssistant,
    zk_simulator: SimulatorFactory,
    hass_storage: dict[str, Any],
    soak_timings: Attempts,
    caplog: pytest.LogCaptureFixture,
    unload_at_teardown: None,
) -> None:
    """Every fault survived; delivered punches equal the terminal's, once each."""
    caplog.set_level(logging.INFO)
    sim = zk_simulator(users=0, serial=SERIAL, seed=7, records=0, event_holdoff=0.0)
    sim.generate_users(USERS)
    sim.clock.offset = ha_wall_clock_offset()
    # A history the terminal held before Home Assistant met it: never delivered.
    history = Ledger(sim, sim.users)
    history.bulk(300)
    sim.clock.jump(timedelta(seconds=2))

    entry = MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=SERIAL,
        data=entry_data(sim, timeout=CALL_TIMEOUT),
        entry_id="01SOAKENTRY000000000000000",
    )
    entry.add_to_hass(hass)
    observed = Observed(attempts=soak_timings)

    @callback
    def lock_changed(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            observed.lock_states.append((observed.phase, new.state))

    unsub_lock = async_track_state_change_event(hass, LOCK_ENTITY, lock_changed)
    punches = DeliveredPunches(hass, PUNCH_ENTITY)
    soak = Soak(hass, sim, entry, observed, punches)
    try:
        await run_scenario(soak)
    finally:
        punches.stop()
        unsub_lock()
    # Each outage is logged once when it starts and once when it ends; nothing else is loud.
    loud = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("custom_components.devicehub", "zk"))
        and record.levelno >= logging.WARNING
    ]
    assert all(message.startswith(f"Error fetching terminal {TITLE} data") for message in loud)
    recovered = [r for r in caplog.records if r.getMessage().endswith(" data recovered")]
    # An outage may end with the entry unloaded (the restart): its poller never logs recovery.
    assert len(loud) - 1 <= len(recovered) <= len(loud)
    states = [state for _, state in observed.lock_states]
    streaks = sum(
        1
        for before, after in itertools.pairwise(["", *states])
        if after == STATE_UNAVAILABLE != before
    )
    assert 3 <= len(loud) <= streaks, (loud, streaks)


async def start_entry(soak: Soak) -> None:
    """Set the entry up (retrying while the terminal is away) and wait until live."""
    hass, entry = soak.hass, soak.entry
    if entry.state is ConfigEntryState.NOT_LOADED:
        await hass.config_entries.async_setup(entry.entry_id)
    deadline = time.monotonic() + WAIT
    while entry.state is not ConfigEntryState.LOADED:
        assert entry.state is ConfigEntryState.SETUP_RETRY, entry.state
        assert time.monotonic() < deadline, "setup never succeeded"
        soak.nudge()  # the retry timer
        await hass.async_block_till_done(wait_background_tasks=True)
    await soak.live_connected()
    async with asyncio.timeout(WAIT):
        await soak.runtime.async_catch_up()


async def outage_then_recovery(soak: Soak, *, poll_fails: bool) -> None:
    """People keep punching through an outage; then wait for live capture to be back."""
    soak.ledger.punch(40)
    await soak.live_connected(False)
    soak.ledger.punch(60)
    if poll_fails:
        await soak.poll_failed()
    soak.ledger.bulk(300)
    soak.ledger.punch(40)


async def run_scenario(soak: Soak) -> None:
    """The scripted sequence of faults."""
    hass, sim, ledger, observed = soak.hass, soak.sim, soak.ledger, soak.observed
    await start_entry(soak)
    assert soak.punches.counts == {}  # the terminal's history is not news

    soak.phase("live")
    for _ in range(4):
        ledger.punch(75)
    await soak.settle()
    assert not any(soak.punches.late.values())

    soak.phase("reboot", "terminal reboots during live capture, silently")
    ledger.punch(30)
    await soak.in_thread(sim.reboot, 0.3)
    observed.injected["silent reboot"] += 1
    await outage_then_recovery(soak, poll_fails=False)
    await soak.live_connected()
    ledger.punch(30)
    await soak.settle()

    soak.phase("drop", "connection dropped mid-transfer, twice")
    sim.faults.drop_mid_transfer = 2
    observed.injected["transfer dropped midway"] += 2
    await soak.in_thread(sim.reboot, 0)
    observed.injected["silent reboot"] += 1
    await outage_then_recovery(soak, poll_fails=False)
    await soak.live_connected()
    await soak.settle()
    assert sim.faults.drop_mid_transfer == 0

    soak.phase("delay", "replies delayed past the timeout")
    sim.faults.reply_delay = 2 * CALL_TIMEOUT
    observed.injected["replies delayed past the timeout"] += 1
    await outage_then_recovery(soak, poll_fails=True)
    sim.faults.reply_delay = 0
    await soak.live_connected()
    await soak.lock_available()
    await soak.settle()
    assert observed.unavailable_in("delay")

    soak.phase("busy", "terminal busy with another client")
    sim.faults.busy = BusyMode.ACK_ERROR
    other = await soak.in_thread(take_terminal, sim)
    observed.injected["busy with another client"] += 1
    busy_from = time.monotonic()
    try:
        await outage_then_recovery(soak, poll_fails=True)
        # Refused again and again: the retries slow down to the backoff's cap.
        assert await soak.in_thread(observed.attempts.wait_for, len(observed.attempts.times) + 6)
        assert soak.runtime.live is not None
        assert soak.runtime.live.busy, soak.runtime.live.last_error
        ledger.punch(40)
    finally:
        await soak.in_thread(other.disconnect)
        close_pyzk(other)
    busy_until = time.monotonic()
    sim.faults.busy = BusyMode.OFF
    await soak.live_connected()
    await soak.lock_available()
    await soak.settle()
    assert observed.unavailable_in("busy")
    check_backoff([t for t in observed.attempts.times if busy_from <= t <= busy_until])

    soak.phase("garbage", "garbage replies: random bytes, then a wrong magic")
    for kind in (GarbageKind.RANDOM, GarbageKind.BAD_MAGIC):
        sim.faults.garbage_kind = kind
        sim.faults.garbage_replies = 4
        observed.injected[f"garbage reply ({kind})"] += 4
        ledger.punch(40)
        await soak.in_thread(sim.reboot, 0)  # a gap, so the log is read back through garbage
        observed.injected["silent reboot"] += 1
        await outage_then_recovery(soak, poll_fails=False)
        await soak.live_connected()
        await soak.settle()
    assert sim.faults.garbage_replies == 0

    soak.phase("chunks", "bulk chunks burst-sent as firmware does, then trickled")
    for mode in (ChunkMode.BURST, ChunkMode.TRICKLE):
        sim.faults.chunk_mode = mode
        observed.injected[f"chunks {mode}"] += 1
        await soak.in_thread(sim.reboot, 0)
        observed.injected["silent reboot"] += 1
        await outage_then_recovery(soak, poll_fails=False)
        await soak.live_connected()
        await soak.settle()
    sim.faults.chunk_mode = ChunkMode.SINGLE

    soak.phase("clock", "terminal clock jumps back an hour, then forward again")
    sim.clock.jump(timedelta(hours=-1))
    observed.injected["clock jump"] += 1
    ledger.rewind()
    ledger.punch(60)  # older than the cursor, yet happening now: delivered live
    await soak.settle()
    await soak.in_thread(sim.reboot, 0)  # a catch-up must not deliver them again
    observed.injected["silent reboot"] += 1
    await soak.live_connected(False)
    await soak.live_connected()
    soak.nudge()
    await hass.async_block_till_done(wait_background_tasks=True)
    issues = ir.async_get(hass).issues
    assert (DOMAIN, f"{ISSUE_CLOCK_DRIFT}_{soak.entry.entry_id}") in issues
    sim.clock.jump(timedelta(hours=1, seconds=5))
    observed.injected["clock jump"] += 1
    ledger.punch(60)
    await soak.settle()

    soak.phase("dates", "records with invalid dates")
    sim.faults.invalid_dates_every = 7
    first = sim.record_count
    await soak.in_thread(sim.reboot, 0)
    observed.injected["silent reboot"] += 1
    bulk = ledger.bulk(350)
    corrupted = {
        key_of(record)
        for index, record in enumerate(bulk, start=first)
        if (index + 1) % sim.faults.invalid_dates_every == 0
    }
    ledger.unreadable |= corrupted
    observed.injected["log read with invalid dates"] += 1
    await soak.live_connected(False)
    await soak.live_connected()
    await soak.settle()
    assert soak.runtime.delivery.invalid_records == sim.record_count // 7
    sim.faults.invalid_dates_every = 0

    soak.phase("restart", "Home Assistant restarts while the terminal is failing")
    ledger.punch(40)
    await soak.settle()
    sim.faults.reply_delay = 2 * CALL_TIMEOUT
    assert await hass.config_entries.async_unload(soak.entry.entry_id)
    observed.injected["Home Assistant restart"] += 1
    await hass.async_block_till_done()
    down = [*ledger.punch(50), *ledger.bulk(300), *ledger.punch(50)]
    await hass.config_entries.async_setup(soak.entry.entry_id)
    assert soak.entry.state is ConfigEntryState.SETUP_RETRY
    sim.faults.reply_delay = 0
    await start_entry(soak)
    await soak.lock_available()
    await soak.settle()
    assert all(soak.punches.late[key_of(record)] for record in down)

    soak.phase("cleared", "the log cleared on the terminal by someone else")
    soak.log_epochs.append(sim.records)
    await soak.in_thread(sim.clear_records)
    observed.injected["log cleared by someone else"] += 1
    ledger.punch(40)
    await soak.in_thread(sim.reboot, 0)
    observed.injected["silent reboot"] += 1
    await outage_then_recovery(soak, poll_fails=False)
    await soak.live_connected()
    ledger.punch(40)
    await soak.lock_available()
    await soak.settle()

    soak.phase("end")
    delivered = set(soak.punches.counts)
    on_terminal = soak.terminal_keys()
    assert on_terminal - ledger.unreadable <= delivered <= on_terminal
    assert soak.punches.duplicates() == {}
    state = hass.states.get(LOCK_ENTITY)
    assert state is not None
    assert state.state != STATE_UNAVAILABLE
    # Unavailable while the terminal does not answer, never while all is well. (A poll that
    # happens to be on its way when the terminal reboots fails, so phases with a reboot may
    # show a short outage; usually they show none.)
    unavailable = {phase for phase, state in observed.lock_states if state == STATE_UNAVAILABLE}
    assert {"delay", "busy", "restart"} <= unavailable
    assert "live" not in unavailable
    print(
        f"\nsoak: {len(delivered)} punches delivered, {len(on_terminal)} on the terminal "
        f"({len(ledger.unreadable)} of them with unreadable dates), "
        f"{sum(observed.injected.values())} faults injected: {dict(observed.injected)}; "
        f"unavailable in: {sorted(unavailable)}; "
        "unreadable ones delivered once readable, by phase: "
        f"{Counter(soak.punches.delivered_in[k] for k in ledger.unreadable & delivered)}"
    )


def take_terminal(sim: TerminalSimulator) -> Any:
    """Another client takes the terminal's only session (ours are dropped by a reboot).

    Home Assistant's sessions reconnect right away too; should one of them win the race, the
    terminal reboots again, until the other client has it.
    """
    for _ in range(10):
        sim.reboot(0)
        other = ZK(sim.host, port=sim.port, timeout=2, ommit_ping=True)
        close_pyzk(other)  # pyzk opens a socket in __init__ and replaces it in connect()
        try:
            other.connect()
        except ZKErrorResponse:
            close_pyzk(other)
            continue
        return other
    pytest.fail("the other client never got the terminal")


def check_backoff(attempts: list[float]) -> None:
    """Connection attempts during an outage slow down to the backoff's maximum."""
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert len(gaps) >= 4, gaps
    # The waits double from the first retry up to the cap (a busy machine only adds to them),
    # and never go beyond the cap by more than an attempt takes.
    first, cap = BACKOFF
    for step, gap in enumerate(gaps, start=1):
        assert gap >= 0.9 * min(first * 2**step, cap), gaps
        assert gap <= cap + 2.0, gaps
    assert max(gaps) >= 0.9 * cap, gaps
