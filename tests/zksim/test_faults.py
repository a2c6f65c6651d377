"""Each fault switch doing what it says, seen through unmodified pyzk 0.9."""

from datetime import datetime, timedelta

import pytest
from zk.exception import ZKErrorResponse, ZKNetworkError

from tests.zksim_fixtures import (
    PyzkFactory,
    SimulatorFactory,
    capture,
    punches_when_listening,
    when_listening,
)
from tools.zksim import AttendanceRecord, BusyMode, ChunkMode, GarbageKind
from tools.zksim.protocol import Command

TRANSPORTS = [pytest.param(False, id="tcp"), pytest.param(True, id="udp")]
# Enough 40-byte records for several CMD_DATA packets per chunk.
RECORDS = 3_000


def test_burst_chunks_time_pyzk_out_while_trickled_ones_work(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=10, records=RECORDS)
    sim.faults.chunk_mode = ChunkMode.BURST
    with pytest.raises(TimeoutError):
        pyzk_client(sim, timeout=0.5).get_attendance()
    sim.faults.chunk_mode = ChunkMode.TRICKLE
    assert len(pyzk_client(sim, timeout=0.5).get_attendance()) == RECORDS


def test_drop_mid_transfer_tcp_resets(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=10, records=RECORDS)
    zk = pyzk_client(sim)
    sim.faults.drop_mid_transfer = 1
    with pytest.raises(ConnectionResetError):
        zk.get_attendance()
    assert sim.faults.drop_mid_transfer == 0
    assert len(pyzk_client(sim).get_attendance()) == RECORDS


def test_drop_mid_transfer_udp_goes_silent(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=10, records=RECORDS)
    zk = pyzk_client(sim, udp=True, timeout=0.3)
    sim.faults.drop_mid_transfer = 1
    with pytest.raises(TimeoutError):
        zk.get_attendance()
    # The session is gone: its next command is refused.
    with pytest.raises(ZKErrorResponse):
        zk.get_time()


@pytest.mark.parametrize("udp", TRANSPORTS)
def test_reply_delay_and_mute(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    zk = pyzk_client(sim, udp=udp, timeout=0.3)
    sim.faults.reply_delay = 0.05
    assert zk.get_time()
    sim.faults.reply_delay = 0.0
    sim.faults.mute = True
    with pytest.raises(ZKNetworkError, match="timed out"):
        zk.get_time()


@pytest.mark.parametrize("udp", TRANSPORTS)
def test_error_commands(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    zk = pyzk_client(sim, udp=udp)
    sim.faults.error_commands = frozenset({Command.DISABLEDEVICE, Command.UNLOCK})
    with pytest.raises(ZKErrorResponse, match="disable"):
        zk.disable_device()
    with pytest.raises(ZKErrorResponse, match="open door"):
        zk.unlock()
    assert sim.unlocks == []
    sim.faults.reset()
    assert zk.disable_device() is True


@pytest.mark.parametrize("udp", TRANSPORTS)
def test_reboot_silences_live_capture(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=3)
    zk = pyzk_client(sim, udp=udp, timeout=0.3)
    punched: list[AttendanceRecord] = []

    def reboot_then_punch() -> None:
        sim.reboot()
        punched.append(sim.inject_punch(sim.users[0].user_id))

    stream = zk.live_capture(new_timeout=0.3)
    with when_listening(sim, reboot_then_punch):
        first = next(stream)
    second = next(stream)
    stream.close()
    # The device logged the punch but the old session hears nothing, not even a close.
    assert (first, second) == (None, None)
    assert sim.records[-1] == punched[0]
    assert sim.events_sent == []
    assert sim.session_count == 0
    assert pyzk_client(sim, udp=udp).get_time()


@pytest.mark.parametrize("udp", TRANSPORTS)
def test_reboot_refuses_then_comes_back(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    sim.reboot(down_for=0.4)
    with pytest.raises(ZKNetworkError):
        pyzk_client(sim, udp=udp, timeout=0.2)
    assert sim.wait_until_up(timeout=2)
    assert pyzk_client(sim, udp=udp).get_time()


def test_restart_downtime(zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory) -> None:
    sim = zk_simulator(restart_downtime=30)
    pyzk_client(sim).restart()
    with pytest.raises(ZKNetworkError):
        pyzk_client(sim, timeout=0.2)
    assert not sim.wait_until_up(timeout=0.1)


def test_garbage_replies(zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory) -> None:
    sim = zk_simulator()
    zk = pyzk_client(sim)
    sim.faults.garbage_kind = GarbageKind.BAD_MAGIC
    sim.faults.garbage_replies = 1
    with pytest.raises(ZKNetworkError, match="TCP packet invalid"):
        zk.get_time()
    sim.faults.garbage_kind = GarbageKind.RANDOM
    sim.faults.garbage_replies = 1
    with pytest.raises(ZKNetworkError, match="TCP packet invalid"):
        pyzk_client(sim)
    assert sim.faults.garbage_replies == 0
    assert pyzk_client(sim).get_time()


def test_garbage_over_udp(zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory) -> None:
    sim = zk_simulator(seed=1)
    zk = pyzk_client(sim, udp=True)
    sim.faults.garbage_replies = 1
    with pytest.raises(ZKErrorResponse):
        zk.get_time()


@pytest.mark.parametrize("udp", TRANSPORTS)
def test_busy_ack_error(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    first = pyzk_client(sim)
    sim.faults.busy = BusyMode.ACK_ERROR
    with pytest.raises(ZKErrorResponse, match="Can't connect"):
        pyzk_client(sim, udp=udp)
    first.disconnect()
    assert pyzk_client(sim, udp=udp).get_time()


@pytest.mark.parametrize(
    ("udp", "error"),
    [
        pytest.param(False, "TCP packet invalid", id="tcp"),
        pytest.param(True, "timed out", id="udp"),
    ],
)
def test_busy_close(
    udp: bool, error: str, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    pyzk_client(sim, udp=True)
    sim.faults.busy = BusyMode.CLOSE
    with pytest.raises(ZKNetworkError, match=error):
        pyzk_client(sim, udp=udp, timeout=0.3)


def test_invalid_dates_break_get_attendance(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=5, records=100)
    zk = pyzk_client(sim)
    sim.faults.invalid_dates_every = 50
    with pytest.raises(ValueError, match="day"):
        zk.get_attendance()
    sim.faults.invalid_dates_every = 0
    assert len(zk.get_attendance()) == 100


def test_clock_jump(zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory) -> None:
    sim = zk_simulator()
    zk = pyzk_client(sim)
    sim.clock.jump(timedelta(days=-400))
    assert abs(zk.get_time() - (datetime.now() - timedelta(days=400))) < timedelta(seconds=2)
    sim.clock.offset = timedelta(0)
    sim.clock.set(datetime(2029, 12, 31, 23, 59, 58))
    assert abs(zk.get_time() - datetime(2029, 12, 31, 23, 59, 58)) < timedelta(seconds=2)
    assert sim.inject_punch(sim.users[0].user_id).timestamp.year in {2029, 2030}


def test_log_cleared_by_someone_else(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=5, records=200)
    zk = pyzk_client(sim)
    assert len(zk.get_attendance()) == 200
    sim.clear_records()
    assert zk.get_attendance() == []
    sim.inject_punch(sim.users[0].user_id)
    assert len(zk.get_attendance()) == 1


def test_records_count_skew_misleads_pyzk(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=5, records=100)
    sim.faults.records_count_skew = 150  # 4000 bytes / 250 records = 16.0: the wrong parser
    got = pyzk_client(sim).get_attendance()
    assert len(got) == 250
    assert [a.timestamp for a in got[:1]] != [sim.records[0].timestamp]


def test_eight_byte_firmware_layout_misread_by_pyzk(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=5, records=20, record_size=8, eight_byte_layout="firmware")
    zk = pyzk_client(sim)
    try:
        got = zk.get_attendance()
    except ValueError:
        return  # the misread time was impossible: pyzk issues #56/#92/#99
    assert [a.timestamp for a in got] != [r.timestamp for r in sim.records]


def test_faults_survive_live_capture(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    """Delays apply to replies, not to events."""
    sim = zk_simulator(users=2)
    zk = pyzk_client(sim)
    sim.faults.reply_delay = 0.01
    with punches_when_listening(sim, [sim.users[0].user_id]):
        assert len(capture(zk, 1)) == 1
