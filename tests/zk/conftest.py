"""Fixtures for the terminal client layer tests: simulated terminals, no Home Assistant."""

from collections.abc import Iterator
import socket
from typing import Any

import pytest
from zk import ZK

from custom_components.devicehub.zk import AttendanceRecord, TerminalClient, TerminalConfig, User
from tests.zk.replay import ReplayTerminal, load_fixture
from tests.zksim_fixtures import SimulatorFactory, zk_simulator  # noqa: F401
from tools.zksim import TerminalSimulator


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture: these tests never start Home Assistant."""


@pytest.fixture
def make_simulator(request: pytest.FixtureRequest) -> SimulatorFactory:
    """Start simulated terminals on free loopback ports (stopped after the test)."""
    factory: SimulatorFactory = request.getfixturevalue("zk_simulator")
    return factory


@pytest.fixture
def simulator(make_simulator: SimulatorFactory) -> TerminalSimulator:
    """A terminal with 10 users and 50 punches, TCP and UDP."""
    return make_simulator(users=10, records=50)


def config_for(simulator: TerminalSimulator, **overrides: Any) -> TerminalConfig:
    """Client settings reaching a simulator, with short timeouts for quick failures."""
    settings: dict[str, Any] = {
        "host": simulator.host,
        "port": simulator.port,
        "password": simulator.config.password,
        "timeout": 1.0,
        "encoding": simulator.config.encoding,
    }
    settings.update(overrides)
    return TerminalConfig(**settings)


def expected_records(simulator: TerminalSimulator) -> list[AttendanceRecord]:
    return [
        AttendanceRecord(r.uid, r.user_id, r.timestamp, r.verify, r.punch)
        for r in simulator.records
    ]


def expected_users(simulator: TerminalSimulator) -> list[User]:
    return [
        User(u.uid, u.user_id, u.name, u.privilege, u.password, u.group_id, u.card)
        for u in simulator.users
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def pyzk_connect(simulator: TerminalSimulator, timeout: float) -> ZK:
    """Plain pyzk, connected (its constructor's spare socket closed to keep tests tidy)."""
    zk = ZK("127.0.0.1", port=simulator.port, timeout=timeout, ommit_ping=True)
    zk._ZK__sock.close()
    return zk.connect()


@pytest.fixture
def client(simulator: TerminalSimulator) -> TerminalClient:
    return TerminalClient(config_for(simulator))


@pytest.fixture
def replay(request: pytest.FixtureRequest, socket_enabled: None) -> Iterator[ReplayTerminal]:
    """A replayed real terminal: the capture fixture named by the indirect parameter."""
    with ReplayTerminal(load_fixture(request.param)) as terminal:
        yield terminal
