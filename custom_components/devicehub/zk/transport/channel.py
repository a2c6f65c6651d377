"""Whole-packet I/O on a session's socket, by TCP length framing or by UDP datagram.

Reads on TCP take exactly the bytes of one packet (header first, then the announced
payload), so any split or coalescing of segments is handled and nothing past the packet is
consumed: pyzk can keep using the same stream afterwards.
"""

from __future__ import annotations

import socket
from typing import Literal

from ..errors import TerminalConnectionLost, TerminalProtocolError
from .packets import HEADER, TCP_PREFIX, Header, frame_tcp, parse_header, parse_tcp_prefix

type Transport = Literal["tcp", "udp"]

_MAX_DATAGRAM = 65_536


class PacketChannel:
    """Sends packets and reads them back one at a time."""

    def __init__(self, sock: socket.socket, transport: Transport, address: tuple[str, int]) -> None:
        self._sock = sock
        self._transport = transport
        self._address = address
        self._datagram = bytearray(_MAX_DATAGRAM)
        self._datagram_payload = memoryview(self._datagram)[0:0]
        self._prefix = bytearray(TCP_PREFIX.size + HEADER.size)

    @property
    def sock(self) -> socket.socket:
        """The underlying socket."""
        return self._sock

    def send(self, packet: bytes) -> None:
        """Send one packet (header + payload)."""
        if self._transport == "tcp":
            self._sock.sendall(frame_tcp(packet))
        else:
            self._sock.sendto(packet, self._address)

    def read_header(self) -> Header:
        """Block until the next packet's header is in; its payload must be read next."""
        if self._transport == "tcp":
            self._read_exactly(memoryview(self._prefix))
            packet_length = parse_tcp_prefix(self._prefix)
            return parse_header(memoryview(self._prefix)[TCP_PREFIX.size :], packet_length)
        received = self._sock.recv_into(self._datagram)
        if received < HEADER.size:
            raise TerminalProtocolError(f"runt datagram of {received} bytes")
        self._datagram_payload = memoryview(self._datagram)[HEADER.size : received]
        return parse_header(self._datagram, received)

    def read_payload(self, header: Header) -> bytes:
        """The payload of the packet whose header was just read."""
        buffer = bytearray(header.length)
        self.read_payload_into(header, memoryview(buffer))
        return bytes(buffer)

    def read_payload_into(self, header: Header, target: memoryview) -> None:
        """Copy the payload of the packet just read into ``target`` (sized to it)."""
        if len(target) != header.length:
            raise TerminalProtocolError("payload size mismatch")
        if self._transport == "tcp":
            self._read_exactly(target)
        else:
            target[:] = self._datagram_payload

    def _read_exactly(self, target: memoryview) -> None:
        filled = 0
        while filled < len(target):
            received = self._sock.recv_into(target[filled:])
            if received == 0:
                raise TerminalConnectionLost("terminal closed the connection")
            filled += received
