"""Fuzz of the terminal client's parsers: framing, bulk reads, options replies, records, events.

Whatever bytes a terminal (or something posing as one) sends, the client raises only its typed
errors (or the socket's own, which its callers wrap), never holds more memory than a real
terminal's data needs, and never hands on a value of the wrong type. The parsers' plain
random-bytes cases live in tests/zk; these add framed streams, truncations of valid data and
the paths that read from a socket.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
import itertools
import socket
import struct
import tracemalloc
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.devicehub.zk import (
    LiveCapture,
    LiveEvent,
    TerminalClient,
    TerminalConfig,
    TerminalError,
    TerminalInfo,
    User,
)
from custom_components.devicehub.zk.events import parse_event_payload
from custom_components.devicehub.zk.models import AttendanceRecord
from custom_components.devicehub.zk.records import parse_attendance, parse_users
from custom_components.devicehub.zk.transport.bulk import BulkReader
from custom_components.devicehub.zk.transport.channel import PacketChannel, Transport
from custom_components.devicehub.zk.transport.packets import (
    HEADER,
    MAX_PACKET_LENGTH,
    TCP_MAGIC,
    TCP_PREFIX,
    Command,
)
from tests.zk.scripted import ScriptedTerminal, reply
from tests.zk.test_records import att8, att16, att40, dataset, user28, user72

# Generous: the biggest real dataset (100k records of 40 bytes) is 4 MB; garbage must not cost
# more than a chunk or a packet.
MEMORY_BOUND = 4 * 1024 * 1024
FUZZ = settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CODES = st.sampled_from(
    [
        Command.ACK_OK,
        Command.DATA,
        Command.PREPARE_DATA,
        Command.ACK_ERROR,
        Command.ACK_UNAUTH,
        Command.CMD_REG_EVENT,
        0xFFFF,
        0,
    ]
)


def frame(
    command: int,
    reply_id: int,
    payload: bytes = b"",
    *,
    session_id: int = 7,
    magic: bytes = TCP_MAGIC,
    length: int | None = None,
) -> bytes:
    """A TCP frame, optionally with a wrong magic or a lying length."""
    packet = HEADER.pack(command, 0, session_id, reply_id) + payload
    return TCP_PREFIX.pack(magic, len(packet) if length is None else length) + packet


@st.composite
def packets(draw: st.DrawFn, reply_ids: st.SearchStrategy[int]) -> bytes:
    """A well-framed packet, a damaged one, or plain garbage."""
    kind = draw(st.sampled_from(["good", "good", "good", "size", "lie", "magic", "junk", "cut"]))
    command = draw(CODES | st.integers(0, 0xFFFF))
    reply_id = draw(reply_ids)
    payload = draw(st.binary(max_size=300))
    if kind == "size":  # an ACK_OK whose stat announces some dataset size, any at all
        size = draw(st.sampled_from([0, 1, 4, 1000, 70_000, 2**31 - 1, 2**32 - 1]))
        payload = b"\x00" + struct.pack("<I", size) + payload[:8]
        return frame(Command.ACK_OK, reply_id, payload)
    if kind == "lie":
        lies = [0, 7, 8, MAX_PACKET_LENGTH, MAX_PACKET_LENGTH + 1, 2**32 - 1]
        length = draw(st.sampled_from(lies))
        return frame(command, reply_id, payload, length=length)
    if kind == "magic":
        return frame(command, reply_id, payload, magic=draw(st.binary(min_size=4, max_size=4)))
    if kind == "junk":
        return draw(st.binary(max_size=64))
    whole = frame(command, reply_id, payload)
    if kind == "cut":
        return whole[: draw(st.integers(0, len(whole)))]
    return whole


STREAMS = st.lists(packets(st.integers(0, 4)), max_size=8).map(b"".join)


@dataclass
class FakeSession:
    """What BulkReader needs of a session: a channel, a transport and reply ids."""

    channel: PacketChannel
    transport: Transport
    _ids: Iterator[int]
    session_id: int = 7

    def send_command(self, command: int, payload: bytes = b"") -> int:
        return next(self._ids)


def peer_with(stream: bytes | list[bytes], transport: Transport) -> tuple[socket.socket, Any]:
    """Our end of a socket pair whose other end sent stream, then hung up."""
    kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
    ours, theirs = socket.socketpair(socket.AF_UNIX, kind)
    ours.settimeout(0.01)  # everything was sent before reading starts
    if isinstance(stream, bytes):
        theirs.sendall(stream)
    else:
        for datagram in stream:
            theirs.send(datagram)
    theirs.close()
    return ours, PacketChannel(ours, transport, ("127.0.0.1", 4370))


def bounded[T](call: Any) -> tuple[T | None, BaseException | None]:
    """Run call, returning its result or exception; fail if it held too much memory."""
    tracemalloc.start()
    try:
        try:
            return call(), None
        except Exception as err:  # the exception is the result under test
            return None, err
        finally:
            _, peak = tracemalloc.get_traced_memory()
            assert peak < MEMORY_BOUND, f"{peak} bytes held"
    finally:
        tracemalloc.stop()


@FUZZ
@given(stream=STREAMS)
def test_tcp_framing(stream: bytes) -> None:
    """Packets are read by their framing: a bad one is a typed error, never a big buffer."""
    sock, channel = peer_with(stream, "tcp")
    with sock:

        def read_all() -> int:
            count = 0
            while True:
                header = channel.read_header()
                assert 0 <= header.length <= MAX_PACKET_LENGTH
                assert len(channel.read_payload(header)) == header.length
                count += 1

        _, err = bounded(read_all)
    assert isinstance(err, TerminalError | TimeoutError), repr(err)


@FUZZ
@given(stream=STREAMS, transport=st.sampled_from(["tcp", "udp"]), chunk=st.sampled_from([64, 512]))
def test_bulk_read(stream: bytes, transport: Transport, chunk: int) -> None:
    """A dataset read through any replies: typed errors, or exactly the bytes announced."""
    datagrams = [stream[i : i + 200] for i in range(0, len(stream), 200)]
    sock, channel = peer_with(stream if transport == "tcp" else datagrams, transport)
    with sock:
        session = FakeSession(channel, transport, itertools.count(1))
        reader = BulkReader(session, max_chunk=chunk)  # type: ignore[arg-type]
        data, err = bounded(lambda: reader.read(Command.CMD_ATTLOG_RRQ))
    assert err is None or isinstance(err, TerminalError | OSError), repr(err)
    if err is None:
        assert isinstance(data, bytearray)


def test_bulk_read_refuses_an_absurd_dataset_size() -> None:
    """A reply announcing a 4 GB dataset is refused before anything is allocated."""
    stream = frame(Command.ACK_OK, 1, b"\x00" + struct.pack("<I", 2**32 - 1) * 3)
    sock, channel = peer_with(stream, "tcp")
    with sock:
        reader = BulkReader(FakeSession(channel, "tcp", itertools.count(1)))  # type: ignore[arg-type]
        _, err = bounded(lambda: reader.read(Command.CMD_ATTLOG_RRQ))
    assert isinstance(err, TerminalError)
    assert "dataset" in str(err)


@dataclass
class OptionsScript:
    """A terminal that connects fine, then answers option reads with fuzzed replies."""

    replies: list[tuple[int, bytes]]

    def __call__(self, command: int, reply_id: int, payload: bytes) -> list[bytes] | None:
        if command == 1000:  # CMD_CONNECT
            return [reply(Command.ACK_OK, reply_id)]
        if command == 11 and self.replies:  # CMD_OPTIONS_RRQ
            code, data = self.replies.pop(0)
            return [reply(code, reply_id, data)]
        if command == 11:
            return [reply(Command.ACK_OK, reply_id, payload.rstrip(b"\0") + b"=x\0")]
        return [reply(Command.ACK_OK, reply_id)]


OPTION_REPLIES = st.lists(
    st.tuples(
        st.sampled_from([Command.ACK_OK, Command.ACK_OK, Command.ACK_ERROR, 0xFFFF]),
        st.one_of(
            st.binary(max_size=120),
            st.builds(
                lambda key, value: key + b"=" + value + b"\0",
                st.sampled_from([b"~SerialNumber", b"~Platform", b"MAC", b""]),
                st.binary(max_size=60),
            ),
        ),
    ),
    max_size=8,
)


@pytest.fixture
def options_terminal(socket_enabled: None) -> Iterator[tuple[ScriptedTerminal, OptionsScript]]:
    script = OptionsScript([])
    terminal = ScriptedTerminal(script)
    yield terminal, script
    terminal.close()


@settings(FUZZ, max_examples=150)
@given(replies=OPTION_REPLIES)
def test_options_replies(
    options_terminal: tuple[ScriptedTerminal, OptionsScript],
    replies: list[tuple[int, bytes]],
) -> None:
    """Options replies (serial, platform, firmware, MAC, name) of any shape: typed or refused."""
    terminal, script = options_terminal
    script.replies = list(replies)
    client = TerminalClient(TerminalConfig("127.0.0.1", terminal.port, timeout=0.5))
    try:
        info, err = bounded(client.get_info)
    finally:
        client.close()
    if err is None:
        assert isinstance(info, TerminalInfo)
        assert all(isinstance(value, str) for value in vars_of(info))
    else:
        assert isinstance(err, TerminalError), repr(err)
        assert not client.connected


def vars_of(info: TerminalInfo) -> list[object]:
    return [getattr(info, name) for name in TerminalInfo.__dataclass_fields__]


RECORD_LAYOUTS = {
    40: lambda i, raw: att40(i, str(i), raw, 1, i % 6),
    16: lambda i, raw: att16(i, raw, 1, i % 6),
    8: lambda i, raw: att8(i, raw, 1, i % 6),
}
RAW_TIMES = st.integers(0, 0xFFFFFFFF) | st.just(0x2F0A_D8E5)


@settings(max_examples=600, deadline=None, database=None)
@given(
    size=st.sampled_from([40, 16, 8]),
    times=st.lists(RAW_TIMES, max_size=25),
    cut=st.integers(0, 2000),
    skew=st.integers(-3, 3),
)
def test_truncated_attendance(size: int, times: list[int], cut: int, skew: int) -> None:
    """A valid log cut anywhere, with a stale count: every whole record is parsed or counted."""
    data = dataset([RECORD_LAYOUTS[size](i, raw) for i, raw in enumerate(times)])
    body_cut = min(cut, len(data) - 4)
    truncated = data[: 4 + body_cut]
    batch = parse_attendance(truncated, max(len(times) + skew, 0), [], record_size=size)
    whole = body_cut // size
    assert len(batch.records) + batch.invalid == whole + int(body_cut % size != 0)
    assert all(isinstance(record, AttendanceRecord) for record in batch.records)
    assert all(isinstance(record.timestamp, datetime) for record in batch.records)


@settings(max_examples=400, deadline=None, database=None)
@given(
    names=st.lists(st.binary(max_size=24), max_size=12),
    wide=st.booleans(),
    cut=st.integers(0, 1000),
    encoding=st.sampled_from(["utf-8", "gbk", "cp1256", "latin-1"]),
)
def test_truncated_users(names: list[bytes], wide: bool, cut: int, encoding: str) -> None:
    """A users dataset cut anywhere: whole users come back typed, names decoded, never raising."""
    if wide:
        records = [user72(i + 1, str(1000 + i), name) for i, name in enumerate(names)]
    else:
        records = [user28(i + 1, 1000 + i, name[:8]) for i, name in enumerate(names)]
    data = dataset(records)
    body = min(cut, len(data) - 4)
    users = parse_users(data[: 4 + body], len(names), encoding)
    # A cut body may read as users of the other layout (28 divides it where 72 does not): an
    # ambiguity of the protocol, not an error. Never more users than the bytes can hold.
    assert len(users) <= body // 28
    assert all(isinstance(user, User) and isinstance(user.name, str) for user in users)
    if body == len(data) - 4:
        assert [user.uid for user in users] == list(range(1, len(names) + 1))


EVENT_32 = struct.Struct("<24sBB6s")


@settings(max_examples=600, deadline=None, database=None)
@given(
    events=st.lists(
        st.tuples(st.text(max_size=12), st.binary(min_size=6, max_size=6)), min_size=1, max_size=4
    ),
    cut=st.integers(0, 300),
    junk=st.binary(max_size=20),
)
def test_truncated_event_batches(events: list[tuple[str, bytes]], cut: int, junk: bytes) -> None:
    """Batched 52-byte events, cut or padded: events and an invalid count, never an exception."""
    payload = b"".join(
        EVENT_32.pack(user.encode()[:24], 1, 0, stamp) + b"\0" * 20 for user, stamp in events
    )
    parsed, invalid = parse_event_payload(payload[:cut] + junk)
    assert invalid >= 0
    assert len(parsed) <= len(events) + 1
    assert all(isinstance(event, LiveEvent) for event in parsed)


class Delivered:
    """Stands in for the event loop: what live capture would hand to Home Assistant."""

    def __init__(self) -> None:
        self.events: list[LiveEvent] = []

    def call_soon_threadsafe(self, callback: Any, value: Any) -> None:
        callback(value)


LIVE_STREAMS = st.lists(
    packets(st.just(0))
    | st.builds(
        lambda payload: frame(Command.CMD_REG_EVENT, 0, payload, session_id=1),
        st.binary(max_size=120),
    ),
    max_size=10,
).map(b"".join)


@FUZZ
@given(stream=LIVE_STREAMS)
def test_live_capture_packets(stream: bytes) -> None:
    """Whatever arrives on a live session: typed events delivered, a typed error at the end."""
    loop = Delivered()
    capture = LiveCapture(
        TerminalConfig("127.0.0.1"),
        loop,  # type: ignore[arg-type]
        on_event=loop.events.append,
        on_connection_change=lambda connected: None,
        watchdog_seconds=30,
        heartbeat_seconds=10,
    )
    sock, channel = peer_with(stream, "tcp")
    with sock:
        session = FakeSession(channel, "tcp", itertools.count(1))
        session.channel.send = lambda packet: None  # type: ignore[method-assign]
        _, err = bounded(lambda: capture._pump(session))  # type: ignore[arg-type]
    assert isinstance(err, TerminalError | TimeoutError), repr(err)
    assert all(isinstance(event, LiveEvent) for event in loop.events)
    assert all(isinstance(event.user_id, str) for event in loop.events)
