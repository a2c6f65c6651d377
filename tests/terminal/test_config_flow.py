"""Config flow of terminals: add, import, reconfigure, reauthenticate, options."""

from collections.abc import Iterator
import json
import socket
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_TIMEOUT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.terminal.const import (
    CONF_CODE,
    CONF_ENCODING,
    CONF_LIVE_CAPTURE,
    CONF_POLL_INTERVAL,
    CONF_TIME_ZONE,
    CONF_UNLOCK_SECONDS,
)
from tests.zksim_fixtures import PyzkFactory, SimulatorFactory, pyzk_client
from tools.zksim import BusyMode, GarbageKind, TerminalSimulator
from tools.zksim.protocol import Command

from .conftest import SERIAL, entry_data

__all__ = ["pyzk_client"]


@pytest.fixture(autouse=True)
def mock_setup() -> Iterator[None]:
    """Keep created and updated entries from really connecting: these tests are about flows.

    Not depending on hass, this is set up before it and torn down after it, so entries the
    flows created also unload without a terminal.
    """
    with patch.multiple(
        "custom_components.devicehub",
        async_setup_entry=AsyncMock(return_value=True),
        async_unload_entry=AsyncMock(return_value=True),
    ):
        yield


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def form_input(sim: TerminalSimulator, **changes: Any) -> dict[str, Any]:
    """What a user types into the terminal form for a simulator."""
    return {
        CONF_HOST: sim.host,
        CONF_PORT: float(sim.port),  # number selectors hand over floats
        CONF_PASSWORD: str(sim.config.password),
        CONF_TIMEOUT: 2.0,
        **changes,
    }


async def start_terminal_flow(hass: HomeAssistant) -> str:
    """Open the add-device menu, pick a terminal, return the flow id."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "terminal"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "terminal"
    assert result["errors"] == {}
    return result["flow_id"]


async def test_add_terminal(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """The serial number becomes the unique id; the name the title."""
    flow_id = await start_terminal_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator, **{CONF_NAME: " Front desk "})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front desk"
    assert result["result"].unique_id == SERIAL
    assert result["data"] == {
        CONF_KIND: DeviceKind.TERMINAL,
        CONF_HOST: simulator.host,
        CONF_PORT: simulator.port,
        CONF_PASSWORD: 0,
        CONF_TIMEOUT: 2,
    }


async def test_add_terminal_titled_by_device(
    hass: HomeAssistant, zk_simulator: SimulatorFactory
) -> None:
    """Without a name, the terminal's own name, else its serial number, is the title."""
    named = zk_simulator(serial="NAMED1", device_name="F18/ID")
    anonymous = zk_simulator(serial="ANON1", options={"~DeviceName": None})
    titles = []
    for sim in (named, anonymous):
        flow_id = await start_terminal_flow(hass)
        result = await hass.config_entries.flow.async_configure(flow_id, form_input(sim))
        titles.append(result["title"])
    assert titles == ["F18/ID", "ZKTeco ANON1"]


async def test_duplicate_terminal_aborts(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """A second entry for the same serial number aborts."""
    MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(simulator)).add_to_hass(hass)
    flow_id = await start_terminal_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, form_input(simulator))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.parametrize(
    ("setup", "user_input", "error"),
    [
        ("nothing_listening", {}, {"base": "cannot_connect"}),
        ("password_1234", {CONF_PASSWORD: "4321"}, {"base": "invalid_auth"}),
        ("muted", {CONF_TIMEOUT: 1.0}, {"base": "timeout"}),
        ("options_refused", {}, {"base": "no_identity"}),
        ("garbage", {}, {"base": "invalid_response"}),
        ("busy", {}, {"base": "busy"}),
        ("none", {CONF_PASSWORD: "12ab"}, {CONF_PASSWORD: "invalid_password"}),
        ("none", {CONF_PASSWORD: "1000000"}, {CONF_PASSWORD: "invalid_password"}),
    ],
)
async def test_add_terminal_errors(
    hass: HomeAssistant,
    zk_simulator: SimulatorFactory,
    pyzk_client: PyzkFactory,
    setup: str,
    user_input: dict[str, Any],
    error: dict[str, str],
) -> None:
    """Each way of failing shows its error; fixing the input then creates the entry."""
    sim = zk_simulator(password=1234 if setup == "password_1234" else 0, serial=SERIAL)
    first_try = form_input(sim, **user_input)
    if setup == "nothing_listening":
        first_try[CONF_PORT] = float(free_port())
    elif setup == "muted":
        sim.faults.mute = True
    elif setup == "options_refused":
        # Neither serial number nor MAC: nothing identifies the terminal.
        sim.faults.error_commands = frozenset({Command.OPTIONS_RRQ})
    elif setup == "garbage":
        sim.faults.garbage_kind = GarbageKind.BAD_MAGIC
        sim.faults.garbage_replies = 1_000
    elif setup == "busy":
        sim.faults.busy = BusyMode.ACK_ERROR
        other_client = pyzk_client(sim)
    flow_id = await start_terminal_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, first_try)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error

    sim.faults.reset()
    if setup == "busy":
        other_client.disconnect()
    result = await hass.config_entries.flow.async_configure(flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == SERIAL


async def test_slow_terminal_is_no_timeout(
    hass: HomeAssistant, simulator: TerminalSimulator
) -> None:
    """Each reply within the timeout: added, however long the probe takes in all.

    The six replies take 2.4 s, longer than the flow's old deadline of 1.5 x the timeout.
    """
    simulator.faults.reply_delay = 0.4
    flow_id = await start_terminal_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator, **{CONF_TIMEOUT: 1.0})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == SERIAL
    assert result["data"][CONF_TIMEOUT] == 1


async def test_add_terminal_unexpected_error(
    hass: HomeAssistant, simulator: TerminalSimulator
) -> None:
    """A bug below the client layer shows as unknown (it cannot happen on the wire)."""
    flow_id = await start_terminal_flow(hass)
    with patch(
        "custom_components.devicehub.terminal.probe.AsyncTerminal.get_info",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(flow_id, form_input(simulator))
    assert result["errors"] == {"base": "unknown"}


async def test_reconfigure(
    hass: HomeAssistant, simulator: TerminalSimulator, zk_simulator: SimulatorFactory
) -> None:
    """Host, port and timeout change; the password and options stay; errors show first."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SERIAL,
        data=entry_data(simulator, **{CONF_PASSWORD: 0}),
        options={CONF_UNLOCK_SECONDS: 5},
    )
    entry.add_to_hass(hass)
    moved = zk_simulator(serial=SERIAL)  # the same terminal, now on another port
    other = zk_simulator(serial="OTHER1")

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_terminal"
    flow_id = result["flow_id"]
    new_input = {CONF_HOST: moved.host, CONF_PORT: float(free_port()), CONF_TIMEOUT: 3.0}

    result = await hass.config_entries.flow.async_configure(flow_id, new_input)
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, {**new_input, CONF_PORT: float(moved.port)}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == moved.port
    assert entry.data[CONF_TIMEOUT] == 3
    assert entry.data[CONF_PASSWORD] == 0
    assert entry.options == {CONF_UNLOCK_SECONDS: 5}

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new_input, CONF_PORT: float(other.port)}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_terminal"
    assert entry.data[CONF_PORT] == moved.port


async def test_reauth(hass: HomeAssistant, zk_simulator: SimulatorFactory) -> None:
    """A new comm password is checked against the terminal, then stored."""
    sim = zk_simulator(serial=SERIAL, password=1234)
    entry = MockConfigEntry(
        domain=DOMAIN, title="Front desk", unique_id=SERIAL, data=entry_data(sim)
    )
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PASSWORD: 1})

    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"] == {"name": "Front desk", CONF_HOST: sim.host}
    flow_id = result["flow_id"]

    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: "x"})
    assert result["errors"] == {CONF_PASSWORD: "invalid_password"}
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: "4321"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_PASSWORD: "1234"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == 1234


async def test_reauth_other_terminal(hass: HomeAssistant, zk_simulator: SimulatorFactory) -> None:
    """Reauthentication does not accept another terminal at the address."""
    sim = zk_simulator(serial="OTHER1")
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(sim))
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PASSWORD: "0"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_terminal"


async def start_import(hass: HomeAssistant) -> str:
    """Open the devices.json import step."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "import_devices"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "import_devices"
    return result["flow_id"]


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '"a string"',
        '{"1": "not a device"}',
        '[{"name": "no ip"}]',
        '[{"ip": "127.0.0.1", "port": "many"}]',
        '[{"ip": "127.0.0.1", "password": 1000000}]',
    ],
)
async def test_import_rejects_bad_files(hass: HomeAssistant, text: str) -> None:
    """Anything but a devices.json of the old server is refused, without echoing it."""
    flow_id = await start_import(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"devices_json": text})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"devices_json": "invalid_devices_json"}


async def test_import_devices(
    hass: HomeAssistant,
    zk_simulator: SimulatorFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each terminal becomes an entry; known ones are skipped; failures are reported."""
    known = zk_simulator(serial="KNOWN1")
    MockConfigEntry(domain=DOMAIN, unique_id="KNOWN1", data=entry_data(known)).add_to_hass(hass)
    # Six digits: no port or session id in a log line can contain it by chance.
    lobby = zk_simulator(serial="LOBBY1", password=918273)
    garage = zk_simulator(serial="GARAGE1")
    devices = {
        "1": {"name": "Lobby", "ip": lobby.host, "port": lobby.port, "password": 918273},
        "2": {"ip": garage.host, "port": garage.port, "timeout": 3},
        "3": {"name": "Known", "ip": known.host, "port": known.port},
        "4": {"name": "Wrong key", "ip": lobby.host, "port": lobby.port, "password": 5},
    }
    flow_id = await start_import(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"devices_json": json.dumps(devices)}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "import_finished"
    assert result["description_placeholders"] == {
        "imported": "Lobby, 2",
        "skipped": "Known",
        "failed": "Wrong key (invalid_auth)",
    }
    entries = {entry.unique_id: entry for entry in hass.config_entries.async_entries(DOMAIN)}
    assert entries["LOBBY1"].title == "Lobby"
    assert entries["LOBBY1"].data[CONF_PASSWORD] == 918273
    assert entries["GARAGE1"].title == "2"
    assert entries["GARAGE1"].data[CONF_TIMEOUT] == 3
    assert "918273" not in caplog.text


@pytest.mark.parametrize(
    "document",
    [
        [{"id": "lobby", "ip": "{host}", "port": "{port}"}],
        {"devices": [{"id": "lobby", "ip": "{host}", "port": "{port}"}]},
        {"id": "lobby", "ip": "{host}", "port": "{port}"},
    ],
)
async def test_import_file_shapes(
    hass: HomeAssistant, simulator: TerminalSimulator, document: Any
) -> None:
    """A list, a devices list and a single device are all accepted; the id names it."""
    text = (
        json.dumps(document)
        .replace('"{host}"', json.dumps(simulator.host))
        .replace('"{port}"', str(simulator.port))
    )
    flow_id = await start_import(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"devices_json": text})
    assert result["description_placeholders"] == {
        "imported": "lobby",
        "skipped": "-",
        "failed": "-",
    }
    assert hass.config_entries.async_entries(DOMAIN)[0].title == "lobby"


async def test_options(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """Options are checked, stored with their types, and an empty code removed."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SERIAL, data=entry_data(simulator), options={CONF_CODE: "12"}
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["terminal_options", "people"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "terminal_options"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "terminal_options"
    options = {
        CONF_UNLOCK_SECONDS: 5.0,
        CONF_CODE: "",
        CONF_ENCODING: "no-such-codec",
        CONF_TIME_ZONE: "Asia/Shanghai",
        CONF_LIVE_CAPTURE: False,
        CONF_POLL_INTERVAL: 30.0,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["errors"] == {CONF_ENCODING: "invalid_encoding"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_ENCODING: "gbk"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_UNLOCK_SECONDS: 5,
        CONF_ENCODING: "gbk",
        CONF_TIME_ZONE: "Asia/Shanghai",
        CONF_LIVE_CAPTURE: False,
        CONF_POLL_INTERVAL: 30,
    }

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "terminal_options"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_ENCODING: "utf-8", CONF_CODE: "0000"}
    )
    assert entry.options[CONF_CODE] == "0000"


@pytest.mark.parametrize(
    "refused", [("~Platform",), ("MAC",), ("~DeviceName", "~Platform", "ZKFaceVersion")]
)
async def test_add_terminal_refusing_options(
    hass: HomeAssistant, zk_simulator: SimulatorFactory, refused: tuple[str, ...]
) -> None:
    """Refused description options (SpeedFace refuses ~Platform) do not stop the add."""
    sim = zk_simulator(serial="OPT1", options=dict.fromkeys(refused))
    flow_id = await start_terminal_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "OPT1"


async def test_add_terminal_without_serial_uses_the_mac(
    hass: HomeAssistant, zk_simulator: SimulatorFactory
) -> None:
    """A terminal refusing its serial number is known by its MAC address."""
    sim = zk_simulator(
        options={"~SerialNumber": None, "~DeviceName": None}, mac="00:17:61:0A:0B:0C"
    )
    flow_id = await start_terminal_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, form_input(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "00:17:61:0a:0b:0c"
    assert result["title"] == "ZKTeco 00:17:61:0a:0b:0c"
