"""The simulator against Home Assistant's real HTTP server, as the integration's tests use it.

A test view stands in for the integration's views; what is checked is that the simulated
terminal runs inside Home Assistant's test harness (loopback sockets, no lingering tasks).
"""

from aiohttp import web
from homeassistant.components.http import HomeAssistantView
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.devicehub.adms import (
    REPLY_NOTHING,
    HandshakeOptions,
    RequestKind,
    handshake_reply,
    parse_attlog,
    parse_request,
    reply_ok,
)
from tests.admssim_fixtures import TerminalFactory
from tools.admssim import UploadResult


class _IclockView(HomeAssistantView):
    url = "/iclock/{endpoint}"
    name = "test:iclock"
    requires_auth = False

    def __init__(self) -> None:
        self.punches: list[str] = []

    async def _answer(self, request: web.Request, endpoint: str) -> web.Response:
        parsed = parse_request(request.method, request.path, request.query)
        if parsed.kind is RequestKind.HANDSHAKE:
            return web.Response(text=handshake_reply(parsed.serial, HandshakeOptions(delay=1)))
        if parsed.kind is RequestKind.UPLOAD:
            lines = parse_attlog(await request.read())
            self.punches += [line.user_id for line in lines.records]
            return web.Response(text=reply_ok(lines.total))
        return web.Response(text=REPLY_NOTHING)

    async def get(self, request: web.Request, endpoint: str) -> web.Response:
        return await self._answer(request, endpoint)

    async def post(self, request: web.Request, endpoint: str) -> web.Response:
        return await self._answer(request, endpoint)


async def test_a_terminal_talks_to_home_assistants_http_server(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    push_terminal: TerminalFactory,
) -> None:
    assert await async_setup_component(hass, "http", {})
    view = _IclockView()
    hass.http.register_view(view)
    client = await hass_client_no_auth()
    terminal = push_terminal(str(client.make_url("/")), serial="CQZ7232560025")
    assert await terminal.handshake()
    assert terminal.delay == 1.0
    terminal.inject_punch("42")
    assert await terminal.flush() is UploadResult.NOTHING
    assert view.punches == ["42"]
    terminal.start()  # the loop is stopped by the fixture at teardown
    assert terminal.clock_syncs >= 1  # Home Assistant's replies carry a Date header
