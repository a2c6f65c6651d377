"""ZKTeco terminal client layer: pyzk underneath, typed and linear-time on top.

No Home Assistant imports here: the integration uses these pieces from its own code.
"""

from .async_terminal import AsyncTerminal
from .client import TerminalClient, TerminalConfig
from .errors import (
    TerminalAuthFailed,
    TerminalBusy,
    TerminalCannotConnect,
    TerminalCommandRejected,
    TerminalConnectionLost,
    TerminalError,
    TerminalIdentityUnknown,
    TerminalInvalidArgument,
    TerminalLayoutUnknown,
    TerminalProtocolError,
    TerminalTimeout,
    TerminalUserNotFound,
)
from .live import LiveCapture
from .models import (
    AttendanceBatch,
    AttendanceRecord,
    ClearResult,
    LiveEvent,
    TerminalCounts,
    TerminalInfo,
    User,
)

__all__ = [
    "AsyncTerminal",
    "AttendanceBatch",
    "AttendanceRecord",
    "ClearResult",
    "LiveCapture",
    "LiveEvent",
    "TerminalAuthFailed",
    "TerminalBusy",
    "TerminalCannotConnect",
    "TerminalClient",
    "TerminalCommandRejected",
    "TerminalConfig",
    "TerminalConnectionLost",
    "TerminalCounts",
    "TerminalError",
    "TerminalIdentityUnknown",
    "TerminalInfo",
    "TerminalInvalidArgument",
    "TerminalLayoutUnknown",
    "TerminalProtocolError",
    "TerminalTimeout",
    "TerminalUserNotFound",
    "User",
]
