"""TerminalClient failures against a simulated terminal: each typed, each recovered from."""

from datetime import datetime
from typing import Literal

import pytest

from custom_components.devicehub.zk import (
    TerminalAuthFailed,
    TerminalBusy,
    TerminalCannotConnect,
    TerminalClient,
    TerminalCommandRejected,
    TerminalConfig,
    TerminalConnectionLost,
    TerminalProtocolError,
    TerminalTimeout,
)
from custom_components.devicehub.zk.transport.bulk import BulkReader
from custom_components.devicehub.zk.transport.packets import FCT_USER, Command
from tools.zksim import BusyMode, ChunkMode, GarbageKind, TerminalSimulator

from .conftest import (
    SimulatorFactory,
    config_for,
    expected_records,
    expected_users,
    free_port,
    pyzk_connect,
)

CMD_UNLOCK = 31


@pytest.mark.parametrize("mode", [ChunkMode.BURST, ChunkMode.TRICKLE])
def test_multi_packet_chunks(make_simulator: SimulatorFactory, mode: ChunkMode) -> None:
    """Chunks sent as many 1008-byte packets, all at once or trickling, read completely."""
    simulator = make_simulator(users=200, records=4000)
    simulator.faults.chunk_mode = mode
    client = TerminalClient(config_for(simulator))
    assert len(client.get_users()) == 200
    batch = client.get_attendance()
    assert batch.records == expected_records(simulator)
    client.close()


def test_pyzk_alone_times_out_on_burst_chunks(make_simulator: SimulatorFactory) -> None:
    """The failure our own reader exists for: pyzk 0.9 stalls on a burst of packets."""
    simulator = make_simulator(users=10, records=4000)
    simulator.faults.chunk_mode = ChunkMode.BURST
    connection = pyzk_connect(simulator, timeout=0.3)
    with pytest.raises(TimeoutError):
        connection.read_with_buffer(13)
    connection._ZK__sock.close()  # the stream is out of step: just drop it


def test_drop_mid_transfer_then_recovery(
    make_simulator: SimulatorFactory,
) -> None:
    """A link reset halfway through a chunk fails the call; the next call reconnects."""
    simulator = make_simulator(users=10, records=5000)
    simulator.faults.drop_mid_transfer = 1
    client = TerminalClient(config_for(simulator))
    with pytest.raises(TerminalProtocolError) as caught:
        client.get_attendance()
    assert isinstance(caught.value, TerminalConnectionLost)
    assert not client.connected
    assert client.get_attendance().records == expected_records(simulator)
    client.close()


@pytest.mark.parametrize("kind", [GarbageKind.RANDOM, GarbageKind.BAD_MAGIC])
def test_garbage_then_recovery(
    simulator: TerminalSimulator, client: TerminalClient, kind: GarbageKind
) -> None:
    """A spoiled reply is a protocol error; the connection is rebuilt for the next call."""
    client.connect()
    simulator.faults.garbage_kind = kind
    simulator.faults.garbage_replies = 1
    with pytest.raises(TerminalProtocolError):
        client.get_attendance()
    assert not client.connected
    assert len(client.get_attendance().records) == 50
    client.close()


def test_garbage_inside_bulk_read(simulator: TerminalSimulator, client: TerminalClient) -> None:
    """Garbage where our own reader expects a chunk is caught by its framing checks."""
    simulator.faults.garbage_kind = GarbageKind.BAD_MAGIC
    client.connect()
    assert client._session is not None
    simulator.faults.garbage_replies = 1
    with pytest.raises(TerminalProtocolError, match="bad TCP frame magic"):
        BulkReader(client._session).read(Command.CMD_USERTEMP_RRQ, FCT_USER)
    client.close()
    assert client.get_users() == expected_users(simulator)
    client.close()


def test_hung_terminal_times_out(simulator: TerminalSimulator, client: TerminalClient) -> None:
    """A terminal that stops answering mid-session gives a protocol error, not a hang."""
    client.connect()
    simulator.faults.mute = True
    with pytest.raises(TerminalProtocolError, match="reading the clock"):
        client.get_time()
    simulator.faults.mute = False
    assert isinstance(client.get_time(), datetime)
    client.close()


def test_rejected_command(simulator: TerminalSimulator, client: TerminalClient) -> None:
    """An error reply is TerminalCommandRejected; the next call still works."""
    simulator.faults.error_commands = frozenset({CMD_UNLOCK})
    with pytest.raises(TerminalCommandRejected, match="Can't open door"):
        client.unlock(3)
    simulator.faults.error_commands = frozenset()
    client.unlock(3)
    assert [pulse.seconds for pulse in simulator.unlocks] == [3]
    client.close()


def test_udp_fallback_is_remembered(make_simulator: SimulatorFactory) -> None:
    """TCP refused: UDP is used, remembered, and bulk reads work over datagrams."""
    simulator = make_simulator(users=120, records=2000, tcp=False)
    client = TerminalClient(config_for(simulator))
    assert client.get_users() == expected_users(simulator)
    assert client.transport == "udp"
    client.close()
    assert client.get_attendance().records == expected_records(simulator)
    assert client.transport == "udp"
    client.close()


def test_udp_garbage_and_drop(make_simulator: SimulatorFactory) -> None:
    """UDP failures are typed too, and the next call recovers."""
    simulator = make_simulator(users=10, records=2000, tcp=False)
    client = TerminalClient(config_for(simulator, timeout=0.3))
    client.connect()
    simulator.faults.drop_mid_transfer = 1
    with pytest.raises(TerminalProtocolError):
        client.get_attendance()
    client.connect()
    simulator.faults.garbage_replies = 1
    with pytest.raises(TerminalProtocolError):
        client.get_time()
    assert len(client.get_attendance().records) == 2000
    client.close()


@pytest.mark.parametrize(
    ("tcp", "kind"), [(True, GarbageKind.BAD_MAGIC), (False, GarbageKind.RANDOM)]
)
def test_garbage_answering_connect(
    make_simulator: SimulatorFactory, tcp: bool, kind: GarbageKind
) -> None:
    """Garbage instead of the CONNECT reply is a protocol error, not a refusal."""
    simulator = make_simulator(tcp=tcp)
    simulator.faults.garbage_kind = kind
    simulator.faults.garbage_replies = 1
    client = TerminalClient(config_for(simulator))
    with pytest.raises(TerminalProtocolError):
        client.connect()
    client.connect()
    assert client.transport == ("tcp" if tcp else "udp")
    client.close()


def test_remembered_udp_falls_back_to_tcp(make_simulator: SimulatorFactory) -> None:
    """A remembered transport that stops working is not a dead end."""
    simulator = make_simulator(udp=False)
    client = TerminalClient(config_for(simulator, timeout=0.3))
    client.transport = "udp"
    client.connect()
    assert client.transport == "tcp"
    client.close()


def test_wrong_password(make_simulator: SimulatorFactory) -> None:
    """A wrong comm key is TerminalAuthFailed on both transports; never echoes the key."""
    simulator = make_simulator(password=123456)
    for only_udp in (False, True):
        config = config_for(simulator, password=654321)
        client = TerminalClient(config)
        if only_udp:
            client.transport = "udp"
        with pytest.raises(TerminalAuthFailed) as caught:
            client.get_time()
        assert "654321" not in str(caught.value)
        assert "654321" not in repr(config)
        assert client.transport == ("udp" if only_udp else None)
    right = TerminalClient(config_for(simulator))
    assert right.get_counts().users == 10
    right.close()


def test_unreachable_port(socket_enabled: None) -> None:
    """Nothing listening: TCP refused, UDP unanswered: TerminalCannotConnect, no timeout."""
    client = TerminalClient(TerminalConfig(host="127.0.0.1", port=free_port(), timeout=0.2))
    with pytest.raises(TerminalCannotConnect, match=r"over TCP.*over UDP") as caught:
        client.get_info()
    # pyzk's connect_ex swallows the refusal; its first send then fails on the dead socket.
    assert type(caught.value) is TerminalCannotConnect
    assert "over TCP: ZKNetworkError" in str(caught.value)
    assert str(caught.value).endswith("over UDP: no answer in time")
    assert not client.connected


@pytest.mark.parametrize("preferred", [None, "udp"])
def test_silent_terminal_is_a_timeout(
    simulator: TerminalSimulator, preferred: Literal["udp"] | None
) -> None:
    """Accepted but never answered, on TCP and on UDP: TerminalTimeout, in either order."""
    simulator.faults.mute = True
    client = TerminalClient(config_for(simulator, timeout=0.3))
    client.transport = preferred
    with pytest.raises(TerminalTimeout) as caught:
        client.get_info()
    assert isinstance(caught.value, TerminalCannotConnect)  # callers of the base class too
    order = ("UDP", "TCP") if preferred == "udp" else ("TCP", "UDP")
    assert str(caught.value) == "; ".join(
        f"127.0.0.1:{simulator.port} over {transport}: no answer in time" for transport in order
    )
    assert not client.connected
    simulator.faults.mute = False
    assert client.get_info().serial_number == simulator.config.serial_number()
    client.close()


def test_one_transport_refused_is_no_timeout(make_simulator: SimulatorFactory) -> None:
    """TCP refused, UDP silent: the terminal is not there, rather than slow."""
    simulator = make_simulator(tcp=False)
    simulator.faults.mute = True
    client = TerminalClient(config_for(simulator, timeout=0.3))
    with pytest.raises(TerminalCannotConnect) as caught:
        client.connect()
    assert type(caught.value) is TerminalCannotConnect
    assert "over UDP: no answer in time" in str(caught.value)
    assert not client.connected


@pytest.mark.parametrize("mode", [BusyMode.ACK_ERROR, BusyMode.CLOSE])
def test_busy_terminal(simulator: TerminalSimulator, mode: BusyMode) -> None:
    """A terminal serving someone else turns a second session away: TerminalBusy."""
    simulator.faults.busy = mode
    first = TerminalClient(config_for(simulator))
    first.connect()
    second = TerminalClient(config_for(simulator))
    with pytest.raises(TerminalBusy):
        second.get_time()
    first.close()
    assert isinstance(second.get_time(), datetime)
    second.close()


def test_voice_refused(simulator: TerminalSimulator, client: TerminalClient) -> None:
    """pyzk reports a refused voice prompt as False; we raise."""
    simulator.faults.error_commands = frozenset({1017})
    with pytest.raises(TerminalCommandRejected):
        client.test_voice(1)
    client.close()
