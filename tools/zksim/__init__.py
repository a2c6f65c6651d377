"""A protocol-level ZKTeco terminal simulator that unmodified pyzk 0.9 talks to.

with TerminalSimulator(SimulatorConfig(users=5, records=100)) as sim:
    ZK("127.0.0.1", port=sim.port, ommit_ping=True).connect()
"""

from .clock import DeviceClock
from .config import SimulatorConfig
from .device import DeviceBusyError, UnlockPulse, UserDisabledError, UserWrite
from .faults import BusyMode, ChunkMode, Faults, GarbageKind
from .records import AttendanceRecord, Template, User
from .simulator import TerminalSimulator

__all__ = [
    "AttendanceRecord",
    "BusyMode",
    "ChunkMode",
    "DeviceBusyError",
    "DeviceClock",
    "Faults",
    "GarbageKind",
    "SimulatorConfig",
    "Template",
    "TerminalSimulator",
    "UnlockPulse",
    "User",
    "UserDisabledError",
    "UserWrite",
]
