"""Reusable fixtures: simulated push terminals, and a protocol-only stub push server.

Import them from a folder's conftest.py:

    from tests.admssim_fixtures import adms_stub_server, push_terminal  # noqa: F401

``push_terminal(server_url, serial="...", **config)`` makes a PushTerminalSimulator (an
aiohttp client) for any server: Home Assistant's real HTTP server in integration tests
(``str(client.make_url(""))`` of ``aiohttp_client(hass.http.app)``, or the URL of
``hass.http`` when the test starts it on loopback), or ``adms_stub_server`` where only
the protocol is under test. Terminals are closed at teardown. Both fixtures need sockets
(``socket_enabled``), loopback only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any, Protocol

import pytest

from tools.admssim import PushTerminalSimulator, SimulatorConfig
from tools.admssim.stubserver import StubPushServer


class TerminalFactory(Protocol):
    """Signature of the push_terminal fixture."""

    def __call__(self, server: str, **config: Any) -> PushTerminalSimulator:
        """A simulated terminal for the server at that base URL."""


class StubServerFactory(Protocol):
    """Signature of the adms_stub_server fixture."""

    async def __call__(self, serials: Iterable[str], **options: Any) -> StubPushServer:
        """A started stub server serving those serials."""


@pytest.fixture
async def push_terminal(socket_enabled: None) -> AsyncIterator[TerminalFactory]:
    """Factory of simulated push terminals; each is closed (loops stopped) at teardown."""
    terminals: list[PushTerminalSimulator] = []

    def make(server: str, **config: Any) -> PushTerminalSimulator:
        terminal = PushTerminalSimulator(replace(SimulatorConfig(), server=server, **config))
        terminals.append(terminal)
        return terminal

    yield make
    for terminal in reversed(terminals):
        await terminal.close()


@pytest.fixture
async def adms_stub_server(socket_enabled: None) -> AsyncIterator[StubServerFactory]:
    """Factory of stub push servers on free loopback ports, stopped at teardown."""
    servers: list[StubPushServer] = []

    async def start(serials: Iterable[str], **options: Any) -> StubPushServer:
        server = StubPushServer(set(serials), **options)
        servers.append(server)
        await server.start()
        return server

    yield start
    for server in reversed(servers):
        await server.stop()
