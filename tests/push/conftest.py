"""Fixtures for push terminal tests: Home Assistant's real HTTP server, and the simulator
(tools/admssim) calling it over loopback as a push terminal does.

Every request crosses a real socket: the simulator is an aiohttp client, Home Assistant's
HTTP app runs in an aiohttp test server on a free loopback port. Waiting is done on
events and futures, never with sleeps.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.punch import Punch
from custom_components.devicehub.push.const import (
    CONF_DELAY,
    CONF_SERIAL_NUMBER,
    CONF_TIME_ZONE,
)
from custom_components.devicehub.push.runtime import PushRuntime
from tools.admssim import PushTerminalSimulator, SimulatorConfig, SimUser

SERIAL = "CQZ7232560025"
TITLE = "Gate"
DELAY = 10
PUNCH_ENTITY = "event.gate_punch"
LOCK_ENTITY = "lock.gate"
LAST_PUNCH_ENTITY = "sensor.gate_last_punch"
CONNECTIVITY_ENTITY = "binary_sensor.gate_connectivity"
USERS_ENTITY = "sensor.gate_users"
USERS = (
    SimUser(user_id="1001", name="Ada Lovelace"),
    SimUser(user_id="1002", name="Alan Turing", privilege=14),
)


ADDED_AGO = timedelta(days=1)


def push_entry(serial: str = SERIAL, **options: Any) -> MockConfigEntry:
    """A push terminal entry added a day ago; the terminal's clock runs in UTC, as the
    simulator's does by default."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=serial,
        data={
            CONF_KIND: DeviceKind.PUSH_TERMINAL.value,
            CONF_SERIAL_NUMBER: serial,
            CONF_TIME_ZONE: "UTC",
        },
        options={CONF_DELAY: DELAY, **options},
    )
    # Punches before an entry was added are history, not news: tests need a past.
    entry.created_at = dt_util.utcnow() - ADDED_AGO
    return entry


@pytest.fixture
async def http_client(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """Home Assistant's HTTP app with devicehub set up, on a loopback port."""
    assert await async_setup_component(hass, DOMAIN, {})
    return await hass_client_no_auth()


@pytest.fixture
def server_url(http_client: TestClient) -> str:
    """Where terminals call: http://127.0.0.1:<port>."""
    return str(http_client.make_url("")).rstrip("/")


@pytest.fixture
def entry(hass: HomeAssistant) -> MockConfigEntry:
    """A push terminal entry, added to Home Assistant but not set up."""
    entry = push_entry()
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, entry: MockConfigEntry, http_client: TestClient
) -> MockConfigEntry:
    """The push terminal entry, loaded (by devicehub's setup if it was added before)."""
    if entry.state is ConfigEntryState.NOT_LOADED:
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


def runtime_of(entry: MockConfigEntry) -> PushRuntime:
    """The runtime of a loaded push entry."""
    runtime: PushRuntime = entry.runtime_data
    return runtime


type SimFactory = Callable[..., Awaitable[PushTerminalSimulator]]


@pytest.fixture
async def make_sim(server_url: str) -> AsyncIterator[SimFactory]:
    """Make simulated push terminals calling Home Assistant; closed at teardown."""
    sims: list[PushTerminalSimulator] = []

    async def make(serial: str = SERIAL, **config: Any) -> PushTerminalSimulator:
        sim = PushTerminalSimulator(
            SimulatorConfig(server=server_url, serial=serial, request_timeout=10, **config)
        )
        await sim.__aenter__()
        sims.append(sim)
        return sim

    yield make
    for sim in sims:
        await sim.close()


@pytest.fixture
async def sim(loaded_entry: MockConfigEntry, make_sim: SimFactory) -> PushTerminalSimulator:
    """A terminal of the loaded entry, with two users, after its handshake."""
    terminal = await make_sim()
    terminal.add_users(USERS)
    assert await terminal.handshake()
    return terminal


class PunchRecorder:
    """Every punch delivered by a runtime (what the entities receive), in order."""

    def __init__(self, runtime: PushRuntime) -> None:
        """Listen to the runtime's deliveries."""
        self.punches: list[Punch] = []
        runtime.punches.async_add_listener(self.punches.append)

    @property
    def keys(self) -> list[tuple[str, str, str]]:
        """(user, time, punch type) of each delivered punch."""
        return [(p.user_id, p.timestamp.isoformat(), p.punch_type) for p in self.punches]


class EventRecorder:
    """Collects the punch events of an entity, in order."""

    def __init__(self) -> None:
        """Start empty."""
        self.punches: list[dict[str, Any]] = []

    @callback
    def record(self, event: Event[Any]) -> None:
        """Keep one state change of the punch entity."""
        new = event.data["new_state"]
        if new is not None and new.attributes.get("event_type"):
            self.punches.append(dict(new.attributes))


@pytest.fixture
def punches(hass: HomeAssistant) -> EventRecorder:
    """Every punch event fired by the push terminal's event entity."""
    from homeassistant.helpers.event import async_track_state_change_event

    recorder = EventRecorder()
    async_track_state_change_event(hass, PUNCH_ENTITY, recorder.record)
    return recorder


async def until(condition: Callable[[], bool], rounds: int = 1000) -> None:
    """Let the event loop run until condition holds (no timers involved)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")
