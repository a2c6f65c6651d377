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
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_TIMEOUT
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tests.zksim_fixtures import SimulatorFactory, zk_simulator
from tools.zksim import TerminalSimulator, User

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


@pytest.fixture
def simulator(hass: HomeAssistant, zk_simulator: SimulatorFactory) -> TerminalSimulator:
    """A running terminal with three known users and an empty log, on HA's local time."""
    sim = zk_simulator(users=0, serial=SERIAL, seed=42)
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
def config_entry(simulator: TerminalSimulator, entry_options: dict[str, Any]) -> MockConfigEntry:
    """A terminal entry for the simulator (not added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=SERIAL,
        data=entry_data(simulator),
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
    """Wait until count live capture sessions registered for events at the simulator."""
    assert await hass.async_add_executor_job(sim.wait_for_listeners, count, TIMEOUT)


class StateRecorder:
    """Records the new states of one entity; await `wait(n)` for n of them."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Start listening."""
        self.states: list[State] = []
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._unsub = async_track_state_change_event(hass, entity_id, self._changed)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is None:
            return
        self.states.append(state)
        for count, future in self._waiters:
            if len(self.states) >= count and not future.done():
                future.set_result(None)

    async def wait(self, count: int) -> list[State]:
        """Wait until count states were recorded (in total), for at most TIMEOUT seconds."""
        if len(self.states) < count:
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append((count, future))
            await asyncio.wait_for(future, TIMEOUT)
        return self.states

    def stop(self) -> None:
        """Stop listening."""
        self._unsub()


@pytest.fixture
def record_states(hass: HomeAssistant) -> Callable[[str], StateRecorder]:
    """Factory of state recorders, stopped at teardown."""
    recorders: list[StateRecorder] = []

    def make(entity_id: str) -> StateRecorder:
        recorder = StateRecorder(hass, entity_id)
        recorders.append(recorder)
        return recorder

    yield make  # type: ignore[misc]
    for recorder in recorders:
        recorder.stop()


def punch_events(states: list[State]) -> list[dict[str, Any]]:
    """The event type and data of each recorded state of an event entity."""
    return [
        {key: value for key, value in state.attributes.items() if key not in STATIC_ATTRIBUTES}
        for state in states
        if state.state not in ("unavailable", "unknown")
    ]


STATIC_ATTRIBUTES = {"event_types", "friendly_name", "icon"}
