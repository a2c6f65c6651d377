"""Access-control realtime events (EF_ALARM, EF_VERIFY): sent only to sessions that asked."""

import pytest

from tests.zksim.rawclient import RawClient, u32
from tests.zksim_fixtures import PyzkFactory, SimulatorFactory, capture, when_listening
from tools.zksim.access_events import (
    EF_ALARM,
    EF_VERIFY,
    alarm_payload,
    duress_payload,
    verify_payload,
)
from tools.zksim.protocol import Command, EventFlag, Reply
from tools.zksim.records import AttendanceRecord

TRANSPORTS = [pytest.param(False, id="tcp"), pytest.param(True, id="udp")]


@pytest.mark.parametrize("udp", TRANSPORTS)
def test_access_events_carry_their_class_in_the_session_field(
    udp: bool, zk_simulator: SimulatorFactory
) -> None:
    sim = zk_simulator(users=2, event_holdoff=0.0)
    with RawClient(sim.port, udp=udp) as client:
        client.connect()
        mask = EventFlag.ATTLOG | EventFlag.ALARM | EventFlag.VERIFY
        assert client.request(Command.REG_EVENT, u32(mask))[0].code == Reply.ACK_OK
        assert sim.inject_access_event(EF_ALARM, alarm_payload("tamper")) == 1
        header, payload = client.receive()
        assert (header.code, header.session_id, header.reply_id) == (500, 512, 0)
        assert payload == bytes([0x37, 0, 0, 0])
        client.send(Command.ACK_OK, reply_id=0)
        assert sim.inject_access_event(EF_VERIFY, verify_payload(None)) == 1
        header, payload = client.receive()
        assert header.session_id == 128
        assert payload == b"\xff\xff\xff\xff\x01\x01\x01"
        client.send(Command.ACK_OK, reply_id=0)
        # A punch after them still goes out as EF_ATTLOG.
        record = sim.inject_punch(sim.users[0].user_id)
        header, payload = client.receive()
        assert header.session_id == EventFlag.ATTLOG
        assert payload[:24].rstrip(b"\x00").decode() == record.user_id
        client.send(Command.ACK_OK, reply_id=0)
    # The simulator notes an event just after writing it.
    assert sim.wait_for_access_events_sent(2)
    assert sim.wait_for_events_sent(1)
    assert [packet.flag for _, packet in sim.access_events_sent] == [512, 128]
    assert len(sim.events_sent) == 1


def test_a_class_not_registered_for_is_not_sent(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=2)
    with RawClient(sim.port) as client:
        client.connect()
        client.request(Command.REG_EVENT, u32(EventFlag.ATTLOG | EventFlag.VERIFY))
        assert sim.inject_access_event(EF_ALARM, alarm_payload("tamper")) == 0
        assert client.nothing_arrives(0.3)
    assert sim.access_events_sent == []


def test_an_access_event_is_never_batched_with_punches(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=3, event_batch=5)
    with RawClient(sim.port) as client:
        client.connect()
        client.request(Command.REG_EVENT, u32(EventFlag.ATTLOG | EventFlag.ALARM))
        first = sim.inject_punch(sim.users[0].user_id)
        client.receive()  # the first punch is in flight; the rest queue behind it
        sim.inject_punch(sim.users[1].user_id)
        sim.inject_access_event(EF_ALARM, duress_payload("duress", 2, 1))
        sim.inject_punch(sim.users[2].user_id)
        sizes: list[tuple[int, int]] = []
        for _ in range(3):
            client.send(Command.ACK_OK, reply_id=0)
            header, payload = client.receive()
            sizes.append((header.session_id, len(payload)))
        client.send(Command.ACK_OK, reply_id=0)
    assert sizes == [(1, 32), (512, 12), (1, 32)]
    assert sim.records[-3] == first


def test_pyzk_live_capture_is_not_disturbed(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    """pyzk registers EF_ATTLOG only: alarms must never reach it (it would misread them)."""
    sim = zk_simulator(users=3)
    zk = pyzk_client(sim)
    sent: list[int] = []
    pin = sim.users[0].user_id
    injected: list[AttendanceRecord] = []

    def alarm_then_punch() -> None:
        sent.append(sim.inject_access_event(EF_ALARM, alarm_payload("tamper")))
        sent.append(sim.inject_access_event(EF_VERIFY, verify_payload(3)))
        injected.append(sim.inject_punch(pin))

    with when_listening(sim, alarm_then_punch):
        events = capture(zk, 1)
    assert sent == [0, 0]
    assert [(event.user_id, event.timestamp) for event in events] == [
        (record.user_id, record.timestamp) for record in injected
    ]
    assert zk.get_time()
