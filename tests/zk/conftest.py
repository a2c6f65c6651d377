"""Fixtures for the terminal client layer tests: no Home Assistant instance needed."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture: these tests never start Home Assistant."""
