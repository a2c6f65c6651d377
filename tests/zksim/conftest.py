"""Simulator fixtures; these tests never start Home Assistant."""

import pytest

from tests.zksim_fixtures import pyzk_client, zk_simulator

__all__ = ["pyzk_client", "zk_simulator"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture: no Home Assistant instance is needed here."""
