"""Protocol tests: pure functions, no Home Assistant instance."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture: no Home Assistant instance is needed here."""
