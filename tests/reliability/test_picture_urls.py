"""Stranger picture URLs: a door must not make Home Assistant fetch from inside the network.

Only http(s) on public hosts is fetched by default; local hosts only when the user listed them
in the door's options. Host names are resolved and checked, redirects are not followed, and the
fetch has a deadline and a size cap.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
import ipaddress
from pathlib import Path
import socket
import ssl
from typing import Any
from unittest.mock import patch

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.devicehub.door.const import CONF_PICTURE_HOSTS
from custom_components.devicehub.door.pinned import PinnedResolver
from custom_components.devicehub.door.url_policy import (
    PictureHosts,
    async_refusal,
    parse_picture_hosts,
)
from custom_components.devicehub.mqtt_door.payloads import MAX_IMAGE_BYTES
from tests.door.conftest import Fire, fire

__all__ = ["fire"]

PICTURE = "image.front_door_stranger_picture"
JPEG = b"\xff\xd8\xff\xe0" + b"\x02" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
# What the patched resolver answers for each name (anything else does not resolve).
DNS = {
    "pictures.example.com": ["93.184.216.34"],
    "cdn.example.net": ["2606:2800:220:1:248:1893:25c8:1946", "93.184.216.34"],
    "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
    "router.example.com": ["192.168.1.1"],
    "mapped.example.com": ["::ffff:10.0.0.1"],
    "odd.example.com": ["not-an-address"],
    "empty.example.com": [],
}


@pytest.fixture(autouse=True)
def resolver(hass: HomeAssistant) -> Iterator[list[str]]:
    """Name resolution from DNS above; records what was looked up."""
    asked: list[str] = []

    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        asked.append(host)
        if host not in DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in DNS[host]
        ]

    with patch.object(hass.loop, "getaddrinfo", getaddrinfo):
        yield asked


REFUSED = [
    "file:///etc/passwd",
    "ftp://pictures.example.com/a.jpg",
    "gopher://pictures.example.com/",
    "javascript:alert(1)",
    "data:image/png;base64,iVBORw0KGgo=",
    "http://127.0.0.1/a.jpg",
    "http://127.8.9.10:8123/api/config",
    "http://localhost:8123/auth/token",
    "http://LOCALHOST./a.jpg",
    "http://app.localhost/a.jpg",
    "http://[::1]/a.jpg",
    "http://[::ffff:127.0.0.1]/a.jpg",
    "http://0.0.0.0/a.jpg",
    "http://2130706433/a.jpg",  # 127.0.0.1 as one number
    "http://10.1.2.3/a.jpg",
    "http://172.16.0.1/a.jpg",
    "http://192.168.1.20/snap.jpg",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://100.64.0.1/a.jpg",  # carrier-grade NAT
    "http://[fe80::1]/a.jpg",
    "http://[fd00::1]/a.jpg",
    "http://224.0.0.1/a.jpg",
    "http://door.local/a.jpg",
    "http://nas/a.jpg",
    "http://camera.lan/a.jpg",
    "http://printer.home.arpa/a.jpg",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://user:secret@pictures.example.com/a.jpg",
    "http://pictures.example.com:99999/a.jpg",
    "http://rebind.example.com/a.jpg",
    "http://router.example.com/a.jpg",
    "http://mapped.example.com/a.jpg",
    "http://nowhere.example.org/a.jpg",
    "http://odd.example.com/a.jpg",
    "http://empty.example.com/a.jpg",
]
ALLOWED = [
    "http://pictures.example.com/a.jpg",
    "https://pictures.example.com:8443/a.jpg?size=big",
    "https://cdn.example.net/a.jpg",
    "http://93.184.216.34/a.jpg",
    "http://[2606:2800:220:1:248:1893:25c8:1946]/a.jpg",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_refused_by_default(hass: HomeAssistant, url: str) -> None:
    """Other schemes, local addresses and names, and names resolving to them are refused."""
    assert await async_refusal(hass, url, PictureHosts()) is not None


@pytest.mark.parametrize("url", ALLOWED)
async def test_public_hosts(hass: HomeAssistant, url: str) -> None:
    """http(s) on public addresses, or names that resolve only to public ones, may be fetched."""
    assert await async_refusal(hass, url, PictureHosts()) is None


async def test_allowed_local_hosts(hass: HomeAssistant, resolver: list[str]) -> None:
    """The user's list opens named hosts and networks, and nothing else local."""
    allowed = PictureHosts(parse_picture_hosts("door.local, 192.168.1.0/24 10.0.0.7"))
    assert await async_refusal(hass, "http://door.local/a.jpg", allowed) is None
    assert await async_refusal(hass, "http://192.168.1.20/snap.jpg", allowed) is None
    assert await async_refusal(hass, "http://router.example.com/a.jpg", allowed) is None
    assert await async_refusal(hass, "http://10.0.0.7/a.jpg", allowed) is None
    assert await async_refusal(hass, "http://[::ffff:192.168.1.9]/a.jpg", allowed) is None
    for url in (
        "http://door2.local/a.jpg",
        "http://192.168.2.1/a.jpg",
        "http://10.0.0.8/a.jpg",
        "http://127.0.0.1/a.jpg",
        "http://rebind.example.com/a.jpg",
    ):
        assert await async_refusal(hass, url, allowed) is not None, url
    assert "door.local" not in resolver  # an allowed name is not looked up


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("", []),
        (" door.local ,192.168.1.0/24\n10.0.0.7 ", ["door.local", "192.168.1.0/24", "10.0.0.7/32"]),
        ("Door.Local.", ["door.local"]),
        ("fd00::/8", ["fd00::/8"]),
    ],
)
def test_option_parsing(text: str, entries: list[str]) -> None:
    """Hosts are split on commas and spaces, normalized, networks written out."""
    assert parse_picture_hosts(text) == entries


def test_option_as_stored_keeps_what_parses() -> None:
    """An option edited by hand: entries that do not parse are left out, not fatal."""
    hosts = PictureHosts.from_option("door.local, http://x/, 10.0.0.0/8 *.lan")
    assert hosts.allows_name("door.local")
    assert not hosts.allows_name("http://x/")
    assert hosts.allows_address(ipaddress.ip_address("10.1.2.3"))


@pytest.mark.parametrize(
    "text", ["http://door.local", "door.local/a.jpg", "*.local", "a..b", "x" * 300, "-a"]
)
def test_option_refuses_what_is_not_a_host(text: str) -> None:
    """URLs, paths, wildcards and malformed names are refused by the options flow."""
    with pytest.raises(ValueError, match="not a host name"):
        parse_picture_hosts(text)


async def test_options_flow(hass: HomeAssistant, setup_door: MockConfigEntry) -> None:
    """The options flow keeps the list normalized and refuses a bad one."""
    result = await hass.config_entries.options.async_init(setup_door.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"command_timeout": 10, CONF_PICTURE_HOSTS: "http://door.local"}
    )
    assert result["errors"] == {CONF_PICTURE_HOSTS: "invalid_picture_hosts"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"command_timeout": 10, CONF_PICTURE_HOSTS: "Door.local 192.168.1.0/24"}
    )
    assert setup_door.options[CONF_PICTURE_HOSTS] == "door.local, 192.168.1.0/24"
    await hass.async_block_till_done()


async def test_door_cannot_point_home_assistant_inside(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """A door naming local URLs gets nothing fetched; its stranger event still fires."""
    for url in ("http://127.0.0.1:8123/api/config", "http://192.168.1.1/", "http://door.local/"):
        aioclient_mock.get(url, content=JPEG)
        fire("stranger", {"picture_url": url})
        await hass.async_block_till_done()
    assert aioclient_mock.call_count == 0
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 3}
    assert hass.states.get(PICTURE).state == STATE_UNKNOWN
    stranger = hass.states.get("event.front_door_stranger")
    assert stranger is not None
    assert stranger.attributes["picture_url"] == "http://door.local/"


@pytest.mark.parametrize("door_options", [{CONF_PICTURE_HOSTS: "door.local"}])
async def test_door_allowed_local_host(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """A host the user allowed is fetched."""
    aioclient_mock.get("http://door.local/a.jpg", content=JPEG)
    fire("stranger", {"picture_url": "http://door.local/a.jpg"})
    await hass.async_block_till_done()
    assert aioclient_mock.call_count == 1
    assert hass.states.get(PICTURE).state != STATE_UNKNOWN


class PictureServer:
    """A real HTTP server on loopback: a redirect, a picture, and one that never finishes."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.release = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/redirect", self._redirect)
        self.app.router.add_get("/secret.png", self._secret)
        self.app.router.add_get("/hang", self._hang)
        self.app.router.add_get("/huge", self._huge)
        self.runner = web.AppRunner(self.app)
        self.port = 0

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        self.hits.append("/redirect")
        raise web.HTTPFound(self.url("/secret.png"))

    async def _secret(self, request: web.Request) -> web.StreamResponse:
        self.hits.append("/secret.png")
        return web.Response(body=PNG, content_type="image/png")

    async def _hang(self, request: web.Request) -> web.StreamResponse:
        self.hits.append("/hang")
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(JPEG[:8])
        await self.release.wait()  # the rest never comes (until teardown)
        return response

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        self.hits.append("/huge")
        return web.Response(body=JPEG + b"\0" * MAX_IMAGE_BYTES, content_type="image/jpeg")


@pytest.fixture
async def picture_server(socket_enabled: None) -> AsyncIterator[PictureServer]:
    server = PictureServer()
    await server.start()
    yield server
    server.release.set()
    await server.runner.cleanup()


@pytest.mark.parametrize("door_options", [{CONF_PICTURE_HOSTS: "127.0.0.1"}])
async def test_redirect_timeout_and_size_on_a_real_server(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    picture_server: PictureServer,
) -> None:
    """Against a real server: no redirect followed, a stalled body times out, a cap holds."""
    pictures = setup_door.runtime_data.pictures
    drops = setup_door.runtime_data.drops
    await pictures.async_fetch(picture_server.url("/redirect"))
    assert picture_server.hits == ["/redirect"]  # never /secret.png
    assert drops.by_reason == {"invalid_image": 1}

    with patch("custom_components.devicehub.door.pictures.PICTURE_FETCH_TIMEOUT", 0.3):
        await pictures.async_fetch(picture_server.url("/hang"))
    assert drops.by_reason["fetch_failed"] == 1

    await pictures.async_fetch(picture_server.url("/huge"))
    assert drops.by_reason["too_large"] == 1
    assert pictures.latest is None
    assert hass.states.get(PICTURE).state == STATE_UNKNOWN


class RebindingServers:
    """Two loopback servers on one port: the allowed door (127.0.0.1) and an inside host."""

    def __init__(self) -> None:
        self.hits: dict[str, list[str]] = {"127.0.0.1": [], "127.0.0.2": []}
        self.server_names: list[str | None] = []
        self.runners: list[web.AppRunner] = []
        self.port = 0

    def _app(self, address: str, body: bytes, content_type: str) -> web.Application:
        async def serve(request: web.Request) -> web.StreamResponse:
            self.hits[address].append(request.host)
            return web.Response(body=body, content_type=content_type)

        app = web.Application()
        app.router.add_get("/a.jpg", serve)
        return app

    async def start(self, tls: ssl.SSLContext | None = None) -> None:
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.server_names.append(name)
        for address, body, kind in (
            ("127.0.0.1", JPEG, "image/jpeg"),
            ("127.0.0.2", PNG, "image/png"),  # what a rebinding attacker wants fetched
        ):
            runner = web.AppRunner(self._app(address, body, kind))
            await runner.setup()
            await web.TCPSite(runner, address, self.port, ssl_context=tls).start()
            self.port = runner.addresses[0][1]
            self.runners.append(runner)

    async def stop(self) -> None:
        for runner in self.runners:
            await runner.cleanup()


def self_signed(name: str) -> tuple[bytes, bytes]:
    """A certificate for name (its own issuer) and its key, PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.mark.parametrize("door_options", [{CONF_PICTURE_HOSTS: "127.0.0.1"}])
@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_second_lookup_cannot_change_the_target(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    socket_enabled: None,
    tmp_path: Path,
    scheme: str,
) -> None:
    """DNS rebinding: the name passes the check as 127.0.0.1 (allowed), then would answer
    127.0.0.2 (not allowed). The fetch connects where the check looked, with the name kept
    in the Host header and, for https, in the TLS server name and certificate check.
    """
    name = "flip.example.com"
    answers = iter(["127.0.0.1"])  # a second lookup would get the inside host
    lookups: list[str] = []

    async def rebinding_getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        address = next(answers, "127.0.0.2")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    servers = RebindingServers()
    tls: ssl.SSLContext | None = None
    trust = ssl.create_default_context()
    if scheme == "https":
        cert, key = self_signed(name)
        (tmp_path / "cert.pem").write_bytes(cert)
        (tmp_path / "key.pem").write_bytes(key)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
        trust = ssl.create_default_context(cadata=cert.decode())
    await servers.start(tls)
    pictures = setup_door.runtime_data.pictures
    try:
        with (
            patch.object(hass.loop, "getaddrinfo", rebinding_getaddrinfo),
            patch("custom_components.devicehub.door.pinned.client_context", return_value=trust),
        ):
            await pictures.async_fetch(f"{scheme}://{name}:{servers.port}/a.jpg")
            await hass.async_block_till_done()
    finally:
        await servers.stop()
    assert lookups == [name]  # one lookup: the one that was checked
    assert servers.hits == {"127.0.0.1": [f"{name}:{servers.port}"], "127.0.0.2": []}
    assert servers.server_names == ([name] if scheme == "https" else [])
    assert pictures.latest is not None
    assert pictures.latest.content == JPEG
    assert setup_door.runtime_data.drops.by_reason == {}


async def test_pinned_resolver_answers_only_its_name() -> None:
    """The pinned session cannot be talked into resolving another name."""
    resolver = PinnedResolver(
        "pictures.example.com",
        (ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("2606:2800:220:1::1")),
    )
    with pytest.raises(OSError, match="was not checked"):
        await resolver.resolve("other.example.com", 80)
    both = await resolver.resolve("Pictures.Example.com.", 443)
    assert [(r["host"], r["port"]) for r in both] == [
        ("93.184.216.34", 443),
        ("2606:2800:220:1::1", 443),
    ]
    only_v6 = await resolver.resolve("pictures.example.com", 80, socket.AF_INET6)
    assert [r["host"] for r in only_v6] == ["2606:2800:220:1::1"]
    await resolver.close()
