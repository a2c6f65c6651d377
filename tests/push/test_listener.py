"""The optional plain-HTTP listener of our own, for a Home Assistant served over HTTPS only:
terminals call it on the address and port chosen in the options."""

import socket

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.push.const import (
    CONF_DELAY,
    CONF_LISTEN_ADDRESS,
    CONF_LISTEN_PORT,
    CONF_REALTIME,
    CONF_UNLOCK_SECONDS,
)
from tools.admssim import PushTerminalSimulator, SimulatorConfig, UploadResult

from .conftest import SERIAL, push_entry, runtime_of


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def listening_entry(hass: HomeAssistant, socket_enabled: None) -> MockConfigEntry:
    """A push entry asking for a plain-HTTP listener on loopback."""
    entry = push_entry(**{CONF_LISTEN_ADDRESS: "127.0.0.1", CONF_LISTEN_PORT: free_port()})
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def test_terminal_served_by_own_listener(
    hass: HomeAssistant, listening_entry: MockConfigEntry
) -> None:
    """A terminal pointed at the listener is served exactly as by Home Assistant's server;
    after unloading, the listener is closed."""
    port = listening_entry.options[CONF_LISTEN_PORT]
    async with PushTerminalSimulator(
        SimulatorConfig(server=f"http://127.0.0.1:{port}", serial=SERIAL, request_timeout=5)
    ) as sim:
        delivered: list[object] = []
        runtime_of(listening_entry).punches.async_add_listener(delivered.append)
        assert await sim.handshake()
        sim.inject_punch("1001")
        assert await sim.upload_once() is UploadResult.ACCEPTED
        assert len(delivered) == 1
        assert await hass.config_entries.async_unload(listening_entry.entry_id)
        assert not await sim.handshake()
        assert sim.exchanges[-1].status == 0


async def test_listener_shared_and_port_in_use(
    hass: HomeAssistant, listening_entry: MockConfigEntry
) -> None:
    """Two entries naming the same address share one listener; a port taken by something
    else makes the entry retry with a translated reason."""
    port = listening_entry.options[CONF_LISTEN_PORT]
    second = push_entry(
        "CQZ0000000002", **{CONF_LISTEN_ADDRESS: "127.0.0.1", CONF_LISTEN_PORT: port}
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    assert await hass.config_entries.async_unload(listening_entry.entry_id)
    async with PushTerminalSimulator(
        SimulatorConfig(server=f"http://127.0.0.1:{port}", serial="CQZ0000000002")
    ) as sim:
        assert await sim.handshake()

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        third = push_entry(
            "CQZ0000000003",
            **{CONF_LISTEN_ADDRESS: "127.0.0.1", CONF_LISTEN_PORT: taken.getsockname()[1]},
        )
        third.add_to_hass(hass)
        assert not await hass.config_entries.async_setup(third.entry_id)
        assert third.state is ConfigEntryState.SETUP_RETRY
        assert third.reason == "listener_failed"
    await hass.config_entries.async_unload(second.entry_id)
    await hass.config_entries.async_unload(third.entry_id)


async def test_listener_options(hass: HomeAssistant, listening_entry: MockConfigEntry) -> None:
    """The listener address must be an IP address; empty fields mean no listener."""
    result = await hass.config_entries.options.async_init(listening_entry.entry_id)
    base = {CONF_DELAY: 10, CONF_REALTIME: True, CONF_UNLOCK_SECONDS: 5}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_LISTEN_ADDRESS: "my-ha.local", CONF_LISTEN_PORT: 8081}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_LISTEN_ADDRESS: "invalid_listen_address"}
    port = free_port()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**base, CONF_LISTEN_ADDRESS: " 127.0.0.1 ", CONF_LISTEN_PORT: float(port)},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert listening_entry.options[CONF_LISTEN_ADDRESS] == "127.0.0.1"
    assert listening_entry.options[CONF_LISTEN_PORT] == port
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(listening_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_LISTEN_ADDRESS: " "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert listening_entry.options == base
    await hass.async_block_till_done()
    assert runtime_of(listening_entry).settings.listen is None
