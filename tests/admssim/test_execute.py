"""How the simulated terminal reads command texts (its side of the protocol)."""

from datetime import timedelta

import pytest

from tools.admssim import SimulatorConfig, TerminalClock
from tools.admssim.execute import execute
from tools.admssim.terminal import SimUser, TerminalData


@pytest.fixture
def data() -> TerminalData:
    terminal = TerminalData()
    terminal.users["1"] = SimUser("1", "Ann")
    return terminal


@pytest.mark.parametrize(
    "text",
    [
        "SHELL ls",
        "Shell date",
        "PutFile file/fw/main.tgz",
        "UPGRADE type=1,url=x",
        "CLEAR DATA",
        "USER ADD PIN=2",
        "DATA DEL USERINFO PIN=1",
        "DATA UPDATE FINGERTMP PIN=1",
        "CONTROL DEVICE 01010100",
        "CONTROL DEVICE 0101010G",
        "CONTROL DEVICE 02000000",
        "CONTROL DEVICE 01050105",
    ],
)
def test_what_the_terminal_refuses(text: str, data: TerminalData) -> None:
    outcome = execute(text, SimulatorConfig(), data, TerminalClock(timedelta()))
    assert outcome.return_code == -1002
    assert outcome.unlock is None and not outcome.reboot
    assert list(data.users) == ["1"]


def test_queries_and_options(data: TerminalData) -> None:
    clock = TerminalClock(timedelta())
    config = SimulatorConfig()
    assert execute("DATA QUERY USERINFO PIN=9", config, data, clock).return_code == -1
    assert execute("GET OPTION FROM Nothing", config, data, clock).return_code == -1
    assert execute("SET OPTION Delay=5", config, data, clock).return_code == 0
    assert execute("SET OPTION =", config, data, clock).return_code == -1
    query = execute("DATA QUERY USERINFO PIN=1", config, data, clock)
    assert (query.return_code, data.pending_operlog) == (0, [SimUser("1", "Ann").line()])
    assert execute("LOG", config, data, clock).upload_now
