"""Realtime attendance events from real terminals, replayed to the real live capture."""

from __future__ import annotations

import pytest

from tests.zk.captures import (
    EVENTS,
    decoded_events,
    stated_events,
)
from tests.zk.replay import ReplayTerminal

# The replayed terminals listen on loopback sockets.
pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.mark.parametrize("replay", EVENTS, indirect=True)
async def test_realtime_events_decode_as_the_source_states(replay: ReplayTerminal) -> None:
    assert await decoded_events(replay) == stated_events(replay.fixture)
