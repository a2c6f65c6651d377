"""Live capture of access-control events (EF_ALARM, EF_VERIFY, ...) from the simulator.

Layouts per the protocol manual, unverified on hardware: bytes that fit none are refused,
counted and logged once.
"""

import asyncio
import logging
import struct
from typing import Any

import pytest

from custom_components.devicehub.zk import LiveCapture, TerminalConfig
from custom_components.devicehub.zk.access_events import (
    AccessEventKind,
    TerminalAccessEvent,
)
from tools.zksim import TerminalSimulator
from tools.zksim.access_events import (
    EF_ALARM,
    EF_BUTTON,
    EF_VERIFY,
    alarm_payload,
    door_closed_payload,
    duress_payload,
    verify_payload,
)

from .conftest import config_for
from .scripted import ScriptedTerminal, reply
from .test_live import FAST, WHEN, Recorder, event

# EF_ATTLOG | EF_BUTTON | EF_UNLOCK | EF_VERIFY | EF_ALARM, as the manual numbers them.
FULL_MASK = 1 | 16 | 32 | 128 | 512


class AccessRecorder(Recorder):
    """Also collects access-control events."""

    def __init__(self) -> None:
        super().__init__()
        self.access: asyncio.Queue[TerminalAccessEvent] = asyncio.Queue()

    def on_access(self, access: TerminalAccessEvent) -> None:
        self.access.put_nowait(access)

    async def next_access(self, within: float = 5.0) -> TerminalAccessEvent:
        return await asyncio.wait_for(self.access.get(), within)


def start(
    config: TerminalConfig, *, access: bool = True, **settings: Any
) -> tuple[LiveCapture, AccessRecorder]:
    recorder = AccessRecorder()
    capture = LiveCapture(
        config,
        asyncio.get_running_loop(),
        recorder.on_event,
        recorder.on_connection_change,
        on_access_event=recorder.on_access if access else None,
        **(FAST | settings),
    )
    capture.start()
    return capture, recorder


async def test_access_events_reach_the_loop(simulator: TerminalSimulator) -> None:
    capture, recorder = start(config_for(simulator))
    try:
        assert await recorder.next_change() is True
        assert simulator.wait_for_listeners(1)
        sent = [
            simulator.inject_access_event(EF_ALARM, alarm_payload("tamper")),
            simulator.inject_access_event(EF_VERIFY, verify_payload(None)),
            simulator.inject_access_event(EF_ALARM, duress_payload("duress", 7, 1)),
            simulator.inject_access_event(EF_ALARM, door_closed_payload()),
            simulator.inject_access_event(EF_ALARM, alarm_payload("exit_button")),
        ]
        assert sent == [1, 1, 1, 1, 1]
        received = [await recorder.next_access() for _ in sent]
        assert received == [
            TerminalAccessEvent(kind=AccessEventKind.TAMPER),
            TerminalAccessEvent(kind=AccessEventKind.VERIFY_FAILED),
            TerminalAccessEvent(kind=AccessEventKind.DURESS, user_sn=7, match_type=1),
            TerminalAccessEvent(kind=AccessEventKind.DOOR_CLOSED),
            TerminalAccessEvent(kind=AccessEventKind.EXIT_BUTTON),
        ]
        # Punches still flow on the same link.
        simulator.inject_punch(simulator.users[0].user_id, when=WHEN)
        assert (await recorder.next_event()).timestamp == WHEN
        assert capture.unknown_access_events == 0
    finally:
        await asyncio.get_running_loop().run_in_executor(None, capture.stop)


async def test_bytes_that_fit_no_layout_are_refused_and_logged_once(
    simulator: TerminalSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    capture, recorder = start(config_for(simulator))
    try:
        assert await recorder.next_change() is True
        assert simulator.wait_for_listeners(1)
        caplog.set_level(logging.DEBUG, logger="custom_components.devicehub.zk.live")
        simulator.inject_access_event(EF_BUTTON, b"\x01\x00\x00\x00")  # no layout in the manual
        simulator.inject_access_event(EF_ALARM, bytes(5))  # no EF_ALARM layout has 5 bytes
        simulator.inject_access_event(EF_VERIFY, bytes(6))
        simulator.inject_access_event(EF_ALARM, alarm_payload("tamper"))
        assert (await recorder.next_access()).kind is AccessEventKind.TAMPER
        assert capture.unknown_access_events == 3
        refusals = [r for r in caplog.records if "fits no layout" in r.getMessage()]
        assert [r.levelno for r in refusals] == [logging.WARNING]
        assert "01000000" not in refusals[0].getMessage()
        # The bytes go to the debug log only (they might hold a card number).
        debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
        assert "refused access-control event 16: 01000000" in debug
        assert recorder.access.empty()
    finally:
        await asyncio.get_running_loop().run_in_executor(None, capture.stop)


async def test_without_a_listener_only_attendance_is_registered(
    simulator: TerminalSimulator,
) -> None:
    capture, recorder = start(config_for(simulator), access=False)
    try:
        assert await recorder.next_change() is True
        assert simulator.wait_for_listeners(1)
        assert simulator.inject_access_event(EF_ALARM, alarm_payload("tamper")) == 0
    finally:
        await asyncio.get_running_loop().run_in_executor(None, capture.stop)


REGISTRATIONS: list[int] = []


def refusing_script(command: int, reply_id: int, payload: bytes) -> list[bytes] | None:
    """A terminal that takes EF_ATTLOG alone and refuses any wider registration."""
    if command == 500:
        REGISTRATIONS.append(struct.unpack("<I", payload)[0])
    if command == 2000:
        return []
    if command == 500 and payload == struct.pack("<I", FULL_MASK):
        return [reply(2001, reply_id)]
    if command == 500 and payload == struct.pack("<I", 1):
        return [reply(2000, reply_id), event(b"1001")]
    return [reply(2000, reply_id)]


async def test_a_terminal_refusing_access_events_still_delivers_punches(
    socket_enabled: None,
) -> None:
    REGISTRATIONS.clear()
    peer = ScriptedTerminal(refusing_script)
    capture, recorder = start(TerminalConfig("127.0.0.1", peer.port, timeout=0.5))
    try:
        assert await recorder.next_change() is True
        assert (await recorder.next_event()).user_id == "1001"
        assert capture.access_events_refused
        assert REGISTRATIONS == [FULL_MASK, 1]
    finally:
        await asyncio.get_running_loop().run_in_executor(None, capture.stop)
        peer.close()
