"""The ZKTeco push (ADMS / iClock) protocol as pure code: no Home Assistant, no I/O.

Terminals are HTTP clients calling ``/iclock/...`` on the server. Roles of this package:

Requests
    ``parse_request(method, path, query) -> AdmsRequest`` classifies a call
    (RequestKind: handshake, upload, poll, command_result, registry, push, ping,
    query_data, unknown = known endpoint with a method it does not take) and checks the
    serial (``SN``: 1-32 ASCII letters and digits). Raises ``AdmsRequestError`` (with a
    ``RefusalReason``) for a bad serial, an unknown path or an upload without a table.
    ``ENDPOINT_NAMES`` lists the endpoints to serve, ``is_valid_serial`` the serial rule.

Replies
    ``handshake_reply(serial, HandshakeOptions)`` (the option lines), ``reply_ok(count)``
    (``OK: <n>``, the only answer that makes a terminal drop an uploaded batch: answer it
    after the lines are stored; an ATTPHOTO upload is answered ``REPLY_NOTHING``),
    ``REPLY_NOTHING`` (``OK``: no command queued, results taken), and for
    push v3 ``push_reply(PushOptions)`` and ``registry_reply(code)``.

Uploads (``POST /iclock/cdata?table=...``)
    ``parse_attlog(body) -> ParsedLines[AttendanceLine]`` (user_id, naive local time,
    status, verify, work_code; ``AttendanceLine.key`` / ``punch_key`` is the duplicate
    key, a string: (user, time, status)),
    ``await parse_attlog_stepwise(body)`` (the same, pausing for the event loop every 100
    lines: use it in a view, a backlog is tens of thousands of lines),
    ``parse_operlog(body) -> OperLog`` (``UserLine`` users, operation count),
    ``parse_userinfo(body) -> ParsedLines[UserLine]``, ``parse_attphoto(body) ->
    AttendancePhoto`` (raises ``MalformedBodyError`` when the layout does not fit),
    ``parse_device_info(body)`` (INFO-style ``key=value`` lines) and
    ``parse_registry(body)`` (v3 comma-separated) ``-> DeviceInfo``,
    ``parse_poll_info(INFO=...) -> PollInfo``. Access models' door logs:
    ``access_logs.parse_rtlog(body) -> ParsedLines[DoorEventLine]`` (door events, classed by
    the specification's event codes) and ``access_logs.parse_rtstate(body) ->
    ParsedLines[DoorStateLine]`` (door 1's sensor and alarm bits).
    A malformed line is counted (``malformed``, ``first_malformed_reason``) and skipped.

Caps (``limits``)
    ``MAX_BODY_BYTES`` = 4 MiB, ``MAX_LINES`` = 50,000, ``MAX_LINE_LENGTH`` = 4,096
    characters, ``MAX_PHOTO_BYTES`` = 2 MiB. A body over a cap raises ``BodyTooLargeError``
    (also named ``BodyTooLarge``)
    (whole body refused: answer non-OK, the terminal keeps the batch); an overlong line is
    a malformed line.

Commands
    Typed commands ``Reboot``, ``Info``, ``Check``, ``Log``, ``SetUser``, ``DeleteUser``,
    ``QueryUsers``, ``AcUnlock`` (attendance protocol: the terminal's own lock time),
    ``ControlDevice(door, seconds)`` (security protocol, access models), ``GetOption``,
    ``SetOption`` (a short allow-list of keys); ``encode_commands([(id, command), ...])``
    gives the ``C:<id>:<text>`` lines of a getrequest answer. Fields are validated
    (``CommandFieldError``); nothing can encode ``SHELL`` or any command running code.
    ``parse_command_results(body) -> ParsedLines[CommandResult]`` reads devicecmd bodies
    (``ID=..&Return=..&CMD=..``, several a body); ``CommandResult.meaning`` maps the
    return code (``ReturnMeaning``: 0 success, -1002 unsupported, the specification's
    other negative codes, any other negative is ``ERROR``).

Clock
    There is no "set time" command in the specification: the terminal sets its clock
    from the ``Date`` header (GMT) of every reply, shifted by the handshake's
    ``TimeZone``. A view must therefore send ``Date`` (aiohttp does) and the handshake
    the terminal's zone (``HandshakeOptions.time_zone_minutes``).
"""

from .commands import (
    AcUnlock,
    Check,
    Command,
    ControlDevice,
    DeleteUser,
    GetOption,
    Info,
    Log,
    QueryUsers,
    Reboot,
    SetOption,
    SetUser,
    encode_command,
    encode_commands,
)
from .errors import (
    AdmsError,
    AdmsRequestError,
    BodyTooLarge,
    BodyTooLargeError,
    CommandFieldError,
    MalformedBodyError,
    RefusalReason,
)
from .info import parse_device_info, parse_poll_info, parse_registry
from .limits import MAX_BODY_BYTES, MAX_LINE_LENGTH, MAX_LINES, MAX_PHOTO_BYTES
from .models import (
    AdmsRequest,
    AttendanceLine,
    AttendancePhoto,
    CommandResult,
    DeviceInfo,
    HandshakeOptions,
    OperLog,
    ParsedLines,
    PollInfo,
    PushOptions,
    RequestKind,
    ReturnMeaning,
    Table,
    UserLine,
    punch_key,
    return_meaning,
)
from .photo import parse_attphoto
from .replies import REPLY_NOTHING, handshake_reply, push_reply, registry_reply, reply_ok
from .request import ENDPOINT_NAMES, is_valid_serial, parse_request
from .results import parse_command_results
from .uploads import parse_attlog, parse_attlog_stepwise, parse_operlog, parse_userinfo

__all__ = [
    "ENDPOINT_NAMES",
    "MAX_BODY_BYTES",
    "MAX_LINES",
    "MAX_LINE_LENGTH",
    "MAX_PHOTO_BYTES",
    "REPLY_NOTHING",
    "AcUnlock",
    "AdmsError",
    "AdmsRequest",
    "AdmsRequestError",
    "AttendanceLine",
    "AttendancePhoto",
    "BodyTooLarge",
    "BodyTooLargeError",
    "Check",
    "Command",
    "CommandFieldError",
    "CommandResult",
    "ControlDevice",
    "DeleteUser",
    "DeviceInfo",
    "GetOption",
    "HandshakeOptions",
    "Info",
    "Log",
    "MalformedBodyError",
    "OperLog",
    "ParsedLines",
    "PollInfo",
    "PushOptions",
    "QueryUsers",
    "Reboot",
    "RefusalReason",
    "RequestKind",
    "ReturnMeaning",
    "SetOption",
    "SetUser",
    "Table",
    "UserLine",
    "encode_command",
    "encode_commands",
    "handshake_reply",
    "is_valid_serial",
    "parse_attlog",
    "parse_attlog_stepwise",
    "parse_attphoto",
    "parse_command_results",
    "parse_device_info",
    "parse_operlog",
    "parse_poll_info",
    "parse_registry",
    "parse_request",
    "parse_userinfo",
    "punch_key",
    "push_reply",
    "registry_reply",
    "reply_ok",
    "return_meaning",
]
