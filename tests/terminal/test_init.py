"""Setting up, retrying, polling and unloading a terminal entry."""

from dataclasses import replace
from datetime import timedelta
import logging
import socket
import threading

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.const import CONF_LIVE_CAPTURE, CONF_POLL_INTERVAL
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tests.journals import journal_file
from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import BusyMode, TerminalSimulator

from .conftest import LOCK_ENTITY, SERIAL, TITLE, async_wait_live, entry_data

USERS_SENSOR = "sensor.front_desk_users"
POLLING = {CONF_LIVE_CAPTURE: False, CONF_POLL_INTERVAL: 30}


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def poll(hass: HomeAssistant, seconds: float = 31) -> None:
    """Let the poll interval pass and wait for the poll."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_setup_and_unload(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The terminal becomes a device with its entities; unloading releases it."""
    device = device_registry.async_get_device_by_identifier((DOMAIN, SERIAL), loaded_entry.entry_id)
    assert device is not None
    assert (device.name, device.manufacturer, device.model, device.model_id) == (
        TITLE,
        "ZKTeco",
        "K40",
        "ZMM220_TFT",
    )
    assert device.sw_version == "Ver 6.60 Apr 28 2017"
    assert device.serial_number == SERIAL
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, simulator.config.mac_address())}
    await async_wait_live(hass, simulator)
    assert hass.states.get(LOCK_ENTITY).state == "locked"

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(LOCK_ENTITY).state == STATE_UNAVAILABLE
    # The live session and the call session said goodbye.
    assert simulator.session_count == 0


async def test_home_assistant_stop_closes_sessions_and_threads(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Home Assistant does not unload entries when it stops: its stop event alone ends the
    live capture and call sessions and the worker thread; a later unload still works."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    assert simulator.session_count == 2
    worker_prefix = f"devicehub-zk-{simulator.host}:{simulator.port}"
    assert [t for t in threading.enumerate() if t.name.startswith(worker_prefix)]

    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()

    assert simulator.session_count == 0
    assert runtime.live is None
    assert not [t for t in threading.enumerate() if t.name.startswith(worker_prefix)]
    assert not [t for t in threading.enumerate() if t.name.startswith("devicehub-live-")]
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED


async def test_not_ready_until_the_terminal_answers(
    hass: HomeAssistant, zk_simulator: SimulatorFactory, unload_at_teardown: None
) -> None:
    """Setup is retried while nothing answers, and succeeds once the terminal is up."""
    port = free_port()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=SERIAL,
        data={**entry_data(zk_simulator(serial=SERIAL)), "port": port},
        options=POLLING,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "cannot_connect"
    assert entry.error_reason_translation_placeholders["host"] == "127.0.0.1"

    zk_simulator(serial=SERIAL, port=port)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=2))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


async def test_other_terminal_at_the_address(
    hass: HomeAssistant, zk_simulator: SimulatorFactory
) -> None:
    """Another terminal answering at the address is not taken for this one."""
    other = zk_simulator(serial="OTHER1")
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(other))
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.error_reason_translation_key == "wrong_terminal"
    assert entry.error_reason_translation_placeholders["serial"] == "OTHER1"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, zk_simulator: SimulatorFactory
) -> None:
    """A rejected comm key fails setup and asks the user for the new one."""
    sim = zk_simulator(serial=SERIAL, password=1234)
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SERIAL, data={**entry_data(sim), "password": 4321}
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize(("entry_options", "entry_timeout"), [(POLLING, 0.5)])
async def test_unreachable_then_back(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities go unavailable, logged once; an hour later a repair issue; then recovery."""
    caplog.set_level(logging.INFO)
    assert hass.states.get(USERS_SENSOR).state == "3"
    simulator.faults.mute = True
    await poll(hass)
    assert hass.states.get(USERS_SENSOR).state == STATE_UNAVAILABLE
    await poll(hass)
    assert caplog.text.count("Error fetching terminal Front desk data") == 1
    assert not issue_registry.issues

    freezer.tick(timedelta(hours=1))
    await poll(hass)
    issue = issue_registry.async_get_issue(DOMAIN, f"terminal_unreachable_{loaded_entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["name"] == TITLE

    simulator.faults.reset()
    simulator.add_users([replace(simulator.users[0], uid=7, user_id="7")])
    await poll(hass)
    assert hass.states.get(USERS_SENSOR).state == "4"
    assert "Fetching terminal Front desk data recovered" in caplog.text
    assert not issue_registry.issues


async def test_password_changed_while_loaded(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A comm key changed on the terminal makes the next poll ask for reauthentication."""
    await async_wait_live(hass, simulator)
    simulator._device.config = replace(simulator._device.config, password=999)
    await hass.async_add_executor_job(simulator.reboot, 0)
    await poll(hass, 301)  # the old session is gone: this poll times out
    await poll(hass, 602)  # this one reconnects and is refused
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_busy_terminal_poll(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A poll refused because live capture holds the only session says so."""
    runtime: TerminalRuntime = loaded_entry.runtime_data
    await async_wait_live(hass, simulator)
    simulator.faults.busy = BusyMode.ACK_ERROR
    await hass.async_add_executor_job(runtime.terminal._client.close)
    await poll(hass, 301)
    assert not runtime.coordinator.last_update_success
    assert runtime.coordinator.last_exception is not None
    assert runtime.coordinator.last_exception.translation_key == "terminal_busy"
    # Live capture still delivers, so the punch entity stays available.
    assert hass.states.get("event.front_desk_punch").state != STATE_UNAVAILABLE
    assert hass.states.get(USERS_SENSOR).state == STATE_UNAVAILABLE


async def test_remove_stale_device(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The terminal's own device stays; a stale device of the entry may be removed."""
    assert await async_setup_component(hass, "config", {})
    terminal = device_registry.async_get_device_by_identifier(
        (DOMAIN, SERIAL), loaded_entry.entry_id
    )
    stale = device_registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={(DOMAIN, "OLD-SERIAL")}
    )
    from custom_components.devicehub import async_remove_config_entry_device

    assert not await async_remove_config_entry_device(hass, loaded_entry, terminal)
    assert await async_remove_config_entry_device(hass, loaded_entry, stale)


async def test_removing_the_entry_forgets_its_cursor(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, object],
    issue_registry: ir.IssueRegistry,
) -> None:
    """A deleted terminal leaves neither its delivery position nor repair issues behind."""
    cursor_key = f"{DOMAIN}.terminal_cursor.{loaded_entry.entry_id}"
    await async_wait_live(hass, simulator)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert cursor_key in hass_storage  # flushed on unload: survives a restart
    journal = journal_file(hass, f"terminal_journal.{loaded_entry.entry_id}")
    assert await hass.async_add_executor_job(journal.exists)
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"terminal_unreachable_{loaded_entry.entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="terminal_unreachable",
    )
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert cursor_key not in hass_storage
    assert not await hass.async_add_executor_job(journal.exists)
    assert not issue_registry.issues
