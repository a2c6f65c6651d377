"""Push terminal simulator fixtures; these tests never start Home Assistant."""

import pytest

from tests.admssim_fixtures import adms_stub_server, push_terminal

__all__ = ["adms_stub_server", "push_terminal"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture: no Home Assistant instance is needed here."""
