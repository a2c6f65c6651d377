"""Access-control uploads of a push terminal: ``rtlog`` door events and ``rtstate`` states.

Written from the Security PUSH specification's field description (tab-separated
``key=value``), separately from the integration's parser, so that each checks the other.
Per the specification, unverified on hardware.
"""

from datetime import datetime
from typing import Final

# rtlog event codes (the specification's event table).
EVENT_GRANTED: Final = 0
EVENT_ACCESS_DENIED: Final = 23
EVENT_NOT_REGISTERED: Final = 27
EVENT_DOOR_OPENED: Final = 200
EVENT_DOOR_CLOSED: Final = 201
EVENT_EXIT_BUTTON: Final = 202
# rtstate door sensor (two bits a door) and alarm bits (a byte a door).
SENSOR_NONE: Final = 0
SENSOR_CLOSED: Final = 1
SENSOR_OPEN: Final = 2
ALARM_FORCED_OPEN: Final = 0x01
ALARM_TAMPER: Final = 0x02
ALARM_DURESS_PASSWORD: Final = 0x04
ALARM_DURESS_FINGERPRINT: Final = 0x08
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


def door_event_line(
    when: datetime,
    event: int,
    *,
    user_id: str = "0",
    card: str = "0",
    door: int = 1,
    verify: int = 0,
    in_out: int = 0,
    index: int = 0,
) -> str:
    """One rtlog line (pin 0: no user; cardno 0: no card)."""
    fields = {
        "time": when.strftime(TIME_FORMAT),
        "pin": user_id,
        "cardno": card,
        "eventaddr": str(door),
        "event": str(event),
        "inoutstatus": str(in_out),
        "verifytype": str(verify),
        "index": str(index),
    }
    return "\t".join(f"{key}={value}" for key, value in fields.items())


def door_state_line(when: datetime, *, sensor: int, alarm: int = 0, relay: int = 0) -> str:
    """One rtstate line of a single-door terminal; the alarm field has eight door bytes."""
    alarms = bytes([alarm]) + bytes(7)
    return "\t".join(
        (
            f"time={when.strftime(TIME_FORMAT)}",
            f"sensor={sensor:02X}",
            f"relay={relay:02X}",
            f"alarm={alarms.hex().upper()}",
        )
    )
