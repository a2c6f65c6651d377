"""Realtime punches from a terminal, on a thread of their own, with a watchdog.

The capture keeps its own connection (separate from the one used for calls), registers for
attendance events, ACKs each event packet, and sends a cheap heartbeat request now and then.
A terminal that reboots often just goes silent, so a heartbeat left unanswered for the
configured timeout, or ``watchdog_seconds`` without an event or heartbeat reply, rebuilds
the connection, with backoff.

A terminal that refuses a second session makes the capture report
``on_connection_change(False)`` with ``busy`` set to True before the callback runs; the
capture keeps retrying (with backoff) and reports True once it gets a session. The Home
Assistant side can poll the attendance log meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
import select
import threading
import time

from zk.exception import ZKErrorResponse

from .access_events import (
    ACCESS_EVENT_FLAGS,
    TerminalAccessEvent,
    UnknownAccessLayoutError,
    decode_access_event,
)
from .client import TerminalConfig
from .errors import (
    TerminalBusy,
    TerminalConnectionLost,
    TerminalError,
    TerminalProtocolError,
    as_protocol_error,
)
from .events import parse_event_payload
from .models import LiveEvent
from .transport.channel import Transport
from .transport.packets import EF_ATTLOG, Command, Header, build_packet
from .transport.session import PyzkSession, open_session

_LOGGER = logging.getLogger(__name__)

# The read loop wakes at least this often to check for stop, heartbeat and watchdog.
_POLL_SECONDS = 0.2
# How long stop() lets the thread finish on its own (polite goodbye) before forcing it.
_GRACEFUL_STOP_SECONDS = 0.6
_FORCED_STOP_SECONDS = 5.0


class LiveCapture:
    """Delivers a terminal's realtime punches into an asyncio loop.

    ``on_event``, ``on_connection_change`` and ``on_invalid_event`` (with how many events of
    a payload could not be decoded) are called in the loop's thread (via
    ``call_soon_threadsafe``). ``on_connection_change(True)`` when capturing starts,
    ``(False)`` when a connection attempt fails or capture is lost (only on changes, the
    first failed attempt included); it is not called on ``stop()``. ``busy``,
    ``last_error``, ``reconnects``, ``heartbeats`` and ``invalid_events`` tell more.

    ``stop()`` joins the thread: usually well under 0.3 s, at most about 1 s when it has to
    break a blocked connect. From a running event loop, prefer calling it in an executor.
    """

    def __init__(  # noqa: PLR0917 (public API signature)
        self,
        config: TerminalConfig,
        loop: asyncio.AbstractEventLoop,
        on_event: Callable[[LiveEvent], None],
        on_connection_change: Callable[[bool], None],
        watchdog_seconds: float = 60.0,
        heartbeat_seconds: float = 15.0,
        retry_backoff: tuple[float, float] = (1.0, 60.0),
        on_invalid_event: Callable[[int], None] | None = None,
        on_access_event: Callable[[TerminalAccessEvent], None] | None = None,
    ) -> None:
        if not 0 < heartbeat_seconds < watchdog_seconds:
            raise ValueError("heartbeat_seconds must be positive and below watchdog_seconds")
        self.config = config
        self._loop = loop
        self._on_event = on_event
        self._on_connection_change = on_connection_change
        self._on_invalid_event = on_invalid_event
        self._on_access_event = on_access_event
        self._watchdog_seconds = watchdog_seconds
        self._heartbeat_seconds = heartbeat_seconds
        self._backoff_initial, self._backoff_max = retry_backoff
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._session_lock = threading.Lock()
        self._session: PyzkSession | None = None
        self._connected: bool | None = None
        self._busy = False
        self._transport: Transport | None = None
        self.last_error: TerminalError | None = None
        self.invalid_events = 0
        # Access-control events whose bytes fit no layout of the manual: counted, refused.
        self.unknown_access_events = 0
        # Set when the terminal refused the access-control classes (attendance only then).
        self.access_events_refused = False
        self.reconnects = 0
        self.heartbeats = 0

    @property
    def connected(self) -> bool:
        """True while events are being captured."""
        return bool(self._connected)

    @property
    def busy(self) -> bool:
        """True when the last connection attempt was refused because the terminal is busy."""
        return self._busy

    @property
    def transport(self) -> Transport | None:
        """The transport of the last session ("tcp" or "udp")."""
        return self._transport

    def start(self) -> None:
        """Start capturing in a background thread."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run,
            name=f"devicehub-live-{self.config.host}:{self.config.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop capturing, close the connection and join the thread. Safe to call twice."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.join(_GRACEFUL_STOP_SECONDS)
        deadline = time.monotonic() + _FORCED_STOP_SECONDS
        while thread.is_alive() and time.monotonic() < deadline:
            with self._session_lock:
                if self._session is not None:
                    self._session.abort()  # wakes a connect or read blocked on the socket
            thread.join(0.1)
        if thread.is_alive():
            _LOGGER.warning("live capture of %s did not stop in time", self.config.host)
        self._connected = None  # a later start() reports its first state afresh

    def _run(self) -> None:
        delay = self._backoff_initial
        while not self._stopping.is_set():
            if self._capture_once():
                delay = self._backoff_initial
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, self._backoff_max)
            self.reconnects += 1

    def _track(self, session: PyzkSession | None) -> None:
        with self._session_lock:
            self._session = session
        if session is not None and self._stopping.is_set():
            session.abort()

    def _capture_once(self) -> bool:
        """Connect, subscribe and pump events until lost or stopped; True if it subscribed."""
        try:
            session = open_session(self.config.session_settings, self._transport, self._track)
        except Exception as exc:  # the thread must outlive any failure; the loop retries
            error = as_protocol_error(exc, "connecting for live events")
            self._busy = isinstance(error, TerminalBusy)
            self._lost(error)
            return False
        self._transport = session.transport
        subscribed = stopped_cleanly = False
        try:
            self._subscribe(session)
            subscribed = True
            self._busy = False
            self._set_connected(True)
            self._pump(session)
            stopped_cleanly = True
        except Exception as exc:  # any failure ends this session; the loop retries
            if not self._stopping.is_set():
                self._lost(as_protocol_error(exc, "capturing live events"))
        finally:
            self._track(None)
            # A goodbye to a terminal that just failed would only wait for its timeout.
            session.close(polite=stopped_cleanly)
        return subscribed

    def _lost(self, error: TerminalError) -> None:
        self.last_error = error
        _LOGGER.debug("live capture of %s: %s", self.config.host, error)
        self._set_connected(False)

    def _set_connected(self, connected: bool) -> None:
        if self._connected == connected or self._stopping.is_set():
            return
        self._connected = connected
        self._deliver(self._on_connection_change, connected)

    def _deliver[T](self, callback: Callable[[T], None], value: T) -> None:
        try:
            self._loop.call_soon_threadsafe(callback, value)
        except RuntimeError:  # the loop is closed: nobody to deliver to any more
            self._stopping.set()

    def _pump(self, session: PyzkSession) -> None:
        """Read packets until stopped; raise when the link fails or the watchdog fires."""
        channel = session.channel
        poller = select.poll()
        poller.register(channel.sock, select.POLLIN)
        last_alive = time.monotonic()
        next_heartbeat = last_alive + self._heartbeat_seconds
        heartbeat_id: int | None = None
        # A rebooted terminal swallows the old session's packets: an unanswered heartbeat
        # is the first sign, well before the watchdog would notice the silence.
        heartbeat_due = float("inf")
        while not self._stopping.is_set():
            now = time.monotonic()
            if now - last_alive >= self._watchdog_seconds:
                raise TerminalProtocolError(
                    f"no event or heartbeat reply for {self._watchdog_seconds:g} s"
                )
            if now >= heartbeat_due:
                raise TerminalConnectionLost(
                    f"heartbeat not answered within {self.config.timeout:g} s"
                )
            if now >= next_heartbeat:
                heartbeat_id = session.send_command(Command.CMD_GET_TIME)
                next_heartbeat = now + self._heartbeat_seconds
                # Counted from the oldest unanswered heartbeat, not pushed on by later ones.
                heartbeat_due = min(heartbeat_due, now + self.config.timeout)
            watchdog_due = last_alive + self._watchdog_seconds
            wait = min(_POLL_SECONDS, next_heartbeat - now, watchdog_due - now, heartbeat_due - now)
            if not poller.poll(max(wait, 0.0) * 1000):
                continue
            header = channel.read_header()
            payload = channel.read_payload(header)
            if header.command == Command.CMD_REG_EVENT:
                channel.send(build_packet(Command.ACK_OK, session.session_id, header.reply_id))
                last_alive = time.monotonic()
                self._handle_event(header, payload)
            elif header.reply_id == heartbeat_id:
                if header.command != Command.ACK_OK:
                    # A rebooted terminal answers a forgotten UDP session with ACK_UNAUTH:
                    # it is alive, but this session will never carry an event again.
                    raise TerminalProtocolError(f"heartbeat answered with code {header.command}")
                last_alive = time.monotonic()
                heartbeat_id = None
                heartbeat_due = float("inf")
                self.heartbeats += 1
            else:
                _LOGGER.debug("ignoring packet %d during live capture", header.command)

    def _subscribe(self, session: PyzkSession) -> None:
        """Put the terminal in verify mode and register for its events.

        Attendance always; the access-control classes too when asked for. A terminal that
        refuses the wider registration is registered for attendance alone.
        """
        zk = session.zk
        for optional_step in (zk.cancel_capture, zk.verify_user):
            try:
                optional_step()
            except ZKErrorResponse as exc:  # not every firmware knows these; events still flow
                _LOGGER.debug("live capture setup step refused: %s", exc)
        if self._on_access_event is not None and not self.access_events_refused:
            try:
                zk.reg_event(EF_ATTLOG | ACCESS_EVENT_FLAGS)
            except ZKErrorResponse as exc:
                _LOGGER.info(
                    "%s refused access-control events (%s): attendance only",
                    self.config.host,
                    exc,
                )
                self.access_events_refused = True
            else:
                return
        zk.reg_event(EF_ATTLOG)

    def _handle_access_event(self, flag: int, payload: bytes) -> None:
        if self._on_access_event is None:
            return
        try:
            event = decode_access_event(flag, payload)
        except UnknownAccessLayoutError as err:
            self.unknown_access_events += 1
            if self.unknown_access_events == 1:  # once: a terminal may repeat it all day
                _LOGGER.warning(
                    "%s sent an access-control event that fits no layout of the protocol "
                    "manual, refused (further ones are counted only): %s",
                    self.config.host,
                    err,
                )
            # The bytes are evidence for a new layout, but might hold a card number: only
            # in the debug log, which a user turns on to report them.
            _LOGGER.debug("refused access-control event %d: %s", flag, payload[:64].hex())
            return
        self._deliver(self._on_access_event, event)

    def _handle_event(self, header: Header, payload: bytes) -> None:
        if header.session_id != EF_ATTLOG:  # the event kind travels in the session field
            self._handle_access_event(header.session_id, payload)
            return
        events, invalid = parse_event_payload(payload)
        self.invalid_events += invalid
        for event in events:
            self._deliver(self._on_event, event)
        if invalid and self._on_invalid_event is not None:
            # A punch happened that could not be read here: the log still has it.
            self._deliver(self._on_invalid_event, invalid)
