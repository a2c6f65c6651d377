"""Fixtures of the shutdown test: a real broker and simulated terminals."""

from tests.mosquitto import (  # noqa: F401 - fixtures used by the tests here
    mosquitto_broker,
    mosquitto_executable,
)
from tests.zksim_fixtures import zk_simulator  # noqa: F401
