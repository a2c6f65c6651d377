"""Typed errors of the terminal client layer.

Every failure of a terminal call surfaces as one of these, whatever pyzk or the socket raised
underneath. Messages are composed here or taken from pyzk/socket errors, none of which ever
carry the comm key, so ``str()`` of an error is safe to log or show.
"""

from __future__ import annotations

import struct

from zk.exception import ZKErrorConnection, ZKErrorResponse, ZKNetworkError


class TerminalError(Exception):
    """Base of every terminal error."""


class TerminalCannotConnect(TerminalError):  # noqa: N818 (public API name)
    """No session could be opened: the terminal refused the connection or is unreachable.

    TerminalTimeout, a subclass, says that it rather stayed silent.
    """


class TerminalTimeout(TerminalCannotConnect):
    """Connecting timed out on every transport: nothing refused, nothing answered in time.

    A terminal that accepts the TCP connection but never answers (hung), or an address
    whose packets are silently dropped. A refused or unreachable transport makes it a plain
    TerminalCannotConnect.
    """


class TerminalAuthFailed(TerminalError):  # noqa: N818 (public API name)
    """The terminal rejected the comm key (password)."""


class TerminalBusy(TerminalError):  # noqa: N818 (public API name)
    """The terminal refuses another session (another client is connected)."""


class TerminalProtocolError(TerminalError):
    """Garbage, a timeout mid-call, an unexpected reply or undecodable bytes."""


class TerminalConnectionLost(TerminalProtocolError):  # noqa: N818 (public API name)
    """The link dropped in the middle of a call (reset, EOF)."""


class TerminalCommandRejected(TerminalProtocolError):  # noqa: N818 (public API name)
    """The terminal answered a command with an error reply code."""


class TerminalLayoutUnknown(TerminalProtocolError):  # noqa: N818 (public API name)
    """A dataset fits no record layout we know: it is refused rather than guessed at.

    ``dataset`` is "attendance" or "users"; ``sizes`` the record sizes the bytes could have
    (whole records), ``firmware`` what the terminal said of its firmware and platform.
    """

    def __init__(  # noqa: PLR0917 (every argument is part of the message)
        self,
        dataset: str,
        body_bytes: int,
        count: int | None,
        sizes: tuple[int, ...],
        firmware: str,
        reason: str,
    ) -> None:
        self.dataset = dataset
        self.body_bytes = body_bytes
        self.count = count
        self.sizes = sizes
        self.firmware = firmware or "unknown firmware"
        counted = "an unknown number of" if count is None else str(count)
        tried = ", ".join(str(size) for size in sizes) or "none"
        super().__init__(
            f"{dataset} data of {body_bytes} bytes for {counted} records fits no known layout "
            f"(record sizes it could have: {tried}; {reason}) on {self.firmware}"
        )

    @property
    def sizes_text(self) -> str:
        """The record sizes seen, for people: "8, 49" or "none"."""
        return ", ".join(str(size) for size in self.sizes) or "none"


class TerminalIdentityUnknown(TerminalCommandRejected):
    """The terminal refused both its serial number and its MAC address."""


class TerminalInvalidArgument(TerminalError, ValueError):  # noqa: N818 (public API name)
    """A request cannot be expressed for this terminal (bad user id, out-of-range value...)."""


class TerminalUserNotFound(TerminalInvalidArgument):
    """No user with the requested user_id exists on the terminal."""


# Exceptions pyzk 0.9 leaks from its multi-recv paths and parsers instead of wrapping them.
LEAKED_EXCEPTIONS: tuple[type[BaseException], ...] = (
    ZKErrorConnection,
    ZKErrorResponse,
    ZKNetworkError,
    OSError,
    struct.error,
    TypeError,
    ValueError,
    IndexError,
    KeyError,
    UnboundLocalError,
    AttributeError,
    UnicodeError,
)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def as_protocol_error(exc: BaseException, during: str) -> TerminalError:
    """Translate an exception raised in the middle of a call into a typed error."""
    if isinstance(exc, TerminalError):
        return exc
    if isinstance(exc, ZKErrorResponse):
        return TerminalCommandRejected(f"{during}: terminal refused ({exc})")
    if isinstance(exc, (ConnectionError, EOFError, ZKErrorConnection)):
        return TerminalConnectionLost(f"{during}: connection lost ({_describe(exc)})")
    if isinstance(exc, TimeoutError):
        return TerminalProtocolError(f"{during}: no reply in time")
    return TerminalProtocolError(f"{during}: {_describe(exc)}")
