"""Punches: live events end to end, caught up late, and never delivered twice."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.const import (
    CONF_ENCODING,
    CONF_LIVE_CAPTURE,
    CONF_POLL_INTERVAL,
)
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tests.journals import durable
from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import AttendanceRecord, BusyMode, TerminalSimulator, User
from tools.zksim.records import decode_user, encode_user

from .conftest import (
    FIRMWARE_PROFILES,
    SERIAL,
    TITLE,
    StateRecorder,
    async_setup_entry,
    async_wait_live,
    entry_data,
    ha_wall_clock_offset,
    punch_data,
)

VERIFY = {1: "fingerprint"}


def name_on(simulator: TerminalSimulator, user_id: str) -> str:
    """A user's name as the terminal holds it (28-byte user records keep 8 bytes of it)."""
    user = simulator.user(user_id)
    assert user is not None
    config = simulator.config
    stored = encode_user(user, config.user_size, config.encoding)
    return decode_user(stored, config.encoding).name


CURSOR_KEY = "devicehub.terminal_cursor.01TERMINALENTRY00000000000"


@pytest.fixture
def fast_watchdog() -> Iterator[None]:
    """Live capture notices a silent (rebooted) terminal within a second."""
    with (
        patch("custom_components.devicehub.terminal.runtime.LIVE_WATCHDOG_SECONDS", 1.0),
        patch("custom_components.devicehub.terminal.runtime.LIVE_HEARTBEAT_SECONDS", 0.3),
    ):
        yield


async def inject(hass: HomeAssistant, sim: TerminalSimulator, *args: Any, **kwargs: Any) -> Any:
    """Someone punches at the terminal (the simulator pushes it to live sessions)."""
    return await hass.async_add_executor_job(lambda: sim.inject_punch(*args, **kwargs))


@pytest.mark.parametrize("firmware", ["", *FIRMWARE_PROFILES])
@pytest.mark.usefixtures("loaded_entry")
async def test_live_punch(
    hass: HomeAssistant, simulator: TerminalSimulator, punches: StateRecorder
) -> None:
    """A punch at the terminal fires the event entity with who, how and when."""
    await async_wait_live(hass, simulator)
    record = await inject(hass, simulator, "1002", 1, 15)
    await punches.wait(1)
    assert punches.events() == [
        punch_data(record, name_on(simulator, "1002"), late=False, punch="check_out", verify="face")
    ]
    last = hass.states.get("sensor.front_desk_last_punch")
    assert last is not None
    assert last.state == name_on(simulator, "1002")
    assert last.attributes["user_id"] == "1002"
    assert last.attributes["punch"] == "check_out"


async def test_first_setup_does_not_replay_history(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    hass_storage: dict[str, Any],
    unload_at_teardown: None,
) -> None:
    """The log a terminal holds when it is added is history: nothing fires."""
    now = simulator.clock.now()
    simulator.add_records(
        AttendanceRecord(uid=1, user_id="1001", timestamp=now - timedelta(minutes=minutes))
        for minutes in (90, 60, 30)
    )
    runtime = await async_setup_entry(hass, config_entry)
    await hass.config_entries.async_unload(config_entry.entry_id)
    assert punches.events() == []
    assert runtime.cursor.position is not None
    # The cursor starts at the terminal's present, not at its newest record.
    assert abs(runtime.cursor.position.last_time - now) < timedelta(seconds=5)
    assert hass_storage[CURSOR_KEY]["version"] == 1


@pytest.mark.parametrize("firmware", ["", *FIRMWARE_PROFILES])
async def test_exactly_once_across_restart(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    hass_storage: dict[str, Any],
    unload_at_teardown: None,
) -> None:
    """Punches made while HA is down arrive late, once; earlier ones never again."""
    await async_setup_entry(hass, config_entry)
    # After set-up: the cursor starts at the terminal's present, which may be a second later.
    moment = simulator.clock.now()
    await async_wait_live(hass, simulator)
    first = await inject(hass, simulator, "1001", 0, 1, moment)
    await punches.wait(1)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    stamp = moment.isoformat()
    assert hass_storage[CURSOR_KEY]["data"] == {
        "last_time": stamp,
        "ids_at_last_time": [f"1001|{stamp}|0"],
        # The log was empty when the cursor started; the live punch is after that position.
        "log_count": 0,
        "log_anchor": None,
        "ids_since_anchor": [f"1001|{stamp}|0"],
        # One delivery journaled, and the Store holds it.
        "journal_seq": 1,
    }

    # HA is down: one punch in the same second as the delivered one, one later.
    same_second = await inject(hass, simulator, "1003", 0, 4, moment)
    later = await inject(hass, simulator, "1002", 1, 1, moment + timedelta(seconds=5))

    runtime = await async_setup_entry(hass, config_entry)
    await punches.wait(3)
    await runtime.async_catch_up()  # once more: nothing new
    await hass.async_block_till_done()
    assert punches.events() == [
        punch_data(first, name_on(simulator, "1001"), late=False),
        punch_data(same_second, name_on(simulator, "1003"), late=True, verify="card"),
        punch_data(later, name_on(simulator, "1002"), late=True, punch="check_out"),
    ]


@pytest.mark.usefixtures("fast_watchdog")
async def test_exactly_once_across_terminal_reboot(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """A reboot silently kills the live session; punches meanwhile arrive late, once."""
    runtime = await async_setup_entry(hass, config_entry)
    await async_wait_live(hass, simulator)
    before = await inject(hass, simulator, "1001")
    await punches.wait(1)

    await hass.async_add_executor_job(simulator.reboot, 0.5)
    during = await inject(hass, simulator, "1002", 2)  # nobody is listening now
    # Live capture notices the silence, reconnects and a catch-up delivers the gap.
    await async_wait_live(hass, simulator)
    await punches.wait(2)
    after = await inject(hass, simulator, "1003", 3)
    await punches.wait(3)
    await runtime.async_catch_up()
    await hass.async_block_till_done()
    assert punches.events() == [
        punch_data(before, "Ada Lovelace", late=False),
        punch_data(during, "Alan Turing", late=True, punch="break_out"),
        punch_data(after, "Grace Hopper", late=False, punch="break_in"),
    ]


async def test_dropped_transfer_is_caught_up_once(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """A log transfer cut halfway is read again; every punch arrives exactly once."""
    await async_setup_entry(hass, config_entry)
    await hass.config_entries.async_unload(config_entry.entry_id)
    start = simulator.clock.now() + timedelta(seconds=1)
    records = [
        AttendanceRecord(uid=1, user_id="1001", timestamp=start + timedelta(seconds=n), punch=n % 2)
        for n in range(40)  # 40-byte records: more than a direct reply holds, so chunked
    ]
    simulator.add_records(records)
    simulator.faults.drop_mid_transfer = 1

    await hass.config_entries.async_setup(config_entry.entry_id)
    await punches.wait(40)
    runtime: TerminalRuntime = config_entry.runtime_data
    await runtime.async_catch_up()
    await hass.async_block_till_done()
    assert simulator.faults.drop_mid_transfer == 0
    assert punches.events() == [
        punch_data(record, "Ada Lovelace", late=True, punch=("check_in", "check_out")[n % 2])
        for n, record in enumerate(records)
    ]


@pytest.mark.parametrize("entry_options", [{CONF_LIVE_CAPTURE: False}])
async def test_failed_catch_up_is_retried(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """A failed read of the log is retried after a while, and then delivers once."""
    await async_setup_entry(hass, config_entry)
    await hass.config_entries.async_unload(config_entry.entry_id)
    start = simulator.clock.now() + timedelta(seconds=1)
    records = [
        AttendanceRecord(uid=3, user_id="1003", timestamp=start + timedelta(seconds=n))
        for n in range(30)
    ]
    simulator.add_records(records)
    simulator.faults.drop_mid_transfer = 100  # every transfer of the log is cut

    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    dropped = 100 - simulator.faults.drop_mid_transfer
    assert dropped >= 1
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert 100 - simulator.faults.drop_mid_transfer > dropped  # tried again
    assert punches.events() == []

    simulator.faults.reset()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=30))  # 20 s later
    await punches.wait(30)
    assert punches.events() == [punch_data(record, "Grace Hopper", late=True) for record in records]


async def test_invalid_dates_are_skipped(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """Records with impossible dates are counted and skipped; the others arrive."""
    await async_setup_entry(hass, config_entry)
    await hass.config_entries.async_unload(config_entry.entry_id)
    start = simulator.clock.now() + timedelta(seconds=1)
    records = [
        AttendanceRecord(uid=2, user_id="1002", timestamp=start + timedelta(seconds=n))
        for n in range(6)
    ]
    simulator.add_records(records)
    simulator.faults.invalid_dates_every = 3  # records 3 and 6 say 31 February

    runtime = await async_setup_entry(hass, config_entry)
    await punches.wait(4)
    assert punches.events() == [
        punch_data(record, "Alan Turing", late=True)
        for n, record in enumerate(records, start=1)
        if n % 3
    ]
    assert runtime.delivery.invalid_records == 2


async def test_gbk_name(
    hass: HomeAssistant,
    zk_simulator: SimulatorFactory,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """A terminal storing names in gbk delivers them readable."""
    sim = zk_simulator(users=0, serial=SERIAL, encoding="gbk", options={"MAC": ""})
    sim.add_users([User(uid=1, user_id="88", name="王小明")])
    sim.clock.offset = ha_wall_clock_offset()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=SERIAL,
        data=entry_data(sim),
        options={CONF_ENCODING: "gbk"},
    )
    await async_setup_entry(hass, entry)
    await async_wait_live(hass, sim)
    record = await inject(hass, sim, "88")
    await punches.wait(1)
    assert punches.events() == [punch_data(record, "王小明", late=False)]
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, SERIAL), entry.entry_id)
    assert device is not None
    assert device.connections == set()  # this terminal does not tell its MAC address


@pytest.mark.parametrize("entry_options", [{CONF_LIVE_CAPTURE: False, CONF_POLL_INTERVAL: 30}])
async def test_polling_mode(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """Without live capture the log is polled; a punch arrives once, not late."""
    runtime = await async_setup_entry(hass, config_entry)
    assert runtime.live is None
    record = await inject(hass, simulator, "1003", 4)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await punches.wait(1)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=62))
    await runtime.async_catch_up()
    await hass.async_block_till_done()
    assert punches.events() == [punch_data(record, "Grace Hopper", late=False, punch="overtime_in")]


@pytest.mark.parametrize("entry_options", [{CONF_POLL_INTERVAL: 20}])
async def test_busy_terminal_falls_back_to_polling(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """A terminal refusing the second (live) session is polled instead."""
    simulator.faults.busy = BusyMode.ACK_ERROR
    runtime = await async_setup_entry(hass, config_entry)
    record = await inject(hass, simulator, "1001", 5)
    # The poll the interval would start (live capture's retries race with timers here).
    await runtime.coordinator.async_refresh()
    await punches.wait(1)
    assert punches.events() == [
        punch_data(record, "Ada Lovelace", late=False, punch="overtime_out")
    ]
    assert runtime.live is not None
    assert not runtime.live_connected
    assert runtime.coordinator.update_interval == timedelta(seconds=20)


@pytest.mark.parametrize("cooldown", [timedelta(0), timedelta(hours=1)])
async def test_unknown_user_refreshes_names(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    punches: StateRecorder,
    cooldown: timedelta,
) -> None:
    """A user enrolled after setup is looked up, unless the list was read just now."""
    simulator.add_users([User(uid=9, user_id="2001", name="Katherine Johnson")])
    await async_wait_live(hass, simulator)
    with patch("custom_components.devicehub.terminal.users.USER_REFRESH_COOLDOWN", cooldown):
        record = await inject(hass, simulator, "2001")
        await punches.wait(1)
    name = "Katherine Johnson" if not cooldown else None
    assert punches.events() == [punch_data(record, name, late=False)]


async def test_live_punch_during_catch_up_is_delivered_once(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    punches: StateRecorder,
) -> None:
    """A punch seen live and read back from the log by a catch-up fires once."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    runtime.delivery.mark_gap()  # as after a reconnect: live events wait for the catch-up
    record = await inject(hass, simulator, "1002")
    await hass.async_add_executor_job(simulator.wait_for_events_sent, 1)
    await runtime.async_catch_up()
    await punches.wait(1)
    await runtime.async_catch_up()
    await hass.async_block_till_done()
    events = punches.events()
    assert len(events) == 1
    assert {**events[0], "late": None} == {
        **punch_data(record, "Alan Turing", late=False),
        "late": None,
    }


async def test_clock_set_back(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    punches: StateRecorder,
) -> None:
    """After the terminal clock went back, live punches older than the cursor still fire."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    first = await inject(hass, simulator, "1001")
    await punches.wait(1)
    simulator.clock.jump(-600)
    earlier = await inject(hass, simulator, "1002")
    await punches.wait(2)
    await runtime.async_catch_up()
    await hass.async_block_till_done()
    assert punches.events() == [
        punch_data(first, "Ada Lovelace", late=False),
        punch_data(earlier, "Alan Turing", late=False),
    ]


async def test_names_when_the_user_list_fails(
    hass: HomeAssistant,
    zk_simulator: SimulatorFactory,
    punches: StateRecorder,
    unload_at_teardown: None,
) -> None:
    """Punches arrive without a name while the user list cannot be read, then with it."""
    sim = zk_simulator(users=30, serial=SERIAL)  # 30 users: a chunked transfer
    sim.clock.offset = ha_wall_clock_offset()
    sim.faults.drop_mid_transfer = 100  # every transfer of the user list is cut
    entry = MockConfigEntry(domain=DOMAIN, title=TITLE, unique_id=SERIAL, data=entry_data(sim))
    user = sim.users[0]
    runtime = await async_setup_entry(hass, entry)
    assert len(runtime.users) == 0
    await async_wait_live(hass, sim)
    first = await inject(hass, sim, user.user_id)
    await punches.wait(1)
    dropped = 100 - sim.faults.drop_mid_transfer
    second = await inject(hass, sim, user.user_id, 1)  # within the cooldown: not asked again
    await punches.wait(2)
    assert 100 - sim.faults.drop_mid_transfer == dropped
    sim.faults.reset()
    with patch("custom_components.devicehub.terminal.users.USER_REFRESH_COOLDOWN", timedelta(0)):
        third = await inject(hass, sim, user.user_id, 2)
        await punches.wait(3)
    assert punches.events() == [
        punch_data(first, None, late=False, verify=VERIFY[first.verify]),
        punch_data(second, None, late=False, punch="check_out", verify=VERIFY[second.verify]),
        punch_data(third, user.name, late=False, punch="break_out", verify=VERIFY[third.verify]),
    ]


async def test_delivery_is_stored_before_it_is_announced(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    unload_at_teardown: None,
) -> None:
    """When a punch is announced its delivery is already durable, live or caught up: in the
    Store, or in the journal file past the Store's last save (what a process reading the
    files after a kill would find), so a crash right after cannot make it new again.
    """
    runtime = await async_setup_entry(hass, config_entry)
    stored_when_announced: list[bool] = []
    journal = f"terminal_journal.{config_entry.entry_id}"

    def check(punch: Any) -> None:
        data = hass_storage[CURSOR_KEY]["data"]
        ident = f"{punch.user_id}|{punch.timestamp.replace(tzinfo=None).isoformat()}|0"
        stored_when_announced.append(ident in durable(hass, journal, data, "ids_since_anchor"))

    runtime.delivery.async_add_listener(check)
    await async_wait_live(hass, simulator)
    await inject(hass, simulator, "1001", 0, 1)
    await hass.async_block_till_done()
    runtime.delivery.mark_gap()
    await inject(hass, simulator, "1002", 0, 1)
    await runtime.async_catch_up()
    await hass.async_block_till_done()
    assert stored_when_announced == [True, True]


@pytest.mark.parametrize("event_size", [20, 45])
@pytest.mark.usefixtures("loaded_entry")
async def test_undecodable_live_event_is_read_back_from_the_log(
    hass: HomeAssistant, simulator: TerminalSimulator, punches: StateRecorder, event_size: int
) -> None:
    """A live event of a length nothing decodes is counted, and the log delivers it once."""
    await async_wait_live(hass, simulator)
    simulator.event_size = event_size
    record = await inject(hass, simulator, "1001", 0, 1)
    await punches.wait(1)
    runtime = hass.config_entries.async_entries(DOMAIN)[0].runtime_data
    await runtime.async_catch_up()  # once more: nothing new
    await hass.async_block_till_done()
    assert punches.events() == [punch_data(record, name_on(simulator, "1001"), late=True)]
    assert runtime.live is not None
    assert runtime.live.invalid_events == 1
