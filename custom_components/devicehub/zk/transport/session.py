"""One connected pyzk ``ZK`` object, plus the parts of its state our own packet code needs.

pyzk handles connect/auth and the simple one-reply commands. Bulk reads and realtime events
are done by this package on the same socket, so it needs pyzk's socket, session id and reply
counter; they are name-mangled private attributes in pyzk 0.9 and are touched only here.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
import logging
import socket
import struct
import threading
from typing import Any

from zk import ZK
from zk.exception import ZKErrorResponse

from ..errors import (
    LEAKED_EXCEPTIONS,
    TerminalAuthFailed,
    TerminalBusy,
    TerminalCannotConnect,
    TerminalError,
    TerminalProtocolError,
    TerminalTimeout,
)
from .channel import PacketChannel, Transport
from .packets import Command, build_packet, next_reply_id

_LOGGER = logging.getLogger(__name__)

# Well-formed replies with which a terminal turns a session down (as opposed to garbage).
REFUSAL_CODES = frozenset({2001, 2003, 2004, 0xFFFB, 0xFFFC, 0xFFFD, 0xFFFF})
# How long a polite goodbye (CMD_EXIT) may wait for its answer.
_EXIT_WAIT_SECONDS = 0.3


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """What opening a session needs; ``password`` is kept out of reprs."""

    host: str
    port: int
    timeout: float
    encoding: str
    password: int = field(default=0, repr=False)


class _NoProbes:
    """Stands in for pyzk's ZK_helper.

    pyzk's connect() first opens a throw-away TCP connection with a hard 10 s timeout (its
    ping probe is already off: ``ommit_ping=True``). The real connect right after it is
    bounded by our timeout and tells us everything the probe would.
    """

    def test_tcp(self) -> int:
        """Report TCP as reachable (0 = connect_ex success); the real connect decides."""
        return 0


class PyzkSession:
    """A pyzk connection over one transport. Not thread-safe except ``abort``."""

    def __init__(self, settings: SessionSettings, transport: Transport) -> None:
        self.transport: Transport = transport
        self._address = (settings.host, settings.port)
        self._password = settings.password
        self._aborted = threading.Event()
        self.zk: Any = ZK(
            settings.host,
            port=settings.port,
            timeout=settings.timeout,
            password=settings.password,
            force_udp=transport == "udp",
            ommit_ping=True,
            encoding=settings.encoding,
        )
        self.zk.helper = _NoProbes()
        # pyzk's constructor opens a UDP socket that connect() replaces without closing.
        self._pyzk_socket().close()
        self._channel: PacketChannel | None = None

    def _pyzk_socket(self) -> socket.socket:
        sock: socket.socket = self.zk._ZK__sock
        return sock

    @property
    def session_id(self) -> int:
        """The session id the terminal assigned at connect."""
        session_id: int = self.zk._ZK__session_id
        return session_id

    def take_reply_id(self) -> int:
        """The reply id for our next request, advancing pyzk's counter so both agree."""
        reply_id = next_reply_id(self.zk._ZK__reply_id)
        self.zk._ZK__reply_id = reply_id
        return reply_id

    @property
    def channel(self) -> PacketChannel:
        """Packet I/O on this session's socket (after connect)."""
        if self._channel is None:
            self._channel = PacketChannel(self._pyzk_socket(), self.transport, self._address)
        return self._channel

    def request(self, command: int, payload: bytes = b"", reply_size: int = 1024) -> bytes | None:
        """One request, one reply, through pyzk's own command call (it keeps the counters).

        Returns the reply's payload when the terminal accepts (ACK/DATA), None when it
        answers with a refusal code. ``reply_size`` bounds the payload, as pyzk reads the
        reply with a single receive.
        """
        reply: dict[str, Any] = self.zk._ZK__send_command(command, payload, reply_size)
        if not reply.get("status"):
            return None
        data: bytes = self.zk._ZK__data
        return data

    def send_command(self, command: int, payload: bytes = b"") -> int:
        """Send a request on our own; returns its reply id."""
        reply_id = self.take_reply_id()
        self.channel.send(build_packet(command, self.session_id, reply_id, payload))
        return reply_id

    def connect(self) -> None:
        """Connect and authenticate; raises a typed error."""
        where = f"{self._address[0]}:{self._address[1]} over {self.transport.upper()}"
        try:
            try:
                self.zk.connect()
            except struct.error:
                # pyzk 0.9 does not wrap the comm key sum to 32 bits and fails to pack it for
                # some keys and session ids; authenticate with the correct key ourselves.
                if not self.session_id or self.zk.is_connect:
                    raise
                self._authenticate()
        except ZKErrorResponse as exc:
            if "Unauthenticated" in str(exc):
                raise TerminalAuthFailed(f"{where}: the terminal rejected the comm key") from exc
            code = self.zk._ZK__response
            if code in REFUSAL_CODES:
                raise TerminalBusy(f"{where}: the terminal refused the session ({code})") from exc
            raise TerminalProtocolError(f"{where}: reply code {code} to CONNECT") from exc
        except LEAKED_EXCEPTIONS as exc:
            if self.transport == "tcp" and _peer_hung_up(self._pyzk_socket()):
                # Accepted, then closed without answering CONNECT: how a terminal that
                # serves one client at a time turns a second one away.
                raise TerminalBusy(f"{where}: the terminal closed the session at once") from exc
            if _caused_by(exc, TimeoutError):
                raise TerminalTimeout(f"{where}: no answer in time") from exc
            if _caused_by(exc, OSError):
                raise TerminalCannotConnect(f"{where}: {type(exc).__name__}: {exc}") from exc
            raise TerminalProtocolError(f"{where}: unreadable reply to CONNECT ({exc})") from exc
        if self._aborted.is_set():
            self.close(polite=False)
            raise TerminalCannotConnect(f"{where}: connection aborted")

    def _authenticate(self) -> None:
        self.send_command(Command.CMD_AUTH, comm_key(self._password, self.session_id))
        header = self.channel.read_header()
        self.channel.read_payload(header)
        if header.command != Command.ACK_OK:
            raise ZKErrorResponse("Unauthenticated")
        self.zk.is_connect = True

    @property
    def aborted(self) -> bool:
        """Whether abort() was called."""
        return self._aborted.is_set()

    def abort(self) -> None:
        """Unblock any thread waiting on this session's socket (callable from any thread)."""
        self._aborted.set()
        sock = self._pyzk_socket()
        # On an unconnected UDP socket this raises ENOTCONN yet still wakes readers.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def close(self, *, polite: bool = True) -> None:
        """Say goodbye if asked (best effort, briefly) and close the socket. Never raises."""
        sock = self._pyzk_socket()
        if polite and self.zk.is_connect and not self._aborted.is_set():
            try:
                sock.settimeout(_EXIT_WAIT_SECONDS)
                self.send_command(Command.CMD_EXIT)
                header = self.channel.read_header()
                self.channel.read_payload(header)
            except (TerminalError, OSError) as exc:
                _LOGGER.debug("goodbye to %s failed: %s", self._address[0], exc)
        self.zk.is_connect = False
        sock.close()


def comm_key(password: int, session_id: int, ticks: int = 50) -> bytes:
    """The CMD_AUTH payload: the comm key scrambled with the session id (ZK's MakeKey)."""
    reversed_key = int(f"{password & 0xFFFFFFFF:032b}"[::-1], 2)
    mixed = bytearray(struct.pack("<I", (reversed_key + session_id) & 0xFFFFFFFF))
    for index, salt in enumerate(b"ZKSO"):
        mixed[index] ^= salt
    swapped = mixed[2:4] + mixed[0:2]
    tick = ticks & 0xFF
    return bytes([swapped[0] ^ tick, swapped[1] ^ tick, tick, swapped[3] ^ tick])


def _caused_by(exc: BaseException, kind: type[OSError]) -> bool:
    """Whether a socket error of this kind is behind ``exc``.

    pyzk re-raises socket errors as ZKNetworkError(str(error)) inside its except clause, so
    the original is the context of what it raises. TimeoutError is an OSError.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _peer_hung_up(sock: socket.socket) -> bool:
    """Whether a connected TCP socket has seen the peer's orderly close (EOF)."""
    try:
        sock.getpeername()  # a refused connect leaves the socket unconnected: ENOTCONN
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except OSError:  # never connected, reset, or simply nothing to read
        return False


def open_session(
    settings: SessionSettings,
    preferred: Transport | None,
    on_created: Callable[[PyzkSession], None] | None = None,
) -> PyzkSession:
    """Connect over the preferred transport, falling back to the other one.

    Only "cannot connect" failures fall back; a wrong comm key or a busy terminal would fail
    the same way on the other transport. When every transport timed out the error is a
    TerminalTimeout; when one was refused or unreachable, a TerminalCannotConnect.
    ``on_created`` sees each session before it connects (so another thread can abort it).
    """
    order: tuple[Transport, Transport] = ("udp", "tcp") if preferred == "udp" else ("tcp", "udp")
    failures: list[TerminalCannotConnect] = []
    for transport in order:
        try:
            session = PyzkSession(settings, transport)
        except OSError as exc:  # no socket to be had (descriptor limit...)
            raise TerminalCannotConnect(f"cannot open a socket: {exc}") from exc
        if on_created is not None:
            on_created(session)
        try:
            session.connect()
        except TerminalCannotConnect as exc:
            session.close(polite=False)
            failures.append(exc)
            if session.aborted:
                break
            continue
        except TerminalError:
            session.close(polite=False)
            raise
        return session
    message = "; ".join(str(failure) for failure in failures)
    if len(failures) == len(order) and all(isinstance(f, TerminalTimeout) for f in failures):
        raise TerminalTimeout(message)
    raise TerminalCannotConnect(message)
