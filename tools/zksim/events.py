"""Realtime event pacing for one session: registration mask, queue, one in flight, hold-off."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
import threading
import time

from .access_events import AccessEventPacket
from .protocol import EventFlag
from .records import AttendanceRecord

type QueuedEvent = AttendanceRecord | AccessEventPacket


class EventChannel:
    """Queues events for one session and decides when the next one may go out.

    Punches go out only to a session registered for EF_ATTLOG, access-control events only
    to one registered for their own class (the mask of its last CMD_REG_EVENT).

    pyzk 0.9 crashes when two events arrive in one recv and mistakes an event for the reply
    to its closing REG_EVENT(0), so: one event in flight until the client's CMD_ACK_OK, then
    a short hold-off before the next.
    """

    def __init__(self, holdoff: float, wake: Callable[[], None]) -> None:
        self._lock = threading.Lock()
        self._holdoff = holdoff
        self._wake = wake
        self._mask = 0
        self._queue: deque[QueuedEvent] = deque()
        self._in_flight = False
        self._not_before = 0.0

    @property
    def mask(self) -> int:
        """The event mask of the last CMD_REG_EVENT."""
        with self._lock:
            return self._mask

    def register(self, mask: int) -> None:
        """Apply CMD_REG_EVENT; a zero mask drops whatever is queued."""
        with self._lock:
            self._mask = mask
            if mask == 0:
                self._queue.clear()
                self._in_flight = False
            # Give the client time to read the REG_EVENT reply before the first event.
            self._not_before = time.monotonic() + self._holdoff

    def offer(self, record: AttendanceRecord) -> bool:
        """Queue a punch if this session asked for attendance events."""
        with self._lock:
            if not self._mask & EventFlag.ATTLOG:
                return False
            self._queue.append(record)
        self._wake()
        return True

    def offer_access(self, packet: AccessEventPacket) -> bool:
        """Queue an access-control event if this session registered for its class."""
        with self._lock:
            if not self._mask & packet.flag:
                return False
            self._queue.append(packet)
        self._wake()
        return True

    def acknowledge(self) -> None:
        """The client's CMD_ACK_OK: the event in flight is done."""
        with self._lock:
            if self._in_flight:
                self._in_flight = False
                self._not_before = time.monotonic() + self._holdoff
        self._wake()

    def take_due(self) -> QueuedEvent | None:
        """The next event to send now, marking it in flight; None if nothing may go yet."""
        with self._lock:
            if self._in_flight or not self._queue or time.monotonic() < self._not_before:
                return None
            self._in_flight = True
            return self._queue.popleft()

    def take_queued(self, limit: int) -> list[AttendanceRecord]:
        """Up to ``limit`` more queued punches to go in the packet of the one in flight
        (an access-control event goes in a packet of its own, so it ends the batch)."""
        with self._lock:
            taken: list[AttendanceRecord] = []
            while self._queue and len(taken) < limit:
                head = self._queue[0]
                if not isinstance(head, AttendanceRecord):
                    break
                taken.append(head)
                self._queue.popleft()
            return taken

    def seconds_until_due(self) -> float | None:
        """How long until take_due could return a punch; None while nothing can be sent."""
        with self._lock:
            if self._in_flight or not self._queue:
                return None
            return max(0.0, self._not_before - time.monotonic())

    def close(self) -> None:
        """Forget registration and queue (session gone or device rebooted)."""
        with self._lock:
            self._mask = 0
            self._queue.clear()
            self._in_flight = False
