"""Blocking client for one ZKTeco terminal: pyzk underneath, typed values and errors on top."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
import logging

from .datasets import read_attendance, read_users
from .errors import (
    TerminalCommandRejected,
    TerminalError,
    TerminalInvalidArgument,
    TerminalProtocolError,
    TerminalUserNotFound,
    as_protocol_error,
)
from .identity import read_counts, read_family, read_info
from .models import AttendanceBatch, ClearResult, TerminalCounts, TerminalInfo, User
from .templates import Fingerprint, delete_template, read_templates, save_user_templates
from .timecodec import encode_time
from .transport.channel import Transport
from .transport.session import PyzkSession, SessionSettings, open_session
from .user_record import (
    PRIVILEGE_USER,
    check_set_user,
    copied_user,
    delete_user_record,
    set_user_record,
    with_enabled,
    write_user_record,
)

_LOGGER = logging.getLogger(__name__)

MAX_UNLOCK_SECONDS = 600
# Tries at enabling a terminal again after clear_attendance_if: on the call's connection,
# then on a new one (the call's may have died with whatever failed it).
_ENABLE_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class TerminalConfig:
    """How to reach a terminal. ``encoding`` decodes and encodes user names."""

    host: str
    port: int = 4370
    password: int = field(default=0, repr=False)
    timeout: float = 5.0
    encoding: str = "utf-8"

    def __post_init__(self) -> None:
        try:
            codecs.lookup(self.encoding)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {self.encoding!r}") from exc
        if not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} is out of range")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if not 0 <= self.password <= 0xFFFFFFFF:
            raise ValueError("comm key must be a non-negative 32-bit number")

    @property
    def session_settings(self) -> SessionSettings:
        """The subset a session needs."""
        return SessionSettings(
            host=self.host,
            port=self.port,
            timeout=self.timeout,
            encoding=self.encoding,
            password=self.password,
        )


class TerminalClient:
    """Blocking calls to one terminal; use it from one thread at a time.

    Connects lazily (TCP first, UDP if TCP cannot connect; whichever worked is tried first
    next time). Any failure closes the connection, so the next call starts afresh.
    """

    def __init__(self, config: TerminalConfig) -> None:
        self.config = config
        self.transport: Transport | None = None
        self._session: PyzkSession | None = None
        self._user_record_size = 72
        # Platform, model and firmware: tells layouts apart when the bytes cannot.
        self._family: str | None = None

    @property
    def connected(self) -> bool:
        """Whether a session is open."""
        return self._session is not None

    def connect(self) -> None:
        """Open a session if none is open."""
        if self._session is None:
            self._session = open_session(self.config.session_settings, self.transport)
            self.transport = self._session.transport

    def close(self, *, polite: bool = True) -> None:
        """Close the session if one is open. Idempotent; never raises.

        ``polite=False`` skips the goodbye: for a session believed broken, whose terminal
        would only leave it unanswered.
        """
        session, self._session = self._session, None
        if session is not None:
            session.close(polite=polite)

    def _call[T](self, during: str, action: Callable[[PyzkSession], T]) -> T:
        self.connect()
        assert self._session is not None
        session = self._session
        try:
            return action(session)
        except TerminalInvalidArgument:
            raise  # raised before anything went on the wire that could confuse the stream
        except Exception as exc:
            self._session = None
            session.close(polite=False)
            raise as_protocol_error(exc, during) from exc

    def get_info(self) -> TerminalInfo:
        """Serial number (else MAC), and platform, firmware and name when it answers them.

        TerminalIdentityUnknown when it answers neither serial number nor MAC.
        """
        info = self._call("reading terminal info", read_info)
        self._family = info.family_hint
        return info

    def get_counts(self) -> TerminalCounts:
        """Counters and capacities; None for those the terminal does not report."""
        return self._call("reading counters", read_counts)

    def _family_of(self, session: PyzkSession) -> str:
        if self._family is None:
            self._family = read_family(session)
        return self._family

    def get_time(self) -> datetime:
        """The terminal's clock (naive local time)."""

        def read(session: PyzkSession) -> datetime:
            when: datetime = session.zk.get_time()
            return when

        return self._call("reading the clock", read)

    def set_time(self, when: datetime) -> None:
        """Set the terminal's clock (naive local time, 2000-2099)."""
        try:
            encode_time(when)
        except ValueError as exc:
            raise TerminalInvalidArgument(str(exc)) from exc
        self._call("setting the clock", lambda session: session.zk.set_time(when))

    def get_users(self) -> list[User]:
        """Every user, names decoded with the configured encoding."""
        return self._call("reading users", self._read_users)

    def _read_users(self, session: PyzkSession) -> list[User]:
        count = read_counts(session).users
        users, size = read_users(session, count, self.config.encoding, self._family_of(session))
        if size is not None:
            self._user_record_size = size
        return users

    def get_attendance(self, after: datetime | None = None) -> AttendanceBatch:
        """The attendance log, parsed in linear time; with ``after`` (device-local), only
        the records from the first one timed at or after it (a catch-up: the rest are
        scanned, not built; see records.parse_attendance_after).

        TerminalLayoutUnknown when its records fit no layout we know: nothing is guessed.
        """
        return self._call(
            "reading attendance", lambda session: self._read_attendance(session, after)[0]
        )

    def _read_attendance(
        self, session: PyzkSession, after: datetime | None = None
    ) -> tuple[AttendanceBatch, int | None]:
        """The log, and the records counter the terminal reported just before sending it."""
        count = read_counts(session).records
        batch = read_attendance(
            session, count, self._family_of(session), lambda: self._read_users(session), after
        )
        return batch, count

    def unlock(self, seconds: int) -> None:
        """Open the door for ``seconds``."""
        if not 1 <= seconds <= MAX_UNLOCK_SECONDS:
            raise TerminalInvalidArgument(f"unlock time must be 1-{MAX_UNLOCK_SECONDS} s")
        self._call("unlocking", lambda session: session.zk.unlock(seconds))

    def restart(self) -> None:
        """Reboot the terminal; it drops the connection, so ours is closed too."""
        self._call("restarting", lambda session: session.zk.restart())
        self.close()

    def set_user(  # noqa: PLR0917 (public API signature)
        self,
        user_id: str,
        name: str,
        privilege: int = PRIVILEGE_USER,
        password: str = "",
        card: int = 0,
        group_id: str = "",
    ) -> None:
        """Create the user, or update the one with this user_id.

        Names too long for the terminal are cut at a character boundary. Only the user (0)
        and admin (14) privileges are written. The record is written whole in the layout
        the terminal reads (group at its own byte), read-modify-write: a user's time-zone
        settings stay as they were. ``group_id`` "" keeps an existing user's group and gives
        a new one group 1.
        """
        check_set_user(user_id, privilege, card)

        def write(session: PyzkSession) -> None:
            users = self._read_users(session)
            set_user_record(
                session,
                users,
                self._user_record_size,
                self.config.encoding,
                user_id,
                name,
                privilege,
                password,
                card,
                group_id,
            )

        self._call("writing a user", write)

    def set_user_enabled(self, user_id: str, enabled: bool) -> User:
        """Let the user punch or not; every other field of the record stays as it was."""

        def write(session: PyzkSession) -> User:
            user = next((u for u in self._read_users(session) if u.user_id == user_id), None)
            if user is None:
                raise TerminalUserNotFound(f"no user with user_id {user_id!r}")
            changed = with_enabled(user, enabled)
            if changed != user:
                self._write_record(session, changed)
            return changed

        return self._call("enabling a user" if enabled else "disabling a user", write)

    def get_users_and_templates(self) -> tuple[list[User], list[Fingerprint]]:
        """Every user and every fingerprint template, read on one connection."""

        def read(session: PyzkSession) -> tuple[list[User], list[Fingerprint]]:
            users = self._read_users(session)
            session.zk.read_sizes()
            return users, read_templates(session, int(session.zk.fingers))

        return self._call("reading users and fingerprints", read)

    def put_user(
        self, user: User, fingerprints: list[Fingerprint] | None, drop_fingers: tuple[int, ...] = ()
    ) -> None:
        """Write a user under ``user.uid`` exactly as given, and its fingerprints unless None.

        The fingerprints go with pyzk's template upload; fingers in ``drop_fingers`` are
        removed; then the record is written again whole, so that pyzk's layout of it does
        not stay.
        """
        size = self._user_record_size
        user = copied_user(user, size)

        def write(session: PyzkSession) -> None:
            if fingerprints is not None:
                save_user_templates(session, user, fingerprints, size)
            for fid in drop_fingers:
                delete_template(session, user.uid, fid)
            self._write_record(session, user)

        self._call("copying a user", write)

    def _write_record(self, session: PyzkSession, user: User) -> None:
        write_user_record(session, user, self._user_record_size, self.config.encoding)

    def delete_user(self, user_id: str) -> None:
        """Delete the user with this user_id (TerminalUserNotFound if there is none)."""

        def delete(session: PyzkSession) -> None:
            delete_user_record(session, self._read_users(session), user_id)

        self._call("deleting a user", delete)

    def clear_attendance(self) -> None:
        """Erase the attendance log, unchecked: punches made since it was last read are lost.

        clear_attendance_if is the safe way to clear a log whose punches must not be lost.
        """
        self._call("clearing attendance", lambda session: session.zk.clear_attendance())

    def clear_attendance_if(self, may_clear: Callable[[AttendanceBatch], bool]) -> ClearResult:
        """Read the log and erase it if ``may_clear(log)``, with no punch possible meanwhile.

        The terminal is disabled (CMD_DISABLEDEVICE: it refuses punches, "device busy" on its
        screen) for the read, the check and the erase, so no punch can land between the
        check and the erase and be lost unseen. Before erasing, the records counter is read
        again: a log that changed anyway (another client enabled the terminal) is left alone
        and raises TerminalProtocolError. ``may_clear`` runs on this thread, the terminal
        disabled; keep it quick.

        The terminal is always enabled again (CMD_ENABLEDEVICE) afterwards, whatever failed,
        on a new connection if the call's broke. If even that fails, the call's own error is
        raised when it failed, else a TerminalError saying the terminal may stay disabled.
        """
        self.connect()  # nothing is sent if this fails: the terminal stays as it was
        result: ClearResult | None = None
        try:
            result = self._call("clearing attendance", lambda s: self._clear_if(s, may_clear))
        finally:
            self._enable_after_disable(result)
        if result.records_before != result.records_after:
            raise TerminalProtocolError(
                f"the attendance log changed while the terminal was disabled "
                f"({result.records_before} records, then {result.records_after}): not cleared"
            )
        return result

    def _clear_if(
        self, session: PyzkSession, may_clear: Callable[[AttendanceBatch], bool]
    ) -> ClearResult:
        zk = session.zk
        zk.disable_device()
        batch, count = self._read_attendance(session)
        if not may_clear(batch):
            return ClearResult(batch, cleared=False, records_before=count, records_after=count)
        recount = read_counts(session).records
        if count is None or recount is None:
            # No counter to compare: the log itself, read again, must be the same.
            again, _ = self._read_attendance(session)
            count, recount = _log_length(batch), _log_length(again)
        if recount != count:
            return ClearResult(batch, cleared=False, records_before=count, records_after=recount)
        zk.clear_attendance()
        return ClearResult(batch, cleared=True, records_before=count, records_after=recount)

    def _enable_after_disable(self, result: ClearResult | None) -> None:
        """Enable the terminal again after clear_attendance_if (``result`` None: it failed)."""
        error: TerminalError | None = None
        for _attempt in range(_ENABLE_ATTEMPTS):
            try:
                self._call("enabling the terminal", lambda session: session.zk.enable_device())
            except TerminalError as exc:  # the next attempt connects afresh
                error = exc
            else:
                return
        if result is None:
            # The call's own error is on its way up; say what else is wrong.
            _LOGGER.error(
                "%s may stay disabled (refusing punches): enabling it again failed: %s",
                self.config.host,
                error,
            )
            return
        done = "cleared" if result.cleared else "left as it was"
        raise TerminalProtocolError(
            f"attendance log {done}, but enabling the terminal again failed ({error}): "
            "it may refuse punches until enabled"
        ) from error

    def test_voice(self, index: int = 0) -> None:
        """Play one of the terminal's voice prompts."""

        def play(session: PyzkSession) -> None:
            if not session.zk.test_voice(index):
                raise TerminalCommandRejected(f"voice prompt {index} refused")

        self._call("playing a voice prompt", play)


def _log_length(batch: AttendanceBatch) -> int:
    return len(batch.records) + batch.invalid
