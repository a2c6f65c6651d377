"""A loopback TCP peer that answers requests from a script.

For protocol edge cases the simulator has no switch for (odd reply codes, short or
overflowing chunks, out-of-step reply ids, high session ids). Replies are built with the
simulator's own packet code, independent of the client's.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import select
import socket
import struct
import threading

from tools.zksim.protocol import TcpFrameReader, build_packet, parse_packet, tcp_frame

ACK_OK = 2000
type Answer = Callable[[int, int, bytes], list[bytes] | None]


def reply(code: int, reply_id: int, payload: bytes = b"", session_id: int = 7) -> bytes:
    """One framed reply packet."""
    return tcp_frame(build_packet(code, session_id, reply_id, payload))


def free_sizes(users: int, records: int) -> bytes:
    """A 92-byte CMD_GET_FREE_SIZES payload."""
    fields = [0] * 23
    fields[4], fields[8] = users, records
    return struct.pack("<23i", *fields)


class ScriptedTerminal:
    """Serves one client at a time; ``answer(command, reply_id, payload)`` gives the writes."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.commands: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="scripted-terminal")
        self._thread.start()

    def close(self) -> None:
        """Stop serving and join the thread."""
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            if not select.select([self._listener], [], [], 0.05)[0]:
                continue
            connection, _ = self._listener.accept()
            with connection, contextlib.suppress(OSError):  # a client resetting the link
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._converse(connection)

    def _converse(self, connection: socket.socket) -> None:
        reader = TcpFrameReader()
        while not self._stop.is_set():
            if not select.select([connection], [], [], 0.05)[0]:
                continue
            data = connection.recv(65536)
            if not data:
                return
            for packet in reader.feed(data):
                header, payload = parse_packet(packet)
                self.commands.append(header.code)
                writes = self._answer(header.code, header.reply_id, payload)
                if writes is None:
                    return
                for write in writes:
                    connection.sendall(write)
