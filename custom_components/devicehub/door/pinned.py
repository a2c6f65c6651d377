"""HTTP(S) fetches that connect only to addresses checked beforehand.

aiohttp looks a host name up again when it connects; a name server that answers the picture
check with a public address and the connection with a local one (DNS rebinding) would walk
past url_policy. A session whose resolver answers only the checked addresses closes that gap,
while the URL stays as the door sent it: the Host header, TLS server name (SNI) and
certificate check are still those of the name.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import socket

from aiohttp import ClientSession, TCPConnector
from aiohttp.abc import AbstractResolver, ResolveResult
from homeassistant.util.ssl import client_context

from .url_policy import Address


class PinnedResolver(AbstractResolver):
    """Answers one host name with fixed addresses, and refuses every other name."""

    def __init__(self, host: str, addresses: tuple[Address, ...]) -> None:
        """Pin host to addresses."""
        self._host = host
        self._addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> list[ResolveResult]:
        """The pinned addresses, never a new lookup."""
        if host.rstrip(".").lower() != self._host.rstrip(".").lower():
            raise OSError(f"{host} was not checked")
        wanted = {socket.AF_INET: 4, socket.AF_INET6: 6}.get(family)
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self._addresses
            if wanted in (None, address.version)
        ]

    async def close(self) -> None:
        """Nothing to release."""


@asynccontextmanager
async def pinned_session(host: str, addresses: tuple[Address, ...]) -> AsyncIterator[ClientSession]:
    """A short-lived session that can only reach host at the given addresses."""
    connector = TCPConnector(
        resolver=PinnedResolver(host, addresses), ssl=client_context(), use_dns_cache=False
    )
    async with ClientSession(connector=connector) as session:
        yield session
