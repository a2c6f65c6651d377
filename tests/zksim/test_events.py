"""Realtime events: pyzk's live_capture end to end, and the pacing rules on the wire."""

import struct
import time

import pytest

from tests.zksim.rawclient import RawClient, u32
from tests.zksim_fixtures import PyzkFactory, SimulatorFactory, capture, punches_when_listening
from tools.zksim import DeviceBusyError
from tools.zksim.protocol import Command, EventFlag, Reply

TRANSPORTS = [pytest.param(False, id="tcp"), pytest.param(True, id="udp")]


@pytest.mark.parametrize("udp", TRANSPORTS)
@pytest.mark.parametrize("event_size", [32, 12, 36, 52])
def test_live_capture_receives_punches(
    udp: bool, event_size: int, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=10, records=5, event_size=event_size)
    zk = pyzk_client(sim, udp=udp)
    pins = [user.user_id for user in sim.users[:3]]
    with punches_when_listening(sim, pins, punch=1, verify=15) as injected:
        events = capture(zk, 3)
    assert [(e.user_id, e.timestamp, e.status, e.punch) for e in events] == [
        (r.user_id, r.timestamp, 15, 1) for r in injected
    ]
    assert [e.uid for e in events] == [sim.user(pin).uid for pin in pins]  # type: ignore[union-attr]
    # Real terminals log realtime punches too.
    assert sim.record_count == 8
    assert sim.records[-3:] == injected
    # pyzk ended with REG_EVENT(0) and the link is still in step.
    assert zk.get_time()


def test_events_go_only_to_registered_sessions(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=4)
    listener = pyzk_client(sim)
    bystander = pyzk_client(sim)
    bystander_udp = pyzk_client(sim, udp=True)
    with punches_when_listening(sim, [sim.users[0].user_id]):
        events = capture(listener, 1)
    assert len(events) == 1
    assert len(sim.events_sent) == 1
    # Nothing stray sits in the other sessions' streams.
    assert bystander.get_serialnumber() == sim.config.serial_number()
    assert bystander_udp.get_serialnumber() == sim.config.serial_number()


@pytest.mark.parametrize("udp", TRANSPORTS)
def test_one_event_in_flight_until_ack_then_holdoff(
    udp: bool, zk_simulator: SimulatorFactory
) -> None:
    sim = zk_simulator(users=3, event_holdoff=0.1)
    with RawClient(sim.port, udp=udp) as client:
        client.connect()
        assert client.request(Command.REG_EVENT, u32(EventFlag.ATTLOG))[0].code == Reply.ACK_OK
        first = sim.inject_punch(sim.users[0].user_id)
        second = sim.inject_punch(sim.users[1].user_id)
        header, payload = client.receive()
        assert (header.code, header.session_id, header.reply_id) == (500, EventFlag.ATTLOG, 0)
        assert payload[:24].rstrip(b"\x00").decode() == first.user_id
        assert client.nothing_arrives(0.3), "a second event came before the ACK"
        client.send(Command.ACK_OK, reply_id=0)
        acked = time.monotonic()
        _, payload = client.receive()
        assert time.monotonic() - acked >= 0.09
        assert payload[:24].rstrip(b"\x00").decode() == second.user_id
        client.send(Command.ACK_OK, reply_id=0)
        # The ACK itself is never answered.
        assert client.nothing_arrives(0.2)
    assert [record for _, record in sim.events_sent] == [first, second]


def test_reg_event_zero_drops_queue(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=3)
    with RawClient(sim.port) as client:
        client.connect()
        client.request(Command.REG_EVENT, u32(1))
        for user in sim.users:
            sim.inject_punch(user.user_id)
        client.receive()  # the first event, left unacknowledged
        header, payload = client.request(Command.REG_EVENT, u32(0))
        assert (header.code, payload) == (Reply.ACK_OK, b"")
        client.send(Command.ACK_OK, reply_id=0)
        assert client.nothing_arrives(0.2)
    assert len(sim.events_sent) == 1
    assert sim.record_count == 3


@pytest.mark.parametrize("size", [40, 20])
def test_arbitrary_event_lengths(size: int, zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=2)
    sim.event_size = size
    with RawClient(sim.port, udp=True) as client:
        client.connect()
        client.request(Command.REG_EVENT, u32(1))
        sim.inject_punch(sim.users[0].user_id)
        _, payload = client.receive()
    assert len(payload) == size


def test_unknown_pin_punches_with_uid_zero(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=2)
    zk = pyzk_client(sim)
    with punches_when_listening(sim, ["98765"]):
        (event,) = capture(zk, 1)
    assert (event.user_id, event.uid) == ("98765", 98765)
    assert sim.records[-1].uid == 0


def test_timer_punches(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=3, punch_every=0.05)
    with RawClient(sim.port) as client:
        client.connect()
        client.request(Command.REG_EVENT, u32(1))
        header, payload = client.receive()
    assert header.code == Command.REG_EVENT
    assert struct.unpack("<24sBB6s", payload)[0].rstrip(b"\x00").decode() in {
        user.user_id for user in sim.users
    }


def test_disabled_terminal_refuses_punches(zk_simulator: SimulatorFactory) -> None:
    """Between DISABLEDEVICE and ENABLEDEVICE (or a reboot) a punch is refused, not logged."""
    sim = zk_simulator(users=2, records=3)
    pin = sim.users[0].user_id
    with RawClient(sim.port) as listener, RawClient(sim.port) as admin:
        listener.connect()
        assert listener.request(Command.REG_EVENT, u32(EventFlag.ATTLOG))[0].code == Reply.ACK_OK
        admin.connect()
        assert admin.request(Command.DISABLEDEVICE)[0].code == Reply.ACK_OK
        assert not sim.enabled
        with pytest.raises(DeviceBusyError, match=f"punch by {pin} refused"):
            sim.inject_punch(pin)
        assert (sim.record_count, sim.events_sent) == (3, [])
        assert admin.request(Command.ENABLEDEVICE)[0].code == Reply.ACK_OK
        accepted = sim.inject_punch(pin)
        header, _payload = listener.receive()
    assert header.code == Command.REG_EVENT
    assert sim.record_count == 4
    assert sim.records[-1] == accepted
    assert [record for _session, record in sim.events_sent] == [accepted]
    with RawClient(sim.port) as admin:
        admin.connect()
        assert admin.request(Command.DISABLEDEVICE)[0].code == Reply.ACK_OK
    sim.reboot()
    assert sim.enabled
    sim.inject_punch(pin)
    assert sim.record_count == 5
