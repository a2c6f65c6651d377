"""What the server answers: handshake options, upload acknowledgements, v3 replies.

Every reply is plain text, one ``key=value`` per line, LF line ends.
"""

import re
from typing import Final

from .errors import CommandFieldError
from .models import HandshakeOptions, PushOptions
from .request import is_valid_serial

REPLY_NOTHING: Final = "OK"  # no command queued; results, photos and options taken
_TIME_OF_DAY: Final = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
_STAMP: Final = re.compile(r"None|\d{1,20}")
_TOKEN: Final = re.compile(r"[A-Za-z0-9 ._-]{1,32}")
MAX_DELAY_SECONDS: Final = 3_600
MAX_TRANS_INTERVAL_MINUTES: Final = 1_440


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not low <= value <= high:
        raise CommandFieldError(f"{name} must be {low}..{high}")


def _check_token(name: str, value: str) -> None:
    if _TOKEN.fullmatch(value) is None:
        raise CommandFieldError(f"{name} must be 1-32 letters, digits, space, . _ -")


def reply_ok(count: int) -> str:
    """Acknowledge an upload of ``count`` records (``OK:<n>``, as the specification's
    examples write it); only an OK makes the terminal drop the batch."""
    if count < 0:
        raise CommandFieldError("count must not be negative")
    return f"OK:{count}"


def time_zone_value(minutes: int) -> str | None:
    """The handshake's ``TimeZone``: whole hours when -12 < h < 12, otherwise minutes
    (which must then be beyond +-60); None when the offset cannot be written."""
    if minutes % 60 == 0 and -12 < minutes // 60 < 12:
        return str(minutes // 60)
    if abs(minutes) > 60:
        return str(minutes)
    return None


def handshake_reply(serial: str, options: HandshakeOptions) -> str:
    """The option lines answering ``GET /iclock/cdata?SN=..&options=all``."""
    if not is_valid_serial(serial):
        raise CommandFieldError("serial must be 1-32 ASCII letters and digits")
    _check_range("delay", options.delay, 1, MAX_DELAY_SECONDS)
    _check_range("error_delay", options.error_delay, 1, MAX_DELAY_SECONDS)
    _check_range("trans_interval", options.trans_interval, 1, MAX_TRANS_INTERVAL_MINUTES)
    _check_range("encrypt", options.encrypt, 0, 0)
    for stamp in (options.attlog_stamp, options.operlog_stamp, options.attphoto_stamp):
        if _STAMP.fullmatch(stamp) is None:
            raise CommandFieldError("a stamp is digits or None")
    if not all(_TIME_OF_DAY.fullmatch(time) for time in options.trans_times):
        raise CommandFieldError("trans_times are HH:MM")
    for flag in options.trans_flag:
        _check_token("trans_flag", flag)
    _check_token("server_version", options.server_version)
    _check_token("push_protocol_version", options.push_protocol_version)
    lines = [
        f"GET OPTION FROM: {serial}",
        f"ATTLOGStamp={options.attlog_stamp}",
        f"OPERLOGStamp={options.operlog_stamp}",
        f"ATTPHOTOStamp={options.attphoto_stamp}",
        f"ErrorDelay={options.error_delay}",
        f"Delay={options.delay}",
        f"TransTimes={';'.join(options.trans_times)}",
        f"TransInterval={options.trans_interval}",
        f"TransFlag={'\t'.join(options.trans_flag)}",
    ]
    minutes = options.time_zone_minutes
    if minutes is not None:
        _check_range("time_zone_minutes", minutes, -12 * 60, 14 * 60)
        zone = time_zone_value(minutes)
        if zone is not None:
            lines.append(f"TimeZone={zone}")
    lines += [
        f"Realtime={int(options.realtime)}",
        f"Encrypt={options.encrypt}",
        f"ServerVer={options.server_version}",
        f"PushProtVer={options.push_protocol_version}",
    ]
    return "\n".join(lines) + "\n"


def push_reply(options: PushOptions) -> str:
    """The configuration answering a v3 ``/iclock/push`` request."""
    _check_range("request_delay", options.request_delay, 1, MAX_DELAY_SECONDS)
    _check_range("error_delay", options.error_delay, 1, MAX_DELAY_SECONDS)
    _check_range("trans_interval", options.trans_interval, 1, MAX_TRANS_INTERVAL_MINUTES)
    _check_range("timeout_seconds", options.timeout_seconds, 1, MAX_DELAY_SECONDS)
    for token in (
        *options.trans_tables,
        options.server_name,
        options.server_version,
        options.push_version,
    ):
        _check_token("push option", token)
    lines = [
        f"ServerVersion={options.server_version}",
        f"ServerName={options.server_name}",
        f"PushVersion={options.push_version}",
        f"ErrorDelay={options.error_delay}",
        f"RequestDelay={options.request_delay}",
        f"TransInterval={options.trans_interval}",
        f"TransTables={' '.join(options.trans_tables)}",
        f"Realtime={int(options.realtime)}",
        f"TimeoutSec={options.timeout_seconds}",
    ]
    if options.session_id is not None:
        _check_token("session_id", options.session_id)
        lines.append(f"SessionID={options.session_id}")
    return "\n".join(lines) + "\n"


def registry_reply(registry_code: str) -> str:
    """Accept a v3 registration: ``RegistryCode=<code>`` (up to 32 letters and digits)."""
    if not is_valid_serial(registry_code):
        raise CommandFieldError("registry code must be 1-32 ASCII letters and digits")
    return f"RegistryCode={registry_code}\n"
