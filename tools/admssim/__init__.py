"""admssim: a simulated ZKTeco push (ADMS / iClock) terminal, an HTTP client.

Written from the push protocol specification on the terminal's side; see README.md.
"""

from .config import PushVersion, SimulatorConfig
from .execute import Unlock
from .simulator import PushTerminalSimulator
from .terminal import Punch, SimUser, TerminalClock
from .wire import Exchange, ExecutedCommand, UploadResult

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
]
