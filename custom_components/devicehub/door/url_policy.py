"""Which stranger picture URLs a door may make Home Assistant fetch.

A door names the URL; Home Assistant fetches it from inside the network. Left open, that lets
anyone who can publish on the broker make Home Assistant request its own API, the router or a
cloud metadata service. So only http(s) on public hosts is fetched, plus the local hosts and
networks the user allowed in the door's options (a door serving its pictures itself, on the
LAN). Host names are resolved first and every address must pass; redirects are not followed.
The fetch then connects to the addresses that passed (see pinned.py): a second lookup, which a
hostile name server could answer differently (DNS rebinding), never happens.
"""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
import ipaddress
import re
import socket
from typing import Final
from urllib.parse import urlsplit

from homeassistant.core import HomeAssistant

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address
type Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names that only mean something on a local network.
LOCAL_SUFFIXES: Final = (
    ".localhost",
    ".local",
    ".localdomain",
    ".lan",
    ".home",
    ".home.arpa",
    ".internal",
    ".intranet",
    ".corp",
    ".private",
)
RESOLVE_TIMEOUT: Final = 5
_HOST_NAME: Final = re.compile(r"(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_-]{1,63})*")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def _unmapped(address: Address) -> Address:
    """An IPv4-mapped IPv6 address as the IPv4 address it stands for."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class PictureHosts:
    """The local hosts a user allowed pictures from: names, addresses and networks."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        """Take entries as parse_picture_hosts returns them."""
        self._names: set[str] = set()
        self._networks: list[Network] = []
        for entry in entries:
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self._names.add(entry)

    @classmethod
    def from_option(cls, text: str) -> PictureHosts:
        """The hosts of the door's option; entries that do not parse are left out."""
        entries: list[str] = []
        for part in re.split(r"[\s,]+", text):
            try:
                entries += parse_picture_hosts(part)
            except ValueError:
                continue
        return cls(entries)

    def allows_name(self, host: str) -> bool:
        """Whether the user allowed this host name (or address, as written)."""
        return host in self._names

    def allows_address(self, address: Address) -> bool:
        """Whether the address is in a network the user allowed."""
        address = _unmapped(address)
        return any(address in network for network in self._networks)


def parse_picture_hosts(text: str) -> list[str]:
    """Split the option text into host names, addresses and networks; ValueError if bad."""
    entries: list[str] = []
    for raw in re.split(r"[\s,]+", text.strip().lower()):
        if not raw:
            continue
        entry = raw.rstrip(".")
        try:
            entries.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            if not _HOST_NAME.fullmatch(entry):
                raise ValueError(f"not a host name, address or network: {raw}") from None
            entries.append(entry)
    return entries


def _is_local_name(host: str) -> bool:
    return "." not in host or host == "localhost" or host.endswith(LOCAL_SUFFIXES)


def _refuse_address(address: Address, allowed: PictureHosts) -> bool:
    plain = _unmapped(address)
    local = not plain.is_global or plain.is_multicast
    return local and not allowed.allows_address(address)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a URL may be fetched and, for a looked-up name, the addresses that passed.

    The fetch must connect to `pinned` (when set) and nowhere else.
    """

    refusal: str | None
    host: str = ""
    pinned: tuple[Address, ...] | None = None


async def async_refusal(hass: HomeAssistant, url: str, allowed: PictureHosts) -> str | None:
    """Why a picture URL must not be fetched; None when it may be."""
    return (await async_verdict(hass, url, allowed)).refusal


async def async_verdict(hass: HomeAssistant, url: str, allowed: PictureHosts) -> Verdict:
    """Check a picture URL; a host name is looked up once and its addresses kept."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return Verdict("not a URL")
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return Verdict("not http(s)")
    if parts.username is not None or parts.password is not None:
        return Verdict("credentials in the URL")
    host = parts.hostname.rstrip(".")
    if allowed.allows_name(host):
        # The user trusts this name wherever it points: nothing to pin.
        return Verdict(None)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return Verdict("local address not allowed" if _refuse_address(literal, allowed) else None)
    if _is_local_name(host):
        return Verdict("local host name not allowed")
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            infos = await hass.loop.getaddrinfo(
                host, port or _DEFAULT_PORTS[parts.scheme], type=socket.SOCK_STREAM
            )
    except OSError, TimeoutError:
        return Verdict("host name does not resolve")
    addresses: list[Address] = []
    for *_, sockaddr in infos:
        try:
            resolved = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError:
            return Verdict("host name resolves to something else than an address")
        if _refuse_address(resolved, allowed):
            return Verdict("host name resolves to a local address not allowed")
        if resolved not in addresses:
            addresses.append(resolved)
    if not addresses:
        return Verdict("host name does not resolve")
    return Verdict(None, parts.hostname, tuple(addresses))
