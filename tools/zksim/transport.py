"""Putting replies, bulk chunks and events on the wire, TCP or UDP, with the output faults."""

from __future__ import annotations

from abc import ABC, abstractmethod
import contextlib
import random
import socket
import struct
import threading

from .faults import ChunkMode, Faults, GarbageKind
from .handler import Packet
from .protocol import Command, EventFlag, Reply, build_packet, tcp_frame
from .session import Transport

# UDP clients read 1032-byte datagrams: 8 header + up to 1024 payload.
UDP_DATA_PAYLOAD = 1024
# Real firmware reports this CMD_DATA packet size in PREPARE_DATA; pyzk ignores it.
PREPARE_PACKET_HINT = 1008


class LinkAborted(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The link was deliberately broken (fault); the session must end."""


class Waker:
    """A socket pair a thread can select() on, so other threads can wake it."""

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def fileno(self) -> int:
        """The end to select() on."""
        return self._reader.fileno()

    def wake(self) -> None:
        """Make the reader end readable (never blocks)."""
        # Failing means wake-ups are already pending, or the pair closed during shutdown.
        with contextlib.suppress(OSError):
            self._writer.send(b"\x00")

    def drain(self) -> None:
        """Consume pending wake-ups."""
        try:
            while self._reader.recv(4096):
                pass
        except BlockingIOError, OSError:
            pass

    def close(self) -> None:
        """Release both ends."""
        self._reader.close()
        self._writer.close()


class Link(ABC):
    """One client's way out: a TCP connection or a UDP peer address."""

    transport: Transport

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send one write (TCP sendall) or one datagram (UDP)."""

    @abstractmethod
    def frame(self, packet: bytes) -> bytes:
        """Add the transport's framing to a packet."""

    @abstractmethod
    def abort(self) -> None:
        """Break the link abruptly."""


class TcpLink(Link):
    """A TCP connection."""

    transport = Transport.TCP

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def write(self, data: bytes) -> None:
        """One sendall, so a reply never straddles two writes."""
        self.sock.sendall(data)

    def frame(self, packet: bytes) -> bytes:
        """Prefix the TCP top header."""
        return tcp_frame(packet)

    def abort(self) -> None:
        """Reset the connection (RST, not FIN): pyzk 0.9 loops forever on EOF mid-transfer."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raise LinkAborted


class UdpLink(Link):
    """A UDP peer reached through the shared socket."""

    transport = Transport.UDP

    def __init__(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        self.sock = sock
        self.peer = peer

    def write(self, data: bytes) -> None:
        """One datagram."""
        self.sock.sendto(data, self.peer)

    def frame(self, packet: bytes) -> bytes:
        """UDP carries packets bare."""
        return packet

    def abort(self) -> None:
        """UDP has no link to break: the session is forgotten instead."""
        raise LinkAborted


class Responder:
    """Writes replies with the runtime faults applied."""

    def __init__(self, faults: Faults, stop: threading.Event, rng: random.Random) -> None:
        self._faults = faults
        self._stop = stop
        self._rng = rng

    def send_packet(self, link: Link, session_id: int, reply_id: int, reply: Packet) -> None:
        """One reply packet in one write, spoiled if a garbage fault is pending."""
        data = link.frame(build_packet(reply.code, session_id, reply_id, reply.payload))
        garbage = self._faults.take_garbage()
        if garbage is GarbageKind.BAD_MAGIC and link.transport is Transport.TCP:
            data = b"ZKZK" + data[4:]
        elif garbage is not None:
            data = self._rng.randbytes(max(16, len(data)))
        link.write(data)

    def send_event(self, link: Link, payload: bytes, flag: int = EventFlag.ATTLOG) -> None:
        """A realtime event: the session field carries the event flag, reply id 0."""
        link.write(link.frame(build_packet(Command.REG_EVENT, flag, 0, payload)))

    def send_chunk(self, link: Link, session_id: int, reply_id: int, chunk: memoryview) -> None:
        """Answer a 1504: PREPARE_DATA, the data as the chunk mode says, ACK_OK."""
        size = len(chunk)
        prepare = link.frame(
            build_packet(
                Reply.PREPARE_DATA,
                session_id,
                reply_id,
                struct.pack("<II", size, PREPARE_PACKET_HINT),
            )
        )
        ack = link.frame(build_packet(Reply.ACK_OK, session_id, reply_id))
        if link.transport is Transport.UDP:
            pieces = self._split(chunk, UDP_DATA_PAYLOAD, session_id, reply_id, link, counter=False)
        elif self._faults.chunk_mode is ChunkMode.SINGLE:
            pieces = [link.frame(build_packet(Reply.DATA, session_id, reply_id, bytes(chunk)))]
        else:
            packet_size = max(1, self._faults.chunk_packet_size)
            pieces = self._split(chunk, packet_size, session_id, reply_id, link, counter=True)

        if self._faults.take_drop_mid_transfer():
            cut = b"".join(pieces)
            partial = cut[: len(cut) // 2]
            if link.transport is Transport.TCP:
                link.write(prepare + partial)
            else:
                link.write(prepare)
                for piece in pieces[: len(pieces) // 2]:
                    link.write(piece)
            link.abort()

        if link.transport is Transport.UDP:
            for data in (prepare, *pieces, ack):
                link.write(data)
        elif self._faults.chunk_mode is ChunkMode.TRICKLE:
            link.write(prepare)
            for piece in pieces:
                link.write(piece)
                self._stop.wait(self._faults.trickle_gap)
            link.write(ack)
        else:
            # SINGLE: what pyzk 0.9 reads reliably; BURST: firmware-like, all at once.
            link.write(prepare + b"".join(pieces) + ack)

    @staticmethod
    def _split(
        chunk: memoryview,
        packet_size: int,
        session_id: int,
        reply_id: int,
        link: Link,
        *,
        counter: bool,
    ) -> list[bytes]:
        # Firmware numbers the CMD_DATA packets of a chunk 0, 1, 2... in the session field.
        return [
            link.frame(
                build_packet(
                    Reply.DATA,
                    (index if counter else session_id) & 0xFFFF,
                    reply_id,
                    bytes(chunk[start : start + packet_size]),
                )
            )
            for index, start in enumerate(range(0, len(chunk), packet_size))
        ]
