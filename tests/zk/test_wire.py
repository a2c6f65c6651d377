"""Protocol edge cases against a scripted peer, and packet splits at every byte."""

from collections.abc import Callable, Iterator
from datetime import datetime
import socket
import struct

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.devicehub.zk import (
    TerminalAuthFailed,
    TerminalClient,
    TerminalCommandRejected,
    TerminalConfig,
    TerminalConnectionLost,
    TerminalProtocolError,
)
from custom_components.devicehub.zk.models import User
from custom_components.devicehub.zk.timecodec import encode_time
from custom_components.devicehub.zk.transport.bulk import BulkReader
from custom_components.devicehub.zk.transport.channel import PacketChannel
from custom_components.devicehub.zk.transport.packets import build_packet, frame_tcp
from custom_components.devicehub.zk.transport.session import comm_key
from custom_components.devicehub.zk.user_record import uid_for

from .scripted import ACK_OK, Answer, ScriptedTerminal, free_sizes, reply

CONNECT, AUTH, EXIT, GET_TIME, FREE_SIZES = 1000, 1102, 1001, 201, 50
PREPARE_BUFFER, READ_BUFFER, FREE_DATA = 1503, 1504, 1502
PREPARE_DATA, DATA, ACK_ERROR, ACK_UNAUTH = 1500, 1501, 2001, 2005
WHEN = datetime(2024, 5, 6, 7, 8, 9)


def att40(uid: int) -> bytes:
    return struct.pack("<H24sBIB8x", uid, str(uid).encode(), 1, encode_time(WHEN), 0)


LOG = b"".join(att40(uid) for uid in range(1, 4))
DATASET = struct.pack("<I", len(LOG)) + LOG


@pytest.fixture
def scripted(socket_enabled: None) -> Iterator[Callable[[Answer], TerminalClient]]:
    """Start scripted peers; each gives a client pointed at it."""
    peers: list[ScriptedTerminal] = []
    clients: list[TerminalClient] = []

    def start(answer: Answer, password: int = 0) -> TerminalClient:
        peer = ScriptedTerminal(answer)
        peers.append(peer)
        client = TerminalClient(TerminalConfig("127.0.0.1", peer.port, password, timeout=0.5))
        client.transport = "tcp"
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()
    for peer in peers:
        peer.close()


def terminal(
    chunk: Callable[[int], list[bytes]] | None = None,
    prepare: Callable[[int], list[bytes]] | None = None,
    free: Callable[[int], list[bytes]] | None = None,
) -> Answer:
    """A well-behaved terminal holding DATASET (buffered), with overridable steps."""

    def answer(command: int, reply_id: int, payload: bytes) -> list[bytes] | None:
        if command == FREE_SIZES:
            return [reply(ACK_OK, reply_id, free_sizes(3, 3))]
        if command == PREPARE_BUFFER:
            if prepare:
                return prepare(reply_id)
            return [reply(ACK_OK, reply_id, struct.pack("<BIII", 0, len(DATASET), len(DATASET), 0))]
        if command == READ_BUFFER:
            if chunk:
                return chunk(reply_id)
            start, size = struct.unpack("<ii", payload)
            data = DATASET[start : start + size]
            return [
                reply(PREPARE_DATA, reply_id, struct.pack("<II", size, 1008))
                + reply(DATA, reply_id, data)
                + reply(ACK_OK, reply_id)
            ]
        if command == FREE_DATA and free:
            return free(reply_id)
        return [reply(ACK_OK, reply_id)]

    return answer


def test_well_behaved_script(scripted: Callable[[Answer], TerminalClient]) -> None:
    """The script itself is right: three records come through."""
    client = scripted(terminal())
    assert [r.uid for r in client.get_attendance().records] == [1, 2, 3]


def test_data_without_prepare(scripted: Callable[[Answer], TerminalClient]) -> None:
    """Some firmware skips PREPARE_DATA and sends the data straight away."""
    client = scripted(terminal(chunk=lambda rid: [reply(DATA, rid, DATASET), reply(ACK_OK, rid)]))
    assert len(client.get_attendance().records) == 3


@pytest.mark.parametrize(
    ("script", "problem"),
    [
        (
            {"prepare": lambda rid: [reply(ACK_ERROR, rid)]},
            "bulk read refused with code 2001",
        ),
        ({"prepare": lambda rid: [reply(ACK_OK, rid, b"\x00\x01")]}, "too short"),
        (
            {"chunk": lambda rid: [reply(DATA, rid, DATASET + b"extra"), reply(ACK_OK, rid)]},
            "overflows",
        ),
        ({"chunk": lambda rid: [reply(DATA, rid, DATASET[:10]), reply(ACK_OK, rid)]}, "10 of"),
        ({"chunk": lambda rid: [reply(DATA, rid, DATASET), reply(ACK_ERROR, rid)]}, "ended"),
        ({"chunk": lambda rid: [reply(ACK_OK, rid + 1)]}, "reply id"),
        ({"free": lambda rid: [reply(ACK_ERROR, rid)]}, "freeing the buffer refused"),
    ],
)
def test_misbehaving_bulk_reads(
    scripted: Callable[[Answer], TerminalClient], script: dict, problem: str
) -> None:
    """Every way a bulk read can go wrong is a typed error naming what happened."""
    client = scripted(terminal(**script))
    with pytest.raises(TerminalProtocolError, match=problem) as caught:
        client.get_attendance()
    if "refused" in problem:
        assert isinstance(caught.value, TerminalCommandRejected)
    assert not client.connected


def connect_script(session_id: int, key: int, odd_code: int | None = None) -> Answer:
    """CONNECT answered UNAUTH with session_id; AUTH accepted only with the right key."""

    def answer(command: int, reply_id: int, payload: bytes) -> list[bytes] | None:
        if command == CONNECT:
            code = odd_code or ACK_UNAUTH
            return [reply(code, reply_id, session_id=session_id)]
        if command == AUTH:
            good = payload == comm_key(key, session_id)
            return [reply(ACK_OK if good else ACK_UNAUTH, reply_id, session_id=session_id)]
        if command == GET_TIME:
            return [reply(ACK_OK, reply_id, struct.pack("<I", encode_time(WHEN)), session_id)]
        return [reply(ACK_OK, reply_id, session_id=session_id)]

    return answer


def test_comm_key_pyzk_cannot_pack(scripted: Callable[..., TerminalClient]) -> None:
    """Key 131071 with session 0xF000 overflows pyzk's key maths; we authenticate anyway."""
    client = scripted(connect_script(0xF000, 131071), password=131071)
    assert client.get_time() == WHEN


def test_comm_key_fallback_still_rejects_wrong_keys(
    scripted: Callable[..., TerminalClient],
) -> None:
    """Our own authentication says no to a wrong key, like pyzk's."""
    client = scripted(connect_script(0xF000, 4242), password=131071)
    with pytest.raises(TerminalAuthFailed):
        client.get_time()


def test_odd_reply_to_connect(scripted: Callable[..., TerminalClient]) -> None:
    """A well-framed but meaningless reply code to CONNECT is a protocol error."""
    client = scripted(connect_script(5, 0, odd_code=1234))
    with pytest.raises(TerminalProtocolError, match="reply code 1234"):
        client.connect()


def test_comm_key_vectors() -> None:
    """Published test vectors of ZK's MakeKey."""
    assert comm_key(12, 0x45CF).hex() == "614d323c"
    assert comm_key(45, 0x45CF).hex() == "61c9323c"


class DribblingSocket:
    """A stream socket stand-in that hands out at most a few bytes per recv."""

    def __init__(self, stream: bytes, sizes: list[int]) -> None:
        self._stream = memoryview(stream)
        self._sizes = sizes or [1]
        self._turn = 0

    def recv_into(self, target: memoryview) -> int:
        size = min(len(target), self._sizes[self._turn % len(self._sizes)], len(self._stream))
        self._turn += 1
        target[:size] = self._stream[:size]
        self._stream = self._stream[size:]
        return size

    def sendall(self, data: bytes) -> None:
        """Requests are not looked at."""


class FakeSession:
    """Just what BulkReader needs from a session."""

    def __init__(self, channel: PacketChannel, transport: str = "tcp") -> None:
        self.channel = channel
        self.transport = transport
        self.next_id = 0

    def send_command(self, command: int, payload: bytes = b"") -> int:
        self.next_id += 1
        return self.next_id


def scripted_stream(dataset: bytes, chunk: int, packet: int) -> bytes:
    """Every reply of a buffered read, as one byte stream (reply ids 1, 2, ...)."""
    stream = [frame_tcp(build_packet(ACK_OK, 7, 1, struct.pack("<BIII", 0, len(dataset), 0, 0)))]
    reply_id = 1
    for start in range(0, len(dataset), chunk):
        reply_id += 1
        part = dataset[start : start + chunk]
        stream.append(frame_tcp(build_packet(PREPARE_DATA, 7, reply_id, struct.pack("<II", 0, 0))))
        for offset in range(0, len(part), packet):
            piece = part[offset : offset + packet]
            stream.append(frame_tcp(build_packet(DATA, 7, reply_id, piece)))
        stream.append(frame_tcp(build_packet(ACK_OK, 7, reply_id)))
    stream.append(frame_tcp(build_packet(ACK_OK, 7, reply_id + 1)))
    return b"".join(stream)


@settings(max_examples=60, deadline=None)
@given(
    dataset=st.binary(min_size=1, max_size=5000),
    packet=st.integers(min_value=1, max_value=1500),
    splits=st.lists(st.integers(min_value=1, max_value=40), max_size=8),
)
def test_any_segmenting_reads_the_same_bytes(
    dataset: bytes, packet: int, splits: list[int]
) -> None:
    """However the stream is cut into recv()s and packets, the dataset comes out whole."""
    stream = scripted_stream(dataset, 2048, packet)
    channel = PacketChannel(DribblingSocket(stream, splits), "tcp", ("127.0.0.1", 1))  # type: ignore[arg-type]
    reader = BulkReader(FakeSession(channel), max_chunk=2048)  # type: ignore[arg-type]
    assert bytes(reader.read(13)) == dataset


def test_stream_ending_mid_packet() -> None:
    """EOF inside a packet is a lost connection."""
    stream = scripted_stream(b"x" * 100, 2048, 1008)[:-30]
    channel = PacketChannel(DribblingSocket(stream, [7]), "tcp", ("127.0.0.1", 1))  # type: ignore[arg-type]
    with pytest.raises(TerminalConnectionLost):
        BulkReader(FakeSession(channel)).read(13)  # type: ignore[arg-type]


@pytest.fixture
def datagrams(socket_enabled: None) -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected pair of datagram sockets: (client end, terminal end)."""
    client_end, terminal_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    client_end.settimeout(0.5)
    yield client_end, terminal_end
    client_end.close()
    terminal_end.close()


def udp_reader(client_end: socket.socket) -> BulkReader:
    channel = PacketChannel(client_end, "udp", ("127.0.0.1", 1))
    return BulkReader(FakeSession(channel, "udp"))  # type: ignore[arg-type]


def test_udp_skips_stale_datagrams(datagrams: tuple[socket.socket, socket.socket]) -> None:
    """Late datagrams of an abandoned exchange are skipped on UDP."""
    client_end, terminal_end = datagrams
    terminal_end.send(build_packet(DATA, 7, 99, b"late"))
    terminal_end.send(build_packet(DATA, 7, 1, DATASET))
    assert bytes(udp_reader(client_end).read(13)) == DATASET


def test_udp_flood_of_strays(datagrams: tuple[socket.socket, socket.socket]) -> None:
    """A stream of unrelated datagrams does not keep the reader forever."""
    client_end, terminal_end = datagrams
    for _ in range(70):
        terminal_end.send(build_packet(DATA, 7, 99, b"late"))
    with pytest.raises(TerminalProtocolError, match="stray"):
        udp_reader(client_end).read(13)


def test_udp_runt_datagram(datagrams: tuple[socket.socket, socket.socket]) -> None:
    """A datagram shorter than a header is garbage."""
    client_end, terminal_end = datagrams
    terminal_end.send(b"\x01\x02")
    with pytest.raises(TerminalProtocolError, match="runt"):
        udp_reader(client_end).read(13)


def test_payload_target_must_fit() -> None:
    """Reading a payload into a buffer of another size is refused."""
    stream = frame_tcp(build_packet(DATA, 7, 1, b"abcd"))
    channel = PacketChannel(DribblingSocket(stream, [64]), "tcp", ("127.0.0.1", 1))  # type: ignore[arg-type]
    header = channel.read_header()
    with pytest.raises(TerminalProtocolError, match="size"):
        channel.read_payload_into(header, memoryview(bytearray(3)))


def test_uid_allocation() -> None:
    """Existing user_ids keep their uid; new ones get the next, or the first free slot."""
    users = [User(uid, str(uid * 10), "", 0, "", "", 0) for uid in (1, 2, 0xFFFF)]
    assert uid_for("20", users) == 2
    assert uid_for("new", users[:2]) == 3
    assert uid_for("new", users) == 3
    full = [User(uid, str(uid), "", 0, "", "", 0) for uid in range(1, 0x10000)]
    with pytest.raises(ValueError, match="no free user slot"):
        uid_for("new", full)
