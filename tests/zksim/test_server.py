"""Sockets, framing, sessions and lifecycle, checked on the wire and with pyzk."""

from concurrent.futures import ThreadPoolExecutor
import os
from pathlib import Path
import signal
import socket
import struct
import subprocess
import sys
import threading

import pytest
from zk import ZK

from tests.zksim.rawclient import RawClient, u32
from tests.zksim_fixtures import PyzkFactory, SimulatorFactory, close_pyzk
from tools.zksim import SimulatorConfig, TerminalSimulator
from tools.zksim.__main__ import parse_args
from tools.zksim.protocol import Command, Reply, checksum, make_commkey, parse_packet

ROOT = Path(__file__).parents[2]


def _zksim_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("zksim")]


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_one_port_for_both_transports(udp: bool, zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator()
    with RawClient(sim.port, udp=udp) as client:
        header = client.connect()
        assert header.code == Reply.ACK_OK
        assert 1 <= header.session_id <= 0xFFFE
        code, _ = client.request(Command.EXIT)
        assert code.code == Reply.ACK_OK


def test_replies_echo_ids_and_carry_spec_checksums(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator()
    with RawClient(sim.port) as client:
        client.connect()
        client.reply_id = 4321
        header, payload = client.request(Command.GET_TIME)
        assert (header.session_id, header.reply_id, len(payload)) == (client.session_id, 4321, 4)
        unsigned = struct.pack("<4H", header.code, 0, header.session_id, header.reply_id)
        assert header.checksum == checksum(unsigned + payload)


def test_exactly_one_reply_per_request(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=2)
    with RawClient(sim.port) as client:
        client.connect()
        for code, payload in [
            (Command.ENABLEDEVICE, b""),
            (Command.GET_FREE_SIZES, b""),
            (Command.OPTIONS_RRQ, b"~SerialNumber\x00"),
            (Reply.ACK_ERROR, b"~ExtendFmt\x00"),  # pyzk's _clear_error junk
            (Reply.ACK_UNKNOWN, b"~ExtendFmt\x00"),
            (Command.STARTENROLL, b""),
        ]:
            client.request(code, payload)
            assert client.nothing_arrives(0.05), code


def test_reply_codes(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=2)
    with RawClient(sim.port) as client:
        client.connect()
        for code, payload, expected, expected_payload in [
            (Command.DISABLEDEVICE, b"", Reply.ACK_OK, b""),
            (Reply.ACK_ERROR, b"", Reply.ACK_UNKNOWN, b""),
            (0xFFFF, b"", Reply.ACK_UNKNOWN, b""),
            (4242, b"", Reply.ACK_UNKNOWN, b""),
            (Command.OPTIONS_RRQ, b"NoSuchKey\x00", Reply.ACK_ERROR, b""),
            (Command.OPTIONS_RRQ, b"~Platform\x00", Reply.ACK_OK, b"~Platform=ZMM220_TFT\x00"),
            (Command.GET_PINWIDTH, b" P", Reply.ACK_OK, b"\x09"),
            (Command.READ_BUFFER, struct.pack("<ii", 0, 100), Reply.ACK_ERROR, b""),
            (Command.PREPARE_BUFFER, struct.pack("<bhii", 1, 99, 0, 0), Reply.ACK_ERROR, b""),
            (Command.SET_TIME, u32(0xFFFFFFFF), Reply.ACK_ERROR, b""),
        ]:
            header, data = client.request(code, payload)
            assert (header.code, data) == (expected, expected_payload), code
        # The client's event ACK is never answered.
        client.send(Command.ACK_OK, reply_id=0)
        assert client.nothing_arrives(0.1)


def test_clear_data_on_the_wire(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=5, records=10)
    sim.add_template(1, 0, b"tmpl")
    with RawClient(sim.port) as client:
        client.connect()
        assert client.request(Command.CLEAR_DATA)[0].code == Reply.ACK_OK
    assert (sim.users, sim.record_count, sim.templates) == ([], 0, [])


def test_direct_and_buffered_bulk_reads(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(users=3, records=200)
    request = struct.Struct("<bhii")
    with RawClient(sim.port) as client:
        client.connect()
        header, users = client.request(Command.PREPARE_BUFFER, request.pack(1, 9, 5, 0))
        assert header.code == Reply.DATA
        assert users[:4] == struct.pack("<I", 3 * 72)
        header, stat = client.request(Command.PREPARE_BUFFER, request.pack(1, 13, 0, 0))
        assert header.code == Reply.ACK_OK
        assert struct.unpack_from("<I", stat, 1)[0] == 4 + 200 * 40
        client.send(Command.READ_BUFFER, struct.pack("<ii", 0, 1000))
        assert client.receive()[0].code == Reply.PREPARE_DATA
        header, chunk = client.receive()
        assert (header.code, len(chunk)) == (Reply.DATA, 1000)
        assert client.receive()[0].code == Reply.ACK_OK
        assert client.request(Command.FREE_DATA)[0].code == Reply.ACK_OK


def test_commands_need_authentication(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(password=777)
    with RawClient(sim.port) as client:
        assert client.request(Command.GET_TIME)[0].code == Reply.ACK_UNAUTH
        assert client.connect().code == Reply.ACK_UNAUTH
        assert client.request(Command.GET_TIME)[0].code == Reply.ACK_UNAUTH
        wrong = make_commkey(778, client.session_id)
        assert client.request(Command.AUTH, wrong)[0].code == Reply.ACK_UNAUTH
        right = make_commkey(777, client.session_id)
        assert client.request(Command.AUTH, right)[0].code == Reply.ACK_OK
        assert client.request(Command.GET_TIME)[0].code == Reply.ACK_OK


def test_udp_unknown_session_is_refused(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator()
    with RawClient(sim.port, udp=True) as client:
        client.session_id = 4242
        assert client.request(Command.GET_TIME)[0].code == Reply.ACK_UNAUTH


def test_tcp_reassembly(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator()
    with RawClient(sim.port) as client:
        client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in client.packet(Command.CONNECT):
            client.send_raw(bytes([byte]))
        header, _ = client.receive()
        client.session_id = header.session_id
        # Two requests in one segment get two replies, in order.
        client.send_raw(
            client.packet(Command.GET_TIME, reply_id=7)
            + client.packet(Command.GET_VERSION, reply_id=8)
        )
        first, second = client.receive()[0], client.receive()[0]
        assert (first.reply_id, second.reply_id) == (7, 8)
        # A 1 KiB upload packet arriving in pieces.
        client.request(Command.PREPARE_DATA, u32(2048))
        upload = client.packet(Command.DATA, bytes(1024))
        for start in range(0, len(upload), 100):
            client.send_raw(upload[start : start + 100])
        assert client.receive()[0].code == Reply.ACK_OK


def test_bad_framing_closes_the_connection(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator()
    with RawClient(sim.port) as client:
        client.send_raw(b"GET / HTTP/1.1\r\n\r\n")
        assert client.sock.recv(100) == b""


def test_probes_and_many_clients_at_once(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=20, records=5_000)
    for _ in range(20):  # pyzk's connect/close probe, and then some
        socket.create_connection(("127.0.0.1", sim.port)).close()
    clients = [pyzk_client(sim, udp=index % 2 == 1) for index in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda zk: len(zk.get_attendance()), clients))
    assert results == [5_000] * 6
    assert sim.session_count == 6


def test_stop_joins_threads_and_frees_the_port(socket_enabled: None) -> None:
    sim = TerminalSimulator(SimulatorConfig(users=3)).start()
    port = sim.port
    tcp_client = ZK("127.0.0.1", port=port, timeout=1, ommit_ping=True)
    udp_client = ZK("127.0.0.1", port=port, timeout=1, ommit_ping=True, force_udp=True)
    for client in (tcp_client, udp_client):
        close_pyzk(client)
        client.connect()
    idle = socket.create_connection(("127.0.0.1", port))
    assert len(_zksim_threads()) >= 3
    sim.stop()
    sim.stop()  # twice is harmless
    assert _zksim_threads() == []
    for client in (tcp_client, udp_client):
        close_pyzk(client)
    idle.close()
    # Both transports can bind the port again at once.
    again = TerminalSimulator(SimulatorConfig(port=port)).start()
    assert again.port == port
    again.stop()


def test_context_manager_and_explicit_port(socket_enabled: None) -> None:
    with TerminalSimulator(SimulatorConfig()) as first:
        taken = first.port
        with pytest.raises(OSError):
            TerminalSimulator(SimulatorConfig(port=taken)).start()
    with TerminalSimulator(SimulatorConfig(port=taken, udp=False)) as tcp_only:
        assert tcp_only.port == taken
    assert _zksim_threads() == []


def test_cli_arguments() -> None:
    config = parse_args(
        ["--port", "0", "--users", "5", "--records", "7", "--password", "12", "--udp-only"]
    )
    assert (config.port, config.users, config.records, config.password) == (0, 5, 7, 12)
    assert (config.tcp, config.udp) == (False, True)
    assert parse_args(["--record-size", "16", "--user-size", "28"]).record_size == 16


def test_cli_serves_until_interrupted(socket_enabled: None) -> None:
    command = [sys.executable, "-m", "tools.zksim", "--port", "0", "--users", "4"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        banner = process.stdout.readline()
        port = int(banner.split(" on 127.0.0.1:")[1].split(" ")[0])
        client = ZK("127.0.0.1", port=port, timeout=2, ommit_ping=True)
        close_pyzk(client)
        try:
            assert len(client.connect().get_users()) == 4
            client.disconnect()
        finally:
            close_pyzk(client)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()


def test_parse_packet_rejects_short() -> None:
    with pytest.raises(ValueError, match="shorter"):
        parse_packet(b"\x00\x01")
