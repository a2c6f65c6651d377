"""Client sessions and the registry that numbers them and fans punches out to them."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
import random
import threading

from .access_events import AccessEventPacket
from .events import EventChannel
from .records import AttendanceRecord


class Transport(StrEnum):
    """How a session reaches the terminal."""

    TCP = "tcp"
    UDP = "udp"


class Session:
    """One client conversation, from CMD_CONNECT to CMD_EXIT (or a dropped link)."""

    def __init__(
        self,
        transport: Transport,
        peer: tuple[str, int],
        boot_id: int,
        holdoff: float,
        wake: Callable[[], None],
    ) -> None:
        self.transport = transport
        self.peer = peer
        self.boot_id = boot_id
        self.session_id = 0
        self.connected = False
        self.authenticated = False
        self.events = EventChannel(holdoff, wake)
        # The dataset a 1503 prepared, read in chunks by 1504 until 1502.
        self.bulk: memoryview | None = None
        # A client's buffered upload (1500/1501) awaiting CMD 110.
        self.upload: bytearray | None = None


class SessionRegistry:
    """Live sessions by id; thread-safe."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._lock = threading.Condition()
        self._sessions: dict[int, Session] = {}

    def allocate(self, session: Session, max_id: int) -> int:
        """Give session a random unused id in 1..max_id and register it."""
        with self._lock:
            while True:
                candidate = self._rng.randint(1, max(1, max_id))
                if candidate not in self._sessions:
                    break
            session.session_id = candidate
            self._sessions[candidate] = session
            return candidate

    def get(self, session_id: int) -> Session | None:
        """The session with this id, if live."""
        with self._lock:
            return self._sessions.get(session_id)

    def remove(self, session: Session) -> None:
        """Forget a session (its link closed or it said CMD_EXIT)."""
        with self._lock:
            if self._sessions.get(session.session_id) is session:
                del self._sessions[session.session_id]
                self._lock.notify_all()
        session.events.close()

    def others_connected(self, session: Session) -> bool:
        """Whether any other session has completed CMD_CONNECT."""
        with self._lock:
            return any(s is not session and s.connected for s in self._sessions.values())

    def sessions(self) -> list[Session]:
        """A snapshot of the live sessions."""
        with self._lock:
            return list(self._sessions.values())

    def drop_all(self) -> list[Session]:
        """Forget every session (device reboot); returns those dropped."""
        with self._lock:
            dropped = list(self._sessions.values())
            self._sessions.clear()
            self._lock.notify_all()
        for session in dropped:
            session.events.close()
        return dropped

    def broadcast(self, record: AttendanceRecord) -> int:
        """Queue a punch to every session registered for attendance events."""
        return sum(1 for session in self.sessions() if session.events.offer(record))

    def broadcast_access(self, packet: AccessEventPacket) -> int:
        """Queue an access-control event to every session registered for its class."""
        return sum(1 for session in self.sessions() if session.events.offer_access(packet))

    def registration_changed(self) -> None:
        """Wake waiters after a CMD_REG_EVENT."""
        with self._lock:
            self._lock.notify_all()

    def wait_for_listeners(self, count: int, timeout: float) -> bool:
        """Block until at least count sessions have a non-zero event mask."""

        def enough() -> bool:
            return sum(1 for s in self._sessions.values() if s.events.mask) >= count

        with self._lock:
            return self._lock.wait_for(enough, timeout)
