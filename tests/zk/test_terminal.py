"""AsyncTerminal: serialized calls on one worker thread, typed errors, clean shutdown."""

import asyncio
from datetime import datetime
import struct
import threading

import pytest

from custom_components.devicehub.zk import (
    AsyncTerminal,
    TerminalCannotConnect,
    TerminalClient,
    TerminalProtocolError,
)
from tools.zksim import TerminalSimulator

from .conftest import config_for


@pytest.fixture
async def terminal(simulator: TerminalSimulator):  # type: ignore[no-untyped-def]
    terminal = AsyncTerminal(config_for(simulator))
    yield terminal
    await terminal.close()


async def test_conveniences(simulator: TerminalSimulator, terminal: AsyncTerminal) -> None:
    """Every convenience reaches the terminal and returns its typed value."""
    assert (await terminal.get_info()).serial_number == simulator.config.serial_number()
    assert terminal.transport == "tcp"
    assert (await terminal.get_counts()).records == 50
    await terminal.set_time(datetime(2030, 1, 2, 3, 4, 5))
    assert simulator.time_sets == [datetime(2030, 1, 2, 3, 4, 5)]
    assert (await terminal.get_time()).year == 2030
    assert len(await terminal.get_users()) == 10
    assert len((await terminal.get_attendance()).records) == 50
    await terminal.unlock(2)
    await terminal.test_voice(4)
    await terminal.set_user("555", "Eve", privilege=14)
    user = simulator.user("555")
    assert user is not None
    assert (user.name, user.privilege) == ("Eve", 14)
    await terminal.delete_user("555")
    await terminal.clear_attendance()
    assert ([p.seconds for p in simulator.unlocks], simulator.voices) == ([2], [4])
    assert (simulator.user("555"), simulator.record_count) == (None, 0)
    await terminal.restart()
    assert simulator.restarts == 1


async def test_calls_are_serialized_on_one_thread(terminal: AsyncTerminal) -> None:
    """Concurrent callers are queued: one worker thread, never two calls at once."""
    active = 0
    overlap = False
    guard = threading.Lock()

    def probe(client: TerminalClient) -> str:
        nonlocal active, overlap
        with guard:
            active += 1
            overlap |= active > 1
        client.get_time()
        with guard:
            active -= 1
        return threading.current_thread().name

    names = await asyncio.gather(*(terminal.run(probe) for _ in range(8)))
    assert not overlap
    assert len(set(names)) == 1
    assert names[0].startswith("devicehub-zk-127.0.0.1")
    assert names[0] != threading.current_thread().name


async def test_errors_are_typed_and_connection_rebuilt(
    simulator: TerminalSimulator, terminal: AsyncTerminal
) -> None:
    """A failure drops the connection; the next call reconnects and works."""
    await terminal.get_time()
    simulator.faults.garbage_replies = 1
    with pytest.raises(TerminalProtocolError):
        await terminal.get_time()
    assert not await terminal.run(lambda client: client.connected)
    assert isinstance(await terminal.get_time(), datetime)


async def test_raw_exceptions_in_a_call_become_typed(terminal: AsyncTerminal) -> None:
    """Whatever a call raises reaches the caller as a TerminalError."""
    await terminal.get_time()

    def broken(client: TerminalClient) -> tuple[int, ...]:
        return struct.unpack("<I", b"")

    with pytest.raises(TerminalProtocolError, match=r"struct.error|error: unpack"):
        await terminal.run(broken)
    assert not await terminal.run(lambda client: client.connected)


async def test_close_stops_the_worker(simulator: TerminalSimulator) -> None:
    """close() ends the session and joins the thread; later calls fail typed; twice is fine."""
    terminal = AsyncTerminal(config_for(simulator))
    await terminal.get_time()
    assert simulator.session_count == 1
    await terminal.close()
    await terminal.close()
    assert not any(t.name.startswith("devicehub-zk-") for t in threading.enumerate())
    with pytest.raises(TerminalCannotConnect, match="closed"):
        await terminal.get_time()
