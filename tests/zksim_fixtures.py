"""Reusable fixtures: simulated ZKTeco terminals on free loopback ports, and pyzk clients.

Import them from a folder's conftest.py:

    from tests.zksim_fixtures import pyzk_client, zk_simulator  # noqa: F401

``zk_simulator(config=None, **overrides)`` starts a TerminalSimulator (port 0 = free port)
and stops it at teardown; ``pyzk_client(sim, udp=False, timeout=2.0, ...)`` makes an
unmodified pyzk 0.9 ``ZK`` (``ommit_ping=True`` always) and closes its socket at teardown,
since pyzk leaves sockets open after restart(), failed calls and abandoned captures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
import threading
from typing import Any, Protocol

import pytest
from zk import ZK

from tools.zksim import AttendanceRecord, SimulatorConfig, TerminalSimulator

type SimulatorFactory = Callable[..., TerminalSimulator]


class PyzkFactory(Protocol):
    """Signature of the pyzk_client fixture."""

    def __call__(
        self,
        sim: TerminalSimulator,
        *,
        udp: bool = False,
        timeout: float = 2.0,
        password: int | None = None,
        encoding: str = "UTF-8",
        connect: bool = True,
    ) -> Any:
        """A pyzk ZK for sim (connected unless connect=False)."""


def close_pyzk(client: Any) -> None:
    """Close a pyzk ZK's socket whatever state pyzk left it in."""
    sock = getattr(client, "_ZK__sock", None)
    if sock is not None:
        sock.close()


@pytest.fixture
def zk_simulator(socket_enabled: None) -> Iterator[SimulatorFactory]:
    """Factory starting simulators on free loopback ports; all are stopped at teardown."""
    started: list[TerminalSimulator] = []

    def start(config: SimulatorConfig | None = None, **overrides: Any) -> TerminalSimulator:
        sim = TerminalSimulator(replace(config or SimulatorConfig(), **overrides))
        started.append(sim)
        return sim.start()

    yield start
    for sim in reversed(started):
        sim.stop()


@pytest.fixture
def pyzk_client(zk_simulator: SimulatorFactory) -> Iterator[PyzkFactory]:
    """Factory of pyzk 0.9 clients for a simulator; their sockets are closed at teardown."""
    clients: list[Any] = []

    def make(
        sim: TerminalSimulator,
        *,
        udp: bool = False,
        timeout: float = 2.0,
        password: int | None = None,
        encoding: str = "UTF-8",
        connect: bool = True,
    ) -> Any:
        client = ZK(
            sim.host,
            port=sim.port,
            timeout=timeout,
            password=sim.config.password if password is None else password,
            force_udp=udp,
            ommit_ping=True,
            encoding=encoding,
        )
        # pyzk opens a UDP socket in __init__ and replaces it unclosed in connect().
        close_pyzk(client)
        clients.append(client)
        if connect:
            client.connect()
        return client

    yield make
    for client in clients:
        close_pyzk(client)


@contextmanager
def when_listening(
    sim: TerminalSimulator,
    action: Callable[[], object],
    *,
    listeners: int = 1,
    timeout: float = 5.0,
) -> Iterator[None]:
    """Run action in a helper thread once `listeners` sessions registered for events.

    Lets a test block in pyzk's live_capture while the punch (or fault) happens at the
    right moment; the thread is joined on exit.
    """

    def run() -> None:
        if sim.wait_for_listeners(listeners, timeout):
            action()

    thread = threading.Thread(target=run, name="zksim-test-when-listening")
    thread.start()
    try:
        yield
    finally:
        thread.join()


@contextmanager
def punches_when_listening(
    sim: TerminalSimulator,
    user_ids: Iterable[str],
    *,
    listeners: int = 1,
    timeout: float = 5.0,
    **punch: Any,
) -> Iterator[list[AttendanceRecord]]:
    """Punch user_ids once `listeners` sessions registered for events (see when_listening).

    Yields the list the injected records are appended to.
    """
    pins = list(user_ids)
    injected: list[AttendanceRecord] = []

    def punch_all() -> None:
        injected.extend(sim.inject_punch(pin, **punch) for pin in pins)

    with when_listening(sim, punch_all, listeners=listeners, timeout=timeout):
        yield injected


def capture(client: Any, count: int, *, new_timeout: float = 2.0) -> list[Any]:
    """Run pyzk's live_capture until count events (or the first timeout, kept as None).

    Ends the capture the way pyzk intends (end_live_capture, so it sends REG_EVENT(0)).
    """
    events: list[Any] = []
    for event in client.live_capture(new_timeout=new_timeout):
        events.append(event)
        if event is None or len(events) >= count:
            client.end_live_capture = True
    return events
