"""LiveCapture end to end: punches injected in the simulator reach the event loop."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
import struct
import threading
import time
from typing import Any

import pytest

from custom_components.devicehub.zk import LiveCapture, LiveEvent, TerminalClient, TerminalConfig
from tools.zksim import BusyMode, TerminalSimulator

from .conftest import SimulatorFactory, config_for
from .scripted import ScriptedTerminal, reply

WHEN = datetime(2024, 5, 6, 8, 30, 15)
FAST = {"watchdog_seconds": 0.6, "heartbeat_seconds": 0.15, "retry_backoff": (0.05, 0.2)}


@dataclass
class Recorder:
    """Collects what a capture delivers, and on which thread."""

    events: asyncio.Queue[LiveEvent] = field(default_factory=asyncio.Queue)
    changes: asyncio.Queue[bool] = field(default_factory=asyncio.Queue)
    threads: set[int] = field(default_factory=set)

    def on_event(self, event: LiveEvent) -> None:
        self.threads.add(threading.get_ident())
        self.events.put_nowait(event)

    def on_connection_change(self, connected: bool) -> None:
        self.threads.add(threading.get_ident())
        self.changes.put_nowait(connected)

    async def next_event(self, within: float = 5.0) -> LiveEvent:
        return await asyncio.wait_for(self.events.get(), within)

    async def next_change(self, within: float = 5.0) -> bool:
        return await asyncio.wait_for(self.changes.get(), within)


type CaptureFactory = Callable[..., tuple[LiveCapture, Recorder]]


@pytest.fixture
async def start_capture() -> AsyncIterator[CaptureFactory]:
    """Start captures delivering into this test's loop; stopped after the test."""
    started: list[LiveCapture] = []
    loop = asyncio.get_running_loop()

    def start(config: TerminalConfig, **settings: Any) -> tuple[LiveCapture, Recorder]:
        recorder = Recorder()
        capture = LiveCapture(
            config, loop, recorder.on_event, recorder.on_connection_change, **(FAST | settings)
        )
        capture.start()
        started.append(capture)
        return capture, recorder

    yield start
    for capture in started:
        capture.stop()


@pytest.mark.parametrize("tcp", [True, False])
async def test_punch_reaches_the_loop(
    make_simulator: SimulatorFactory, start_capture: CaptureFactory, tcp: bool
) -> None:
    """An injected punch arrives in the loop thread with the terminal's data."""
    simulator = make_simulator(users=5, tcp=tcp)
    capture, recorder = start_capture(config_for(simulator))
    assert await recorder.next_change() is True
    assert capture.connected
    assert capture.transport == ("tcp" if tcp else "udp")
    assert simulator.wait_for_listeners(1)
    user = simulator.users[2]
    simulator.inject_punch(user.user_id, punch=1, verify=15, when=WHEN)
    event = await recorder.next_event()
    assert event == LiveEvent(user_id=user.user_id, timestamp=WHEN, verify=15, punch=1)
    assert recorder.threads == {threading.get_ident()}


@pytest.mark.parametrize("event_size", [12, 32, 36, 52])
async def test_event_payload_sizes(
    make_simulator: SimulatorFactory, start_capture: CaptureFactory, event_size: int
) -> None:
    """Every payload layout pyzk knows is decoded; several punches arrive in order."""
    simulator = make_simulator(users=5, event_size=event_size, event_holdoff=0.0)
    capture, recorder = start_capture(config_for(simulator))
    assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    pins = [user.user_id for user in simulator.users]
    for index, pin in enumerate(pins):
        simulator.inject_punch(pin, punch=index % 2, verify=1, when=WHEN)
    received = [await recorder.next_event() for _ in pins]
    assert [(e.user_id, e.punch, e.timestamp) for e in received] == [
        (pin, index % 2, WHEN) for index, pin in enumerate(pins)
    ]
    assert capture.invalid_events == 0


async def test_unknown_payload_size_is_counted(
    simulator: TerminalSimulator, start_capture: CaptureFactory
) -> None:
    """A payload length no parser knows is counted and skipped; capture goes on."""
    capture, recorder = start_capture(config_for(simulator))
    assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    simulator.event_size = 20
    simulator.inject_punch(simulator.users[0].user_id, when=WHEN)
    assert simulator.wait_for_events_sent(1)
    simulator.event_size = 32
    simulator.inject_punch(simulator.users[1].user_id, when=WHEN)
    assert (await recorder.next_event()).user_id == simulator.users[1].user_id
    assert capture.invalid_events == 1
    assert capture.connected


@pytest.mark.parametrize("down_for", [0.0, 1.0])
async def test_reboot_is_caught_by_the_watchdog(
    simulator: TerminalSimulator, start_capture: CaptureFactory, down_for: float
) -> None:
    """A rebooted terminal goes silent; the watchdog reconnects and punches flow again."""
    capture, recorder = start_capture(config_for(simulator, timeout=0.3))
    assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    simulator.reboot(down_for=down_for)
    assert await recorder.next_change() is False
    assert not capture.connected
    if down_for:
        assert await recorder.next_change(within=down_for + 5) is True
        assert capture.reconnects >= 2  # refused while down, then back
    else:
        assert str(capture.last_error).endswith("heartbeat not answered within 0.3 s")
        assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    simulator.inject_punch(simulator.users[3].user_id, when=WHEN)
    assert (await recorder.next_event()).user_id == simulator.users[3].user_id


async def test_unanswered_heartbeat_reconnects_before_the_watchdog(
    simulator: TerminalSimulator, start_capture: CaptureFactory
) -> None:
    """A silent reboot is noticed one heartbeat timeout after the next heartbeat."""
    capture, recorder = start_capture(
        config_for(simulator, timeout=0.3), watchdog_seconds=30, heartbeat_seconds=0.2
    )
    assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    rebooted = time.monotonic()
    simulator.reboot(down_for=0)
    assert await recorder.next_change(within=5) is False  # the watchdog would take 30 s
    assert time.monotonic() - rebooted < 5
    assert str(capture.last_error).endswith("heartbeat not answered within 0.3 s")
    assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    simulator.inject_punch(simulator.users[2].user_id, when=WHEN)
    assert (await recorder.next_event()).user_id == simulator.users[2].user_id


async def test_heartbeats_keep_a_quiet_capture(
    simulator: TerminalSimulator, start_capture: CaptureFactory
) -> None:
    """No punches for several watchdog periods: heartbeat replies keep the session."""
    capture, recorder = start_capture(config_for(simulator), watchdog_seconds=0.3)
    assert await recorder.next_change() is True
    with pytest.raises(TimeoutError):
        await recorder.next_change(within=1.0)
    assert capture.connected
    assert capture.reconnects == 0
    assert capture.heartbeats > 3


async def test_busy_terminal_is_reported_then_recovered(
    simulator: TerminalSimulator, start_capture: CaptureFactory
) -> None:
    """Refused for another client: False with busy set; True once the other one leaves."""
    simulator.faults.busy = BusyMode.ACK_ERROR
    other = TerminalClient(config_for(simulator))
    other.connect()
    capture, recorder = start_capture(config_for(simulator))
    assert await recorder.next_change() is False
    assert capture.busy
    other.close()
    assert await recorder.next_change() is True
    assert not capture.busy


async def test_wrong_password_is_reported(
    make_simulator: SimulatorFactory, start_capture: CaptureFactory
) -> None:
    """A capture that cannot authenticate says it is not connected, and why."""
    simulator = make_simulator(password=1234)
    capture, recorder = start_capture(config_for(simulator, password=4321))
    assert await recorder.next_change() is False
    assert not capture.busy
    assert "comm key" in str(capture.last_error)


async def test_stop_is_prompt_even_while_connecting(
    simulator: TerminalSimulator, start_capture: CaptureFactory
) -> None:
    """A capture blocked on a terminal that never answers still stops within ~1 s."""
    simulator.faults.mute = True
    capture, _recorder = start_capture(config_for(simulator, timeout=5.0))
    assert simulator.session_count == 0
    started = time.monotonic()
    capture.stop()
    capture.stop()
    assert time.monotonic() - started < 1.5
    assert not capture.connected


async def test_stop_during_capture_and_restart(
    simulator: TerminalSimulator, start_capture: CaptureFactory
) -> None:
    """stop() ends a live session promptly; start() again resumes capture."""
    capture, recorder = start_capture(config_for(simulator))
    assert await recorder.next_change() is True
    capture.start()  # already running: no second thread
    started = time.monotonic()
    capture.stop()
    assert time.monotonic() - started < 1.5
    assert not capture.connected
    capture.start()
    assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    simulator.inject_punch(simulator.users[0].user_id, when=WHEN)
    assert (await recorder.next_event()).timestamp == WHEN


async def test_settings_are_checked(simulator: TerminalSimulator) -> None:
    """A heartbeat slower than the watchdog would make every capture flap."""
    with pytest.raises(ValueError, match="heartbeat"):
        LiveCapture(
            config_for(simulator),
            asyncio.get_running_loop(),
            print,
            print,
            watchdog_seconds=1,
            heartbeat_seconds=2,
        )


async def test_setup_steps_a_terminal_refuses_are_optional(
    simulator: TerminalSimulator, start_capture: CaptureFactory
) -> None:
    """Firmware without CANCELCAPTURE / STARTVERIFY still delivers punches."""
    simulator.faults.error_commands = frozenset({60, 62})
    _capture, recorder = start_capture(config_for(simulator))
    assert await recorder.next_change() is True
    assert simulator.wait_for_listeners(1)
    simulator.inject_punch(simulator.users[0].user_id, when=WHEN)
    assert (await recorder.next_event()).timestamp == WHEN


async def test_closed_loop_ends_the_capture(simulator: TerminalSimulator) -> None:
    """Nobody left to deliver to: the capture thread ends by itself."""
    closed = asyncio.new_event_loop()
    closed.close()
    capture = LiveCapture(config_for(simulator), closed, print, print, **FAST)
    capture.start()
    thread = capture._thread
    assert thread is not None
    thread.join(5)
    assert not thread.is_alive()
    capture.stop()


def event(user_id: bytes, kind: int = 1) -> bytes:
    """A framed 32-byte realtime event; the kind travels in the session field."""
    payload = struct.pack("<24sBB6s", user_id, 15, 0, bytes([24, 5, 6, 8, 30, 15]))
    return reply(500, 0, payload, session_id=kind)


def live_script(command: int, reply_id: int, payload: bytes) -> list[bytes] | None:
    """Accepts everything; on REG_EVENT pushes a burst pyzk 0.9 would choke on."""
    if command == 2000:  # our event ACKs are never answered
        return []
    if command == 500 and payload == struct.pack("<I", 1):
        return [
            reply(2000, reply_id),
            event(b"7", kind=2)  # a fingerprint event: not a punch
            + reply(2000, 4242)  # a stray reply nobody asked for
            + event(b"1001")
            + event(b"1002"),  # two punches in one segment
        ]
    return [reply(2000, reply_id)]


async def test_coalesced_and_foreign_packets(
    socket_enabled: None, start_capture: CaptureFactory
) -> None:
    """Two punches in one segment both arrive; other event kinds and strays are ignored."""
    peer = ScriptedTerminal(live_script)
    try:
        capture, recorder = start_capture(TerminalConfig("127.0.0.1", peer.port, timeout=0.5))
        assert await recorder.next_change() is True
        first, second = await recorder.next_event(), await recorder.next_event()
        assert (first.user_id, second.user_id) == ("1001", "1002")
        assert first.timestamp == WHEN
        assert capture.invalid_events == 0
        assert recorder.events.empty()
    finally:
        capture.stop()
        peer.close()
