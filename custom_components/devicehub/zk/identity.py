"""What a terminal says about itself: options, firmware version, counters, clock.

Read with pyzk's command call, but parsed here: firmware differs in which options it
answers (some refuse ``~Platform``, ``MAC`` or ``~DeviceName``) and in how long its counters
reply is (4 bytes on some, where 80 or 92 are usual). A refusal or a short reply makes that
value unknown; only the identity (serial number, else MAC) is essential.
"""

from __future__ import annotations

from datetime import datetime
from struct import Struct

from .errors import TerminalCommandRejected, TerminalIdentityUnknown
from .models import TerminalCounts, TerminalInfo
from .timecodec import decode_time
from .transport.packets import Command
from .transport.session import PyzkSession

_COUNTERS = Struct("<20i")
_FACES = Struct("<3i")
_TIME = Struct("<I")


def read_option(session: PyzkSession, key: str) -> str:
    """An option's value; "" when the terminal refuses the key or leaves it empty."""
    reply = session.request(Command.CMD_OPTIONS_RRQ, key.encode("ascii") + b"\0")
    if reply is None:
        return ""
    text = reply.split(b"\0", 1)[0].decode("utf-8", "replace")
    _key, _sep, value = text.partition("=")
    return value.strip()


def read_firmware_version(session: PyzkSession) -> str:
    """The firmware version text ("Ver 6.60 Apr 28 2017"); "" when refused."""
    reply = session.request(Command.CMD_GET_VERSION)
    if reply is None:
        return ""
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def read_family(session: PyzkSession) -> str:
    """Platform, model and firmware in one text, for telling record layouts apart."""
    parts = (
        read_option(session, "~Platform"),
        read_option(session, "~DeviceName"),
        read_firmware_version(session),
    )
    return " ".join(part for part in parts if part)


def read_info(session: PyzkSession) -> TerminalInfo:
    """Identity and description; TerminalIdentityUnknown when neither serial nor MAC answers."""
    serial_number = read_option(session, "~SerialNumber")
    mac = read_option(session, "MAC")
    if not serial_number and not mac:
        raise TerminalIdentityUnknown(
            "the terminal answers neither its serial number nor its MAC address"
        )
    platform = read_option(session, "~Platform")
    device_name = read_option(session, "~DeviceName")
    return TerminalInfo(
        serial_number=serial_number,
        model=device_name or platform,
        platform=platform,
        firmware_version=read_firmware_version(session),
        mac=mac,
        device_name=device_name,
    )


def read_counts(session: PyzkSession) -> TerminalCounts:
    """The counters; each None when the reply is too short to hold it."""
    reply = session.request(Command.CMD_GET_FREE_SIZES)
    if reply is None:
        raise TerminalCommandRejected("the terminal refused to report its counters")
    faces: int | None = None
    if len(reply) < _COUNTERS.size:
        return TerminalCounts(None, None, None, None, None, None, None)
    fields = _COUNTERS.unpack_from(reply)
    if len(reply) >= _COUNTERS.size + _FACES.size:
        faces = _FACES.unpack_from(reply, _COUNTERS.size)[0]
    return TerminalCounts(
        users=fields[4],
        fingerprints=fields[6],
        faces=faces,
        records=fields[8],
        records_capacity=fields[16],
        users_capacity=fields[15],
        fingerprints_capacity=fields[14],
    )


def read_clock(session: PyzkSession) -> datetime | None:
    """The terminal's clock; None when it refuses or sends an impossible date."""
    reply = session.request(Command.CMD_GET_TIME, reply_size=1032)
    if reply is None or len(reply) < _TIME.size:
        return None
    return decode_time(_TIME.unpack_from(reply)[0])
