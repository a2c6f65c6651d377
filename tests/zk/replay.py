"""Replay of real terminal captures over loopback TCP (fixtures in tests/fixtures/zk/).

A ReplayTerminal answers a real client's requests with the reply packets a real terminal
sent, one captured TCP segment per ``send`` (TCP_NODELAY), so the client meets the same
segmenting. Two things are ours, and each fixture says which of its replies they touch:

* reply ids: the client numbers its requests its own way, so every captured reply gets the
  reply id of the request it answers (and its checksum recomputed) when the two differ.
  Command, session field and payload stay as captured; realtime events are never touched.
* framing: where a source shows only a payload (a record, an option value), the payload is
  wrapped in a correctly framed reply built here; the payload bytes are the source's.

Requests are parsed with the simulator's packet code (tools.zksim.protocol), not the
client's, and every request is logged for the tests to check what the client asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
import json
from pathlib import Path
import select
import socket
import struct
import threading
from typing import Any

from tools.zksim.protocol import (
    HEADER,
    TcpFrameReader,
    build_packet,
    checksum,
    encode_time,
    parse_packet,
    tcp_frame,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "zk"

CMD_USER_WRQ = 8
CMD_OPTIONS_RRQ = 11
CMD_GET_FREE_SIZES = 50
CMD_GET_PINWIDTH = 69
CMD_GET_TIME = 201
CMD_REG_EVENT = 500
CMD_CONNECT = 1000
CMD_EXIT = 1001
CMD_GET_VERSION = 1100
PREPARE_DATA = 1500
DATA = 1501
FREE_DATA = 1502
PREPARE_BUFFER = 1503
READ_BUFFER = 1504
ACK_OK = 2000
ACK_ERROR = 2001
ACK_UNKNOWN = 0xFFFF
# Commands a terminal simply acknowledges (enable, disable, refresh, cancel, verify, options).
_PLAIN_ACK = frozenset({12, 14, 15, 18, 31, 60, 62, 1002, 1003, 1013, 1102})
# Dataset commands inside a 1503 request, by the fixture name of their dataset.
_DATASETS = {9: "users", 13: "attendance"}
# Largest dataset a terminal sends straight back as CMD_DATA (adrobinoga ex_data.md: ~1 KB).
_DIRECT_LIMIT = 1016
_PREFIX = struct.Struct("<4sI")
_PREPARE_REQUEST = struct.Struct("<bhii")
_READ_REQUEST = struct.Struct("<ii")
_POLL = 0.05


def load_fixture(name: str) -> dict[str, Any]:
    """A capture fixture by file name (without .json)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def fixture_names() -> list[str]:
    """Every capture fixture, sorted."""
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def captured_segments(spec: dict[str, Any]) -> list[bytes]:
    """The segments of a reply spec that holds captured, framed bytes."""
    return [bytes.fromhex(segment) for segment in spec["segments"]]


def _readdress(stream: bytes, reply_id: int) -> tuple[bytes, int]:
    """Give every framed packet in ``stream`` this reply id; returns the bytes and how many
    packets had to change (their checksum is recomputed)."""
    out = bytearray(stream)
    changed = 0
    offset = 0
    while offset < len(out):
        magic, length = _PREFIX.unpack_from(out, offset)
        if magic != b"\x50\x50\x82\x7d":
            raise ValueError(f"captured bytes are not framed at offset {offset}")
        start = offset + _PREFIX.size
        end = start + length
        if end > len(out):
            raise ValueError("a captured packet is longer than the bytes captured")
        code, _checksum, session_id, old_reply_id = HEADER.unpack_from(out, start)
        if old_reply_id != reply_id:
            out[start:end] = build_packet(code, session_id, reply_id, bytes(out[start + 8 : end]))
            changed += 1
        offset = end
    return bytes(out), changed


def _split_like(stream: bytes, segments: list[bytes]) -> list[bytes]:
    """Cut ``stream`` at the boundaries of ``segments`` (same total length)."""
    parts: list[bytes] = []
    offset = 0
    for segment in segments:
        parts.append(stream[offset : offset + len(segment)])
        offset += len(segment)
    return parts


def encode_clock(value: str) -> bytes:
    """The CMD_GET_TIME payload for an ISO local time."""
    return struct.pack("<I", encode_time(datetime.fromisoformat(value)))


@dataclass
class Request:
    """One request the client sent."""

    command: int
    reply_id: int
    payload: bytes


@dataclass
class _Pending:
    """A dataset announced by 1503 and not read yet."""

    name: str
    spec: dict[str, Any]
    body: bytes | None


@dataclass
class ReplayLog:
    """What happened on the wire, for assertions."""

    requests: list[Request] = field(default_factory=list)
    readdressed_packets: int = 0
    events_sent: int = 0
    errors: list[str] = field(default_factory=list)

    def commands(self) -> list[int]:
        """The request commands in order."""
        return [request.command for request in self.requests]

    def payloads(self, command: int) -> list[bytes]:
        """Payloads of every request with this command."""
        return [request.payload for request in self.requests if request.command == command]


class ReplayTerminal:
    """A loopback terminal answering from one capture fixture; use as a context manager."""

    def __init__(self, fixture: dict[str, Any]) -> None:
        self.fixture = fixture
        self.replies: dict[str, Any] = fixture["replies"]
        self.session_id: int = int(fixture.get("session_id", 0x5A5A))
        self.log = ReplayLog()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._acked = threading.Semaphore(0)

    def __enter__(self) -> ReplayTerminal:
        thread = threading.Thread(target=self._accept, name="replay-terminal", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and join every thread."""
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            if not select.select([self._listener], [], [], _POLL)[0]:
                continue
            connection, _ = self._listener.accept()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(
                target=self._serve, args=(connection,), name="replay-session", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _serve(self, connection: socket.socket) -> None:
        reader = TcpFrameReader()
        pending: list[_Pending] = []
        with connection, contextlib.suppress(OSError):
            while not self._stop.is_set():
                if not select.select([connection], [], [], _POLL)[0]:
                    continue
                data = connection.recv(65536)
                if not data:
                    return
                for packet in reader.feed(data):
                    header, payload = parse_packet(packet)
                    request = Request(header.code, header.reply_id, payload)
                    self.log.requests.append(request)
                    try:
                        keep_going = self._answer(connection, request, pending)
                    except (ValueError, KeyError) as exc:
                        self.log.errors.append(f"{header.code}: {exc}")
                        return
                    if not keep_going:
                        return

    # Replies ----------------------------------------------------------------------------

    def _send(self, connection: socket.socket, segments: list[bytes]) -> None:
        for segment in segments:
            connection.sendall(segment)

    def _send_spec(
        self, connection: socket.socket, spec: dict[str, Any], reply_id: int, code: int = ACK_OK
    ) -> None:
        """Send a reply spec: captured segments (readdressed) or a payload framed here."""
        if "segments" in spec:
            segments = captured_segments(spec)
            stream, changed = _readdress(b"".join(segments), reply_id)
            self.log.readdressed_packets += changed
            self._send(connection, _split_like(stream, segments))
            return
        payload = bytes.fromhex(spec.get("payload", ""))
        reply_code = int(spec.get("code", code))
        self._send(connection, [self._frame(reply_code, reply_id, payload)])

    def _frame(self, code: int, reply_id: int, payload: bytes = b"") -> bytes:
        return tcp_frame(build_packet(code, self.session_id, reply_id, payload))

    def _answer(self, connection: socket.socket, request: Request, pending: list[_Pending]) -> bool:
        command, reply_id, payload = request.command, request.reply_id, request.payload
        if command == ACK_OK:  # the client acknowledging a realtime event: never answered
            self._acked.release()
            return True
        if command == CMD_CONNECT:
            self._send_spec(connection, self.replies.get("connect", {}), reply_id)
        elif command == CMD_EXIT:
            self._send(connection, [self._frame(ACK_OK, reply_id)])
            return False
        elif command == CMD_GET_FREE_SIZES:
            self._send_spec(connection, self.replies["free_sizes"], reply_id)
        elif command == CMD_OPTIONS_RRQ:
            key = payload.split(b"\0", 1)[0].decode("ascii", "replace")
            self._send_optional(connection, self.replies.get("options", {}).get(key), reply_id)
        elif command == CMD_GET_VERSION:
            self._send_optional(connection, self.replies.get("firmware"), reply_id)
        elif command == CMD_GET_PINWIDTH:
            self._send_optional(connection, self.replies.get("pin_width"), reply_id)
        elif command == CMD_GET_TIME:
            clock = self.fixture.get("clock")
            spec = None if clock is None else {"payload": encode_clock(clock["value"]).hex()}
            self._send_optional(connection, spec, reply_id)
        elif command == PREPARE_BUFFER:
            self._prepare_dataset(connection, reply_id, payload, pending)
        elif command == READ_BUFFER:
            self._read_chunk(connection, reply_id, payload, pending)
        elif command == FREE_DATA:
            pending.clear()
            self._send(connection, [self._frame(ACK_OK, reply_id)])
        elif command == CMD_REG_EVENT:
            self._send(connection, [self._frame(ACK_OK, reply_id)])
            if struct.unpack_from("<I", payload)[0] != 0:
                thread = threading.Thread(
                    target=self._send_events, args=(connection,), name="replay-events", daemon=True
                )
                thread.start()
                self._threads.append(thread)
        elif command == CMD_USER_WRQ or command in _PLAIN_ACK:
            self._send(connection, [self._frame(ACK_OK, reply_id)])
        else:  # pyzk's _clear_error junk (2001, 0xFFFF) and anything unknown
            self._send(connection, [self._frame(ACK_UNKNOWN, reply_id)])
        return True

    def _send_optional(
        self, connection: socket.socket, spec: dict[str, Any] | None, reply_id: int
    ) -> None:
        """A captured or framed answer, or a refusal (CMD_ACK_ERROR) if the fixture has none."""
        if spec is None or spec.get("refused"):
            self._send(connection, [self._frame(ACK_ERROR, reply_id)])
        else:
            self._send_spec(connection, spec, reply_id)

    def _prepare_dataset(
        self, connection: socket.socket, reply_id: int, payload: bytes, pending: list[_Pending]
    ) -> None:
        _flag, dataset_command, _function, _extra = _PREPARE_REQUEST.unpack_from(payload)
        name = _DATASETS.get(dataset_command)
        if name is None:  # not a dataset any capture holds (templates...)
            self._send(connection, [self._frame(ACK_ERROR, reply_id)])
            return
        # A dataset the source does not show is an empty one (what a terminal with no users
        # sends): framing ours, as the fixtures' counters say.
        spec = self.replies.get("datasets", {}).get(name, {"records": []})
        if "prepare" in spec:  # captured replies to 1503 (and 1504)
            self._send_spec(connection, spec["prepare"], reply_id)
            if "chunk" in spec:
                pending.append(_Pending(str(name), spec, None))
            return
        body = bytes.fromhex("".join(spec["records"]))
        dataset = struct.pack("<I", len(body)) + body
        if len(dataset) <= _DIRECT_LIMIT:
            self._send(connection, [self._frame(DATA, reply_id, dataset)])
            return
        stat = struct.pack("<BIII", 0, len(dataset), len(dataset), 0)
        self._send(connection, [self._frame(ACK_OK, reply_id, stat)])
        pending.append(_Pending(str(name), spec, dataset))

    def _read_chunk(
        self, connection: socket.socket, reply_id: int, payload: bytes, pending: list[_Pending]
    ) -> None:
        start, size = _READ_REQUEST.unpack_from(payload)
        if not pending:
            raise ValueError("chunk read without a prepared dataset")
        dataset = pending[0]  # 1503 prepared it on this connection
        if dataset.body is not None:  # framing ours: the whole chunk in one CMD_DATA
            chunk = dataset.body[start : start + size]
            prepare = struct.pack("<II", len(chunk), 1008)
            self._send(
                connection,
                [
                    self._frame(PREPARE_DATA, reply_id, prepare),
                    self._frame(DATA, reply_id, chunk),
                    self._frame(ACK_OK, reply_id),
                ],
            )
            return
        expected = dataset.spec["chunk_request"]
        if [start, size] != expected:
            raise ValueError(f"chunk {start}+{size} asked, the capture has {expected}")
        self._send_spec(connection, dataset.spec["chunk"], reply_id)
        if dataset.spec.get("chunk_end_ours"):
            self._send(connection, [self._frame(ACK_OK, reply_id)])

    def _send_events(self, connection: socket.socket) -> None:
        """Each event once, waiting for the client's ACK before the next (as terminals do)."""
        for spec in self.replies.get("events", []):
            if self._stop.is_set():
                return
            if "segments" in spec:  # captured whole: sent exactly as captured
                segments = captured_segments(spec)
            else:
                event = build_packet(CMD_REG_EVENT, 1, 0, bytes.fromhex(spec["payload"]))
                segments = [tcp_frame(event)]
            with contextlib.suppress(OSError):
                self._send(connection, segments)
            self.log.events_sent += 1
            while not self._acked.acquire(timeout=_POLL):
                if self._stop.is_set():
                    return


@contextlib.contextmanager
def replaying(name: str) -> Iterator[ReplayTerminal]:
    """A ReplayTerminal serving the named fixture for the duration of the block."""
    with ReplayTerminal(load_fixture(name)) as terminal:
        yield terminal


def packet_checksum_ok(packet: bytes) -> bool:
    """Whether a packet (no TCP prefix) carries the spec checksum: tells captured bytes apart."""
    code, stored, session_id, reply_id = HEADER.unpack_from(packet)
    return bool(stored == checksum(HEADER.pack(code, 0, session_id, reply_id) + packet[8:]))
