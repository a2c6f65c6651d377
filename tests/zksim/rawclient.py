"""A bare protocol client for checks pyzk cannot make (framing, pacing, exact replies)."""

from __future__ import annotations

import socket
import struct
from types import TracebackType
from typing import Self

from tools.zksim.protocol import (
    HEADER_SIZE,
    TCP_TOP,
    Command,
    Header,
    build_packet,
    parse_packet,
    tcp_frame,
)


class RawClient:
    """Sends hand-made packets over TCP or UDP and reads single replies."""

    def __init__(self, port: int, *, udp: bool = False, timeout: float = 2.0) -> None:
        self.udp = udp
        self.address = ("127.0.0.1", port)
        self.session_id = 0
        self.reply_id = 0
        kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.settimeout(timeout)
        if not udp:
            self.sock.connect(self.address)
        self._pending = b""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    def packet(self, code: int, payload: bytes = b"", reply_id: int | None = None) -> bytes:
        """The framed bytes of a request, with the current session id."""
        reply = self.reply_id if reply_id is None else reply_id
        packet = build_packet(code, self.session_id, reply, payload)
        return packet if self.udp else tcp_frame(packet)

    def send(self, code: int, payload: bytes = b"", reply_id: int | None = None) -> None:
        """Send one request."""
        data = self.packet(code, payload, reply_id)
        if self.udp:
            self.sock.sendto(data, self.address)
        else:
            self.sock.sendall(data)

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are."""
        if self.udp:
            self.sock.sendto(data, self.address)
        else:
            self.sock.sendall(data)

    def receive(self) -> tuple[Header, bytes]:
        """Read exactly one packet (TCP: by its length; UDP: one datagram)."""
        if self.udp:
            data = self.sock.recv(65536)
            return parse_packet(data)
        top = self._read_exactly(TCP_TOP.size)
        _magic1, _magic2, length = TCP_TOP.unpack(top)
        return parse_packet(self._read_exactly(length))

    def request(self, code: int, payload: bytes = b"") -> tuple[Header, bytes]:
        """Send a request and read its reply."""
        self.send(code, payload)
        header, data = self.receive()
        self.reply_id = (self.reply_id + 1) & 0xFFFF
        return header, data

    def connect(self) -> Header:
        """CMD_CONNECT; adopts the session id the device gives."""
        header, _ = self.request(Command.CONNECT)
        self.session_id = header.session_id
        return header

    def nothing_arrives(self, within: float) -> bool:
        """True if no byte arrives within the given seconds."""
        previous = self.sock.gettimeout()
        self.sock.settimeout(within)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return True
        finally:
            self.sock.settimeout(previous)
        self._pending += b"" if self.udp else data
        return False

    def _read_exactly(self, size: int) -> bytes:
        data = self._pending
        while len(data) < size:
            more = self.sock.recv(65536)
            if not more:
                raise ConnectionError("connection closed")
            data += more
        self._pending = data[size:]
        return data[:size]


def u32(value: int) -> bytes:
    """A little-endian u32 payload."""
    return struct.pack("<I", value)


__all__ = ["HEADER_SIZE", "RawClient", "u32"]
