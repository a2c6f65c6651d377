"""Sockets and threads: a TCP listener, one thread per TCP client, one UDP thread."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import errno
import logging
import random
import select
import socket
import struct
import threading

from .access_events import AccessEventPacket
from .config import SimulatorConfig
from .device import Device
from .faults import Faults
from .handler import After, ChunkTransfer, CommandHandler, Packet
from .protocol import Command, FramingError, Reply, TcpFrameReader, parse_packet
from .records import encode_event, encode_event_batch
from .session import Session, SessionRegistry, Transport
from .transport import Link, LinkAborted, Responder, TcpLink, UdpLink, Waker

_LOGGER = logging.getLogger(__name__)

RECV_SIZE = 65536
BIND_ATTEMPTS = 50
JOIN_TIMEOUT = 10.0


def _reset_close(sock: socket.socket) -> None:
    # Close with RST: the client sees its connection refused/reset, not an orderly end.
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class SimulatorServer:
    """Serves one simulated terminal on host:port over TCP and/or UDP."""

    def __init__(
        self,
        config: SimulatorConfig,
        device: Device,
        faults: Faults,
        registry: SessionRegistry,
        rng: random.Random,
    ) -> None:
        self._config = config
        self._device = device
        self._faults = faults
        self._registry = registry
        self._handler = CommandHandler(device, registry, faults)
        self._stop = threading.Event()
        self._responder = Responder(faults, self._stop, rng)
        self._lock = threading.Lock()
        self._tcp: socket.socket | None = None
        self._udp: socket.socket | None = None
        self._stop_waker: Waker | None = None
        self._udp_waker: Waker | None = None
        self._threads: list[threading.Thread] = []
        self._connections: dict[threading.Thread, socket.socket] = {}
        self.event_size = config.event_size
        self.event_batch = config.event_batch
        self.port = 0

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> int:
        """Bind, start serving, and return the port."""
        self._bind()
        self._stop_waker = Waker()
        self._udp_waker = Waker()
        if self._tcp is not None:
            self._spawn(self._accept_loop, f"zksim-tcp-{self.port}")
        if self._udp is not None:
            self._spawn(self._udp_loop, f"zksim-udp-{self.port}")
        return self.port

    def stop(self) -> None:
        """Stop every thread, close every socket; safe to call twice."""
        self._stop.set()
        if self._stop_waker is not None:
            self._stop_waker.wake()
        for thread in self._threads:
            thread.join(JOIN_TIMEOUT)
        with self._lock:
            connections = dict(self._connections)
        for sock in connections.values():
            # Unblocks a thread stuck in sendall to a client that stopped reading.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in connections:
            thread.join(JOIN_TIMEOUT)
        stuck = [t.name for t in [*self._threads, *connections] if t.is_alive()]
        for endpoint in (self._tcp, self._udp):
            if endpoint is not None:
                endpoint.close()
        for waker in (self._stop_waker, self._udp_waker):
            if waker is not None:
                waker.close()
        self._tcp = self._udp = None
        self._stop_waker = self._udp_waker = None
        self._threads.clear()
        if stuck:
            raise RuntimeError(f"simulator threads did not stop: {stuck}")

    def reboot(self, down_for: float) -> None:
        """Drop every session silently; refuse new ones for down_for seconds."""
        self._device.reboot(down_for)
        self._registry.drop_all()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _bind(self) -> None:
        cfg = self._config
        attempts = BIND_ATTEMPTS if cfg.port == 0 else 1
        for _ in range(attempts):
            tcp = udp = None
            try:
                port = cfg.port
                if cfg.tcp:
                    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    tcp.bind((cfg.host, port))
                    port = tcp.getsockname()[1]
                if cfg.udp:
                    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    udp.bind((cfg.host, port))
                    port = udp.getsockname()[1]
            except OSError as err:
                for sock in (tcp, udp):
                    if sock is not None:
                        sock.close()
                # A free TCP port may be taken for UDP: try another pair.
                if err.errno == errno.EADDRINUSE and cfg.port == 0:
                    continue
                raise
            if tcp is not None:
                tcp.listen(16)
                tcp.setblocking(False)
            self._tcp, self._udp, self.port = tcp, udp, port
            return
        raise OSError(errno.EADDRINUSE, "no port free for both TCP and UDP")

    # --- TCP -----------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._tcp is not None
        assert self._stop_waker is not None
        listener, stop_waker = self._tcp, self._stop_waker
        while not self._stop.is_set():
            select.select([listener.fileno(), stop_waker.fileno()], [], [])
            if self._stop.is_set():
                return
            try:
                conn, peer = listener.accept()
            except OSError:
                continue
            if self._device.seconds_down() > 0:
                _reset_close(conn)  # rebooting: the port answers with a reset
                continue
            conn.setblocking(True)
            # Each event and reply leaves in its own segment, without Nagle delays.
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(
                target=self._serve_connection,
                args=(conn, peer),
                name=f"zksim-tcp-{self.port}-{peer[1]}",
                daemon=True,
            )
            with self._lock:
                for finished in [t for t in self._connections if not t.is_alive()]:
                    del self._connections[finished]
                self._connections[thread] = conn
            thread.start()

    def _serve_connection(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        waker = Waker()
        session = Session(
            Transport.TCP, peer, self._device.boot_id, self._config.event_holdoff, waker.wake
        )
        try:
            self._connection_loop(session, TcpLink(sock), waker)
        except LinkAborted:
            _LOGGER.debug("link to %s aborted by a fault", peer)
        except (OSError, FramingError) as err:
            _LOGGER.debug("link to %s ended: %s", peer, err)
        finally:
            self._registry.remove(session)
            waker.close()
            sock.close()

    def _connection_loop(self, session: Session, link: TcpLink, waker: Waker) -> None:
        assert self._stop_waker is not None
        sock, stop_waker = link.sock, self._stop_waker
        reader = TcpFrameReader()
        while not self._stop.is_set():
            # After a reboot the old connection is a black hole: it hears and says nothing.
            alive = session.boot_id == self._device.boot_id
            wait = session.events.seconds_until_due() if alive else None
            watched = [sock.fileno(), waker.fileno(), stop_waker.fileno()]
            readable, _, _ = select.select(watched, [], [], wait)
            if self._stop.is_set():
                return
            if waker.fileno() in readable:
                waker.drain()
            if sock.fileno() in readable:
                data = sock.recv(RECV_SIZE)
                if not data:
                    return
                # Checked again: a reboot while this thread waited must silence it too.
                if session.boot_id != self._device.boot_id:
                    continue
                for packet in reader.feed(data):
                    if not self._serve_request(session, link, packet):
                        return
            if session.boot_id == self._device.boot_id:
                self._push_event(session, link)

    # --- UDP -----------------------------------------------------------------------------

    def _udp_loop(self) -> None:
        assert self._udp is not None
        assert self._udp_waker is not None
        assert self._stop_waker is not None
        udp, udp_waker, stop_waker = self._udp, self._udp_waker, self._stop_waker
        while not self._stop.is_set():
            sessions = self._udp_sessions()
            waits = [w for s in sessions if (w := s.events.seconds_until_due()) is not None]
            watched = [udp.fileno(), udp_waker.fileno(), stop_waker.fileno()]
            readable, _, _ = select.select(watched, [], [], min(waits, default=None))
            if self._stop.is_set():
                return
            if udp_waker.fileno() in readable:
                udp_waker.drain()
            if udp.fileno() in readable:
                try:
                    data, peer = udp.recvfrom(RECV_SIZE)
                except OSError:
                    continue
                self._serve_datagram(udp, data, peer)
            for session in self._udp_sessions():
                try:
                    self._push_event(session, UdpLink(udp, session.peer))
                except OSError as err:
                    _LOGGER.debug("event to %s failed: %s", session.peer, err)

    def _udp_sessions(self) -> list[Session]:
        return [s for s in self._registry.sessions() if s.transport is Transport.UDP]

    def _serve_datagram(self, udp: socket.socket, data: bytes, peer: tuple[str, int]) -> None:
        if self._device.seconds_down() > 0:
            return  # rebooting: nothing answers
        try:
            header, _ = parse_packet(data)
        except FramingError:
            return
        assert self._udp_waker is not None
        link = UdpLink(udp, peer)
        if header.code == Command.CONNECT:
            session = Session(
                Transport.UDP,
                peer,
                self._device.boot_id,
                self._config.event_holdoff,
                self._udp_waker.wake,
            )
        else:
            found = self._registry.get(header.session_id)
            if found is None or found.transport is not Transport.UDP:
                # A session this boot never issued (or forgot): refuse, unless it is an ACK.
                if header.code != Command.ACK_OK and not self._faults.mute:
                    unauth = Packet(Reply.ACK_UNAUTH)
                    self._responder.send_packet(link, header.session_id, header.reply_id, unauth)
                return
            session = found
            session.peer = peer
        try:
            keep = self._serve_request(session, link, data)
        except LinkAborted, OSError:
            keep = False
        if not keep:
            self._registry.remove(session)

    # --- shared --------------------------------------------------------------------------

    def _serve_request(self, session: Session, link: Link, packet: bytes) -> bool:
        """Answer one request; False when the session must end."""
        header, payload = parse_packet(packet)
        if self._faults.mute and header.code != Command.ACK_OK:
            return True
        outcome = self._handler.handle(session, header, payload)
        # State changes first, so whoever reads the reply already sees their effect.
        if outcome.after is After.REBOOT:
            self.reboot(self._config.restart_downtime)
        elif outcome.after is After.CLOSE:
            self._registry.remove(session)
        reply = outcome.reply
        if reply is not None:
            delay = self._faults.reply_delay
            if delay > 0:
                self._stop.wait(delay)
            if isinstance(reply, ChunkTransfer):
                self._responder.send_chunk(link, session.session_id, header.reply_id, reply.data)
            else:
                self._responder.send_packet(link, session.session_id, header.reply_id, reply)
        return outcome.after is After.STAY

    def _push_event(self, session: Session, link: Link) -> None:
        record = session.events.take_due()
        if record is None:
            return
        if isinstance(record, AccessEventPacket):
            self._responder.send_event(link, record.payload, record.flag)
            self._device.note_access_event_sent(session.session_id, record)
            return
        batch = [record, *session.events.take_queued(self.event_batch - 1)]
        if len(batch) > 1:
            payload = encode_event_batch(batch)
        else:
            payload = encode_event(record, self.event_size)
        self._responder.send_event(link, payload)
        for sent in batch:
            self._device.note_event_sent(session.session_id, sent)
