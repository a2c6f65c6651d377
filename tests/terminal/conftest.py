"""Fixtures for terminal tests: a simulated terminal on loopback, pyzk underneath, and HA.

Real sockets and threads are involved, so waiting is done on futures with timeouts (state
change listeners, the catch-up task, the simulator's own wait helpers), never with sleeps.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_TIMEOUT,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tests.states import StateRecorder
from tests.zksim_fixtures import SimulatorFactory, zk_simulator
from tools.zksim import SimulatorConfig, TerminalSimulator, User
from tools.zksim.firmware import PROFILES

__all__ = ["zk_simulator"]

SERIAL = "ZKS0000000042"
TITLE = "Front desk"
TIMEOUT = 10.0  # seconds for anything crossing a socket or a thread
USERS = (
    User(uid=1, user_id="1001", name="Ada Lovelace"),
    User(uid=2, user_id="1002", name="Alan Turing", privilege=14),
    User(uid=3, user_id="1003", name="Grace Hopper", card=123456),
)
PUNCH_ENTITY = "event.front_desk_punch"
LOCK_ENTITY = "lock.front_desk"


def ha_wall_clock_offset() -> timedelta:
    """How far Home Assistant's local wall clock is from the host's, to whole minutes.

    The simulator's clock is the host's local time plus an offset; tests run Home Assistant
    in another time zone, so this makes the terminal show Home Assistant's local time.
    """
    offset = dt_util.now().replace(tzinfo=None) - datetime.now()
    return timedelta(minutes=round(offset.total_seconds() / 60))


# Every firmware profile of the simulator, for tests that must hold on each generation.
FIRMWARE_PROFILES = tuple(sorted(PROFILES))


@pytest.fixture
def firmware() -> str:
    """Firmware profile of the simulated terminal ("": the simulator's default, TFT)."""
    return ""


@pytest.fixture
def simulator(
    hass: HomeAssistant, zk_simulator: SimulatorFactory, firmware: str
) -> TerminalSimulator:
    """A running terminal with three known users and an empty log, on HA's local time."""
    config = SimulatorConfig.for_firmware(firmware) if firmware else None
    sim = zk_simulator(config, users=0, serial=SERIAL, seed=42)
    sim.add_users(USERS)
    sim.clock.offset = ha_wall_clock_offset()
    return sim


def entry_data(sim: TerminalSimulator, **changes: Any) -> dict[str, Any]:
    """Config entry data reaching a simulator."""
    return {
        CONF_KIND: DeviceKind.TERMINAL,
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_PASSWORD: sim.config.password,
        CONF_TIMEOUT: 2,
        **changes,
    }


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots in Home Assistant's format, in tests/terminal/snapshots."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create the entities that are disabled by default enabled."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Options of the terminal entry; tests override this fixture to change them."""
    return {}


@pytest.fixture
def entry_timeout() -> float:
    """Seconds the entry waits for the terminal; tests of outages override it."""
    return 2


@pytest.fixture
def config_entry(
    simulator: TerminalSimulator, entry_options: dict[str, Any], entry_timeout: float
) -> MockConfigEntry:
    """A terminal entry for the simulator (not added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=SERIAL,
        data=entry_data(simulator, **{CONF_TIMEOUT: entry_timeout}),
        options=entry_options,
        entry_id="01TERMINALENTRY00000000000",
    )


@pytest.fixture
async def unload_at_teardown(hass: HomeAssistant) -> AsyncIterator[None]:
    """Unload every devicehub entry at the end, so no terminal thread outlives the test."""
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, unload_at_teardown: None
) -> MockConfigEntry:
    """The terminal entry, set up, with its first catch-up done."""
    await async_setup_entry(hass, config_entry)
    return config_entry


async def async_setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> TerminalRuntime:
    """Add (if needed) and set up a terminal entry, then wait for its first catch-up."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    runtime: TerminalRuntime = entry.runtime_data
    await asyncio.wait_for(runtime.async_catch_up(), TIMEOUT)
    return runtime


async def async_wait_live(hass: HomeAssistant, sim: TerminalSimulator, count: int = 1) -> None:
    """Wait until live capture is connected and caught up, so new punches arrive live."""
    assert await hass.async_add_executor_job(sim.wait_for_listeners, count, TIMEOUT)
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        runtime: TerminalRuntime = entry.runtime_data
        if runtime.settings.config.port == sim.port:
            await async_wait_live_connected(hass, runtime)
            await asyncio.wait_for(runtime.async_catch_up(), TIMEOUT)


async def async_wait_live_connected(
    hass: HomeAssistant,
    runtime: TerminalRuntime,
    connected: bool = True,
    timeout: float = TIMEOUT,  # noqa: ASYNC109 - a bound on waiting, applied with asyncio.timeout
) -> None:
    """Wait until the runtime learned that its live capture is connected (or not)."""
    if runtime.live_connected == connected:
        return
    reached: asyncio.Future[None] = hass.loop.create_future()

    @callback
    def _changed() -> None:
        if runtime.live_connected == connected and not reached.done():
            reached.set_result(None)

    unsub = runtime.coordinator.async_add_listener(_changed)
    try:
        async with asyncio.timeout(timeout):
            await reached
    finally:
        unsub()


@pytest.fixture
def record_states(hass: HomeAssistant) -> Iterator[Callable[[str], StateRecorder]]:
    """Factory of state recorders of any entity, stopped at teardown."""
    recorders: list[StateRecorder] = []

    def make(entity_id: str) -> StateRecorder:
        recorder = StateRecorder(hass, entity_id, punches_only=False)
        recorders.append(recorder)
        return recorder

    yield make
    for recorder in recorders:
        recorder.stop()


@pytest.fixture
def punches(hass: HomeAssistant) -> Iterator[StateRecorder]:
    """Records every punch the terminal's event entity fires."""
    recorder = StateRecorder(hass, PUNCH_ENTITY, punches_only=True)
    yield recorder
    recorder.stop()


def punch_data(
    record: Any,
    name: str | None,
    *,
    late: bool,
    punch: str = "check_in",
    verify: str = "fingerprint",
) -> dict[str, Any]:
    """The event data expected for a simulator record."""
    return {
        "event_type": punch,
        "user_id": record.user_id,
        "user_name": name,
        "verify": verify,
        "timestamp": record.timestamp.replace(tzinfo=dt_util.get_default_time_zone()).isoformat(),
        "terminal": TITLE,
        "serial_number": SERIAL,
        "late": late,
    }
