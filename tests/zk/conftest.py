"""Fixtures for the terminal client layer tests: simulated terminals, no Home Assistant."""

from typing import Any

import pytest

from custom_components.devicehub.zk import TerminalConfig
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
