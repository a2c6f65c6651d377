"""Constants of the terminal family."""

from datetime import timedelta
import logging
from typing import Final

LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "ZKTeco"

DEFAULT_PORT: Final = 4370
DEFAULT_PASSWORD: Final = 0
DEFAULT_TIMEOUT: Final = 5
MAX_COMM_KEY: Final = 999999

# Options.
CONF_UNLOCK_SECONDS: Final = "unlock_seconds"
CONF_CODE: Final = "code"
CONF_ENCODING: Final = "encoding"
CONF_TIME_ZONE: Final = "time_zone"
CONF_LIVE_CAPTURE: Final = "live_capture"
CONF_POLL_INTERVAL: Final = "poll_interval"
# Terminal users linked to Home Assistant persons: {user_id: {"person": ..., "presence": ...}}.
CONF_PEOPLE: Final = "people"
CONF_PERSON: Final = "person"
CONF_PRESENCE: Final = "presence"
CONF_USER_ID: Final = "user_id"
# When presence sensors of the terminal's people turn off for the day (local time).
CONF_PRESENCE_RESET: Final = "presence_reset"
DEFAULT_PRESENCE_RESET: Final = "00:00:00"

DEFAULT_UNLOCK_SECONDS: Final = 3
DEFAULT_ENCODING: Final = "utf-8"
DEFAULT_LIVE_CAPTURE: Final = True
DEFAULT_POLL_INTERVAL: Final = 60
# Name encodings offered in the options; any codec Python knows may be typed in.
ENCODINGS: Final = (
    "utf-8",
    "gbk",
    "gb18030",
    "big5",
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1256",
    "cp874",
    "latin-1",
    "shift_jis",
    "euc-kr",
)

# With live capture connected, polling only refreshes the counters and the clock.
LIVE_POLL_INTERVAL: Final = timedelta(minutes=5)
# Live capture rebuilds a connection that stayed silent this long (a rebooted terminal
# forgets its sessions without closing them), probing it with a heartbeat request.
LIVE_WATCHDOG_SECONDS: Final = 60.0
LIVE_HEARTBEAT_SECONDS: Final = 15.0
# A failed read of the attendance log is retried after this many seconds, doubling.
CATCH_UP_RETRY_MIN: Final = 10
CATCH_UP_RETRY_MAX: Final = 300
# An unknown user id triggers a user list refresh, at most this often.
USER_REFRESH_COOLDOWN: Final = timedelta(seconds=60)
# Repairs: how long a terminal may be unreachable, and how far its clock may drift.
UNREACHABLE_ISSUE_AFTER: Final = timedelta(hours=1)
CLOCK_DRIFT_LIMIT: Final = timedelta(minutes=1)

ISSUE_UNREACHABLE: Final = "terminal_unreachable"
ISSUE_CLOCK_DRIFT: Final = "terminal_clock_drift"
ISSUE_UNKNOWN_LAYOUT: Final = "terminal_unknown_layout"
