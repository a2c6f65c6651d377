"""The `/iclock/...` endpoints push terminals call, served by Home Assistant's HTTP server.

Terminals cannot log in, so the views need no Home Assistant login; the serial number is
the only identity, and only configured ones are served. A body is read up to its cap before
anything parses it; a bigger one is refused whole (the terminal keeps its batch).
"""

from http import HTTPStatus

from aiohttp import web
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from ..adms import (
    MAX_BODY_BYTES,
    REPLY_NOTHING,
    AdmsError,
    AdmsRequest,
    AdmsRequestError,
    BodyTooLargeError,
    RefusalReason,
    RequestKind,
    Table,
    parse_attlog,
    parse_attlog_stepwise,
    parse_command_results,
    parse_operlog,
    parse_poll_info,
    parse_registry,
    parse_request,
    parse_userinfo,
    registry_reply,
    reply_ok,
)
from ..adms.access_logs import parse_rtlog, parse_rtstate
from .access import async_show_door_events, async_show_door_states
from .gateway import (
    REFUSED_METHOD,
    REFUSED_STORAGE,
    PushGateway,
    async_get_gateway,
)
from .runtime import PushRuntime

READ_CHUNK = 64 * 1024
# Bodies bigger than this (backlogs) are parsed stepwise, letting the event loop run
# every few hundred lines.
PARSE_STEPWISE_BYTES = 64 * 1024


async def read_capped(request: web.BaseRequest, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused (BodyTooLargeError) as soon as it is known to exceed limit."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLargeError(f"declared {request.content_length} bytes, cap {limit}")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(f"over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _text(body: str, status: HTTPStatus = HTTPStatus.OK) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/plain")


async def async_handle(gateway: PushGateway, request: web.BaseRequest) -> web.Response:
    """Answer one terminal request (shared by Home Assistant's view and our own listener)."""
    try:
        parsed = parse_request(request.method, request.path, request.query)
    except AdmsRequestError as err:
        serial = request.query.get("SN")
        gateway.async_refuse(serial if isinstance(serial, str) else None, err.reason, err.detail)
        status = (
            HTTPStatus.NOT_FOUND
            if err.reason is RefusalReason.UNKNOWN_PATH
            else HTTPStatus.BAD_REQUEST
        )
        return _text(err.reason.value, status)
    runtime = gateway.runtime(parsed.serial)
    if runtime is None:
        gateway.async_refuse_unserved(parsed.serial, request.remote)
        return _text("unknown terminal", HTTPStatus.FORBIDDEN)
    runtime.async_note_contact(parsed.kind.value)
    try:
        body = await read_capped(request) if request.method == "POST" else b""
        return await _async_answer(gateway, runtime, parsed, body)
    except BodyTooLargeError as err:
        gateway.async_refuse(parsed.serial, err.reason, err.detail)
        return _text(err.reason.value, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    except AdmsError as err:
        gateway.async_refuse(parsed.serial, err.reason, err.detail)
        return _text(err.reason.value, HTTPStatus.BAD_REQUEST)


async def _async_answer(
    gateway: PushGateway, runtime: PushRuntime, request: AdmsRequest, body: bytes
) -> web.Response:
    match request.kind:
        case RequestKind.HANDSHAKE:
            return _text(runtime.handshake(request.push_version))
        case RequestKind.UPLOAD:
            return await _async_upload(gateway, runtime, request, body)
        case RequestKind.POLL:
            info = parse_poll_info(request.info) if request.info else None
            return _text(runtime.poll(info))
        case RequestKind.COMMAND_RESULT:
            runtime.take_results(parse_command_results(body))
            return _text(REPLY_NOTHING)
        case RequestKind.REGISTRY:
            runtime.take_device_info(parse_registry(body))
            return _text(registry_reply(runtime.serial_number))
        case RequestKind.PUSH:
            return _text(runtime.push_options())
        case RequestKind.QUERY_DATA:
            users = parse_userinfo(body)
            runtime.take_users(users.records, complete=False)
            return _text(reply_ok(users.total))
        case RequestKind.PING:
            return _text(REPLY_NOTHING)
    gateway.async_refuse(request.serial, REFUSED_METHOD)
    return _text(REFUSED_METHOD, HTTPStatus.METHOD_NOT_ALLOWED)


async def _async_upload(
    gateway: PushGateway, runtime: PushRuntime, request: AdmsRequest, body: bytes
) -> web.Response:
    table = request.known_table
    if table is Table.ATTLOG:
        if len(body) > PARSE_STEPWISE_BYTES:
            punches = await parse_attlog_stepwise(body)
        else:
            punches = parse_attlog(body)
        try:
            await runtime.async_take_attendance(punches, request.stamp)
        except HomeAssistantError, OSError:
            # Not stored, so not acknowledged: the terminal sends the batch again.
            gateway.async_refuse(request.serial, REFUSED_STORAGE)
            return _text(REFUSED_STORAGE, HTTPStatus.SERVICE_UNAVAILABLE)
        return _text(reply_ok(punches.total))
    if table is Table.OPERLOG:
        operations = parse_operlog(body)
        runtime.counters["malformed_lines"] += operations.malformed
        runtime.take_users(operations.users, complete=False)
        runtime.take_table_stamp(table.value, request.stamp)
        return _text(reply_ok(operations.total))
    if table is Table.USERINFO:
        users = parse_userinfo(body)
        runtime.counters["malformed_lines"] += users.malformed
        runtime.take_users(users.records, complete=True)
        return _text(reply_ok(users.total))
    if table is Table.OPTIONS:
        runtime.take_device_info(parse_registry(body))
        return _text(REPLY_NOTHING)
    if table is Table.RTLOG:
        events = parse_rtlog(body)
        runtime.counters["malformed_lines"] += events.malformed
        await runtime.async_note_door_log()
        shown = async_show_door_events(
            runtime.access, events.records, runtime.settings.time_zone, runtime.user_name
        )
        runtime.counters["door_events_shown"] += shown
        runtime.counters["door_events_not_shown"] += len(events.records) - shown
        return _text(reply_ok(events.total))
    if table is Table.RTSTATE:
        states = parse_rtstate(body)
        runtime.counters["malformed_lines"] += states.malformed
        await runtime.async_note_door_log()
        async_show_door_states(runtime.access, states.records, runtime.settings.time_zone)
        return _text(reply_ok(states.total))
    # Photos and templates are not used yet: taken, so not sent again.
    runtime.counters[f"ignored_table_{(request.table or '').lower()[:16]}"] += 1
    runtime.take_table_stamp(request.table or "", request.stamp)
    if table is Table.ATTPHOTO:
        # One binary picture a request: acknowledged without a line count.
        return _text(REPLY_NOTHING)
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
    return _text(reply_ok(lines))


class IclockView(HomeAssistantView):
    """Every `/iclock/<endpoint>` of push v2 and v3; the protocol code tells them apart."""

    url = "/iclock/{endpoint}"
    name = "devicehub:iclock"
    requires_auth = False

    async def get(self, request: web.Request, endpoint: str) -> web.Response:
        """Handshakes, polls, push v3 configuration and pings."""
        return await async_handle(async_get_gateway(request.app[KEY_HASS]), request)

    async def post(self, request: web.Request, endpoint: str) -> web.Response:
        """Uploads, command results and push v3 registrations."""
        return await async_handle(async_get_gateway(request.app[KEY_HASS]), request)


@callback
def async_register_views(hass: HomeAssistant) -> None:
    """Serve the endpoints once per Home Assistant, for every push terminal entry."""
    hass.http.register_view(IclockView())
