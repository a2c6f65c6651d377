"""admssim: a simulated ZKTeco push (ADMS / iClock) terminal, an HTTP client.

Written from the push protocol specification on the terminal's side; see README.md.
"""

from .config import PushVersion, SimulatorConfig
from .execute import Unlock
from .simulator import (
    Exchange,
    ExecutedCommand,
    PushTerminalSimulator,
    UploadResult,
    make_fleet,
)
from .terminal import Punch, SimUser, TerminalClock

__all__ = [
    "Exchange",
    "ExecutedCommand",
    "Punch",
    "PushTerminalSimulator",
    "PushVersion",
    "SimUser",
    "SimulatorConfig",
    "TerminalClock",
    "Unlock",
    "UploadResult",
    "make_fleet",
]
