"""clear_attendance_if: check and clear with the terminal disabled, always enabled again."""

from collections.abc import Iterator
import logging
import threading

import pytest

from custom_components.devicehub.zk import (
    AttendanceBatch,
    TerminalClient,
    TerminalCommandRejected,
    TerminalConnectionLost,
    TerminalProtocolError,
)
from tools.zksim import AttendanceRecord, DeviceBusyError, TerminalSimulator
from tools.zksim.protocol import Command

from .conftest import SimulatorFactory, config_for, expected_records, pyzk_connect

TIMEOUT = 10.0  # seconds for anything crossing a thread


@pytest.fixture
def closing_client(simulator: TerminalSimulator) -> Iterator[TerminalClient]:
    """A client for the simulator, closed at teardown."""
    client = TerminalClient(config_for(simulator))
    yield client
    client.close()


@pytest.mark.parametrize("tcp", [True, False], ids=["tcp", "udp"])
def test_punch_during_the_check_is_refused_not_lost(
    make_simulator: SimulatorFactory, tcp: bool
) -> None:
    """The check sees the whole log with the terminal disabled; a punch then is refused."""
    simulator = make_simulator(users=10, records=50, tcp=tcp)
    pin = simulator.users[0].user_id
    client = TerminalClient(config_for(simulator))
    seen: list[tuple[int, bool]] = []
    refused: list[str] = []

    def may_clear(batch: AttendanceBatch) -> bool:
        seen.append((len(batch.records), simulator.enabled))
        try:
            simulator.inject_punch(pin)
        except DeviceBusyError as err:
            refused.append(str(err))
        return True

    log = expected_records(simulator)
    result = client.clear_attendance_if(may_clear)
    assert seen == [(50, False)]
    assert refused == [f"punch by {pin} refused: the terminal is busy"]
    assert (result.cleared, result.records_before, result.records_after) == (True, 50, 50)
    assert result.batch.records == log
    assert client.transport == ("tcp" if tcp else "udp")
    assert simulator.enabled
    assert simulator.record_count == 0
    # Enabled again: the punch, tried again, is taken and kept.
    again = simulator.inject_punch(pin)
    assert simulator.records == [again]
    client.close()


def test_check_refusing_leaves_the_log(
    simulator: TerminalSimulator, closing_client: TerminalClient
) -> None:
    """A check that says no leaves every record, and the terminal enabled."""
    log = expected_records(simulator)
    result = closing_client.clear_attendance_if(lambda batch: False)
    assert (result.cleared, result.batch.records) == (False, log)
    assert (result.records_before, result.records_after) == (50, 50)
    assert simulator.enabled
    assert expected_records(simulator) == log


def test_empty_log(make_simulator: SimulatorFactory) -> None:
    """An empty log is checked and cleared like any other."""
    simulator = make_simulator(users=2)
    client = TerminalClient(config_for(simulator))
    result = client.clear_attendance_if(lambda batch: batch.records == [])
    client.close()
    assert (result.cleared, result.batch, result.records_before) == (
        True,
        AttendanceBatch(records=[], invalid=0),
        0,
    )
    assert simulator.enabled


def test_concurrent_punches_are_never_lost(
    simulator: TerminalSimulator, closing_client: TerminalClient
) -> None:
    """Punching all along: each punch is refused, or checked before the clear, or kept."""
    pins = [user.user_id for user in simulator.users]
    accepted: list[AttendanceRecord] = []
    refused = threading.Event()
    accepted_after = threading.Event()
    cleared = threading.Event()
    stop = threading.Event()

    def punch_all_along() -> None:
        index = 0
        while not stop.is_set():
            try:
                record = simulator.inject_punch(pins[index % len(pins)], punch=index % 2)
            except DeviceBusyError:
                refused.set()
            else:
                accepted.append(record)
                if cleared.is_set():
                    accepted_after.set()
            index += 1

    def may_clear(batch: AttendanceBatch) -> bool:
        # Hold the terminal disabled until the puncher has been turned away at least once.
        return refused.wait(TIMEOUT)

    puncher = threading.Thread(target=punch_all_along, name="test-puncher")
    puncher.start()
    try:
        result = closing_client.clear_attendance_if(may_clear)
        cleared.set()
        assert accepted_after.wait(TIMEOUT)
    finally:
        stop.set()
        puncher.join()
    assert result.cleared
    assert simulator.enabled
    checked = {(r.user_id, r.timestamp, r.punch) for r in result.batch.records}
    kept = {(r.user_id, r.timestamp, r.punch) for r in simulator.records}
    # Punches within one second are equal by value; count them rather than compare sets.
    assert len(result.batch.records) + simulator.record_count == 50 + len(accepted)
    assert {(r.user_id, r.timestamp, r.punch) for r in accepted} <= checked | kept


def test_log_changed_anyway_is_not_cleared(
    simulator: TerminalSimulator, closing_client: TerminalClient
) -> None:
    """Another client enabling the terminal mid-check: a punch gets in, so no clear."""
    pin = simulator.users[0].user_id
    other = pyzk_connect(simulator, timeout=1.0)

    def may_clear(batch: AttendanceBatch) -> bool:
        assert other.enable_device()
        simulator.inject_punch(pin)
        return True

    try:
        with pytest.raises(TerminalProtocolError, match=r"50 records, then 51\): not cleared"):
            closing_client.clear_attendance_if(may_clear)
    finally:
        other.disconnect()
    assert simulator.record_count == 51
    assert simulator.enabled


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("disable_refused", TerminalCommandRejected),
        ("clear_refused", TerminalCommandRejected),
        ("link_dropped", TerminalConnectionLost),
        ("check_crashed", TerminalProtocolError),
    ],
)
def test_failures_enable_the_terminal_again(
    make_simulator: SimulatorFactory, fault: str, error: type[Exception]
) -> None:
    """Whatever fails, the log is intact and the terminal takes punches again."""
    simulator = make_simulator(users=10, records=5000)  # a bulk read, so it can be cut
    log = expected_records(simulator)
    client = TerminalClient(config_for(simulator))
    disabled_in_check: list[bool] = []

    def may_clear(batch: AttendanceBatch) -> bool:
        disabled_in_check.append(not simulator.enabled)
        if fault == "check_crashed":
            raise RuntimeError("bug in the check")
        return True

    if fault == "disable_refused":
        simulator.faults.error_commands = frozenset({Command.DISABLEDEVICE})
    elif fault == "clear_refused":
        simulator.faults.error_commands = frozenset({Command.CLEAR_ATTLOG})
    elif fault == "link_dropped":
        simulator.faults.drop_mid_transfer = 1
    with pytest.raises(error):
        client.clear_attendance_if(may_clear)
    reached_check = fault in {"clear_refused", "check_crashed"}
    assert disabled_in_check == ([True] if reached_check else [])
    assert simulator.enabled
    assert expected_records(simulator) == log
    simulator.faults.reset()
    assert client.clear_attendance_if(lambda batch: True).cleared
    assert (simulator.record_count, simulator.enabled) == (0, True)
    client.close()


def test_enabling_fails_after_a_clear(
    simulator: TerminalSimulator, closing_client: TerminalClient
) -> None:
    """Cleared, but the terminal will not be enabled: an error says it may stay disabled."""
    simulator.faults.error_commands = frozenset({Command.ENABLEDEVICE})
    with pytest.raises(TerminalProtocolError, match="log cleared, but enabling") as caught:
        closing_client.clear_attendance_if(lambda batch: True)
    assert isinstance(caught.value.__cause__, TerminalCommandRejected)
    assert (simulator.record_count, simulator.enabled) == (0, False)
    simulator.faults.reset()


def test_enabling_fails_after_a_failure(
    simulator: TerminalSimulator,
    closing_client: TerminalClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Both the clear and the enable refused: the clear's error, and the rest logged."""
    simulator.faults.error_commands = frozenset({Command.CLEAR_ATTLOG, Command.ENABLEDEVICE})
    with (
        caplog.at_level(logging.ERROR),
        pytest.raises(TerminalCommandRejected, match="clearing attendance"),
    ):
        closing_client.clear_attendance_if(lambda batch: True)
    assert [record.getMessage() for record in caplog.records] == [
        "127.0.0.1 may stay disabled (refusing punches): enabling it again failed: "
        "enabling the terminal: terminal refused (Can't enable device)"
    ]
    assert (simulator.record_count, simulator.enabled) == (50, False)
