"""Punch vocabulary shared by ZKTeco terminals and MQTT doors.

One automation must serve both families, so both map their raw punch states and
verify methods onto these names. No Home Assistant imports.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

PUNCH_CHECK_IN: Final = "check_in"
PUNCH_CHECK_OUT: Final = "check_out"
PUNCH_BREAK_OUT: Final = "break_out"
PUNCH_BREAK_IN: Final = "break_in"
PUNCH_OVERTIME_IN: Final = "overtime_in"
PUNCH_OVERTIME_OUT: Final = "overtime_out"
PUNCH_OTHER: Final = "other"

# Order matters: ZKTeco attendance state n is PUNCH_TYPES[n] for n in 0..5.
PUNCH_TYPES: Final = (
    PUNCH_CHECK_IN,
    PUNCH_CHECK_OUT,
    PUNCH_BREAK_OUT,
    PUNCH_BREAK_IN,
    PUNCH_OVERTIME_IN,
    PUNCH_OVERTIME_OUT,
    PUNCH_OTHER,
)

# ZKTeco verify types as reported in attendance records and live events.
VERIFY_METHODS: Final[dict[int, str]] = {
    0: "password",
    1: "fingerprint",
    2: "card",
    3: "password",
    4: "card",
    15: "face",
    25: "palm",
}
VERIFY_OTHER: Final = "other"

# Event data keys, identical for terminals and doors.
ATTR_USER_ID: Final = "user_id"
ATTR_USER_NAME: Final = "user_name"
ATTR_VERIFY: Final = "verify"
ATTR_TIMESTAMP: Final = "timestamp"
ATTR_TERMINAL: Final = "terminal"
ATTR_LATE: Final = "late"
# The Home Assistant person a terminal user is linked to (only when linked).
ATTR_PERSON: Final = "person"


@dataclass(frozen=True, slots=True)
class Punch:
    """A delivered punch of a terminal, pull or push, ready for entities and automations."""

    user_id: str
    user_name: str | None
    timestamp: datetime  # tz-aware, in the terminal's time zone
    punch_type: str
    verify: str
    # Made or seen while Home Assistant or the link was down, and delivered afterwards: read
    # back from a pull terminal's log, or uploaded by a push terminal as a backlog.
    late: bool


def punch_type(state: int | str) -> str:
    """Map a ZKTeco punch state (0-5) or a door's punch name onto an event type."""
    if isinstance(state, str):
        return state if state in PUNCH_TYPES else PUNCH_OTHER
    if 0 <= state < len(PUNCH_TYPES) - 1:
        return PUNCH_TYPES[state]
    return PUNCH_OTHER


def verify_method(code: int | str) -> str:
    """Map a ZKTeco verify code or a door's verify name onto a method name."""
    if isinstance(code, str):
        return code if code in VERIFY_METHODS.values() else VERIFY_OTHER
    return VERIFY_METHODS.get(code, VERIFY_OTHER)
