"""Constants of the push terminal family (ZKTeco terminals that call Home Assistant)."""

from datetime import timedelta
import logging
from typing import Final

LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "ZKTeco"

# Entry data.
CONF_SERIAL_NUMBER: Final = "serial_number"
CONF_TIME_ZONE: Final = "time_zone"

# Options.
CONF_DELAY: Final = "delay"
CONF_REALTIME: Final = "realtime"
CONF_UNLOCK_SECONDS: Final = "unlock_seconds"
CONF_CODE: Final = "code"
# Optional plain-HTTP listener of our own (for a Home Assistant served over HTTPS only).
CONF_LISTEN_ADDRESS: Final = "listen_address"
CONF_LISTEN_PORT: Final = "listen_port"
DEFAULT_LISTEN_ADDRESS: Final = "0.0.0.0"  # noqa: S104 - the user asks for it, on their network

DEFAULT_DELAY: Final = 10
MIN_DELAY: Final = 2
MAX_DELAY: Final = 300
DEFAULT_REALTIME: Final = True
DEFAULT_UNLOCK_SECONDS: Final = 5
MAX_UNLOCK_SECONDS: Final = 60

# A queued command waits for the terminal's next poll: it is confirmed within the poll delay,
# plus this margin for the terminal to run it and post the result.
COMMAND_MARGIN: Final = timedelta(seconds=15)
# The terminal counts as online while its requests arrive within twice the poll delay plus this.
ONLINE_MARGIN: Final = timedelta(seconds=10)
# A terminal silent this long raises a repair issue.
SILENT_ISSUE_AFTER: Final = timedelta(hours=1)
ISSUE_SILENT: Final = "push_terminal_silent"

# Unknown serial numbers: at most this many discovery flows wait for the user at once.
MAX_PENDING_DISCOVERIES: Final = 5
# Refusals are counted per serial number for this many serial numbers; the rest are pooled.
MAX_COUNTED_SERIALS: Final = 64
OTHER_SERIALS: Final = "other"

# Punches stamped up to this long before the entry was added are still news: the terminal's
# clock lags Home Assistant's (it is set from the whole-second HTTP Date header, and drifts
# before the first contact), so a punch just after adding can carry an earlier stamp.
HISTORY_MARGIN: Final = timedelta(minutes=2)

# Delivered punches remembered to drop resends; older ones are covered by the time cursor.
RECENT_PUNCH_KEYS: Final = 20_000
# Command results kept for diagnostics and the command result action.
COMMAND_RESULTS_KEPT: Final = 20
# Commands handed to the terminal per poll.
COMMANDS_PER_POLL: Final = 10
