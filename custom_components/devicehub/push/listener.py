"""An optional plain-HTTP listener of devicehub's own, for a Home Assistant served over
HTTPS only: many terminals speak plain HTTP only.

It serves the same `/iclock/...` endpoints as Home Assistant's own server, through the same
gateway (so the same serial numbers, caps and counters), on an address and port the user
picks in a push terminal's options. Entries naming the same address and port share one
listener; it closes when the last of them unloads.
"""

from dataclasses import dataclass, field

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from .const import LOGGER
from .gateway import async_get_gateway
from .views import async_handle

LISTENERS: HassKey[dict[tuple[str, int], PlainHttpListener]] = HassKey(f"{DOMAIN}_push_listeners")


@dataclass(slots=True)
class PlainHttpListener:
    """One plain-HTTP listener and the entries that asked for it."""

    runner: web.AppRunner
    users: set[str] = field(default_factory=set)


async def async_acquire_listener(hass: HomeAssistant, entry_id: str, host: str, port: int) -> None:
    """Listen on host:port for this entry (shared with other entries); raises OSError when
    the address cannot be bound."""
    listeners = hass.data.setdefault(LISTENERS, {})
    key = (host, port)
    if (listener := listeners.get(key)) is None:
        gateway = async_get_gateway(hass)

        async def handle(request: web.Request) -> web.Response:
            return await async_handle(gateway, request)

        app = web.Application()
        app.router.add_route("GET", "/iclock/{endpoint}", handle)
        app.router.add_route("POST", "/iclock/{endpoint}", handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        LOGGER.info("Push terminals can call http://%s:%s/iclock/", host, port)
        listener = listeners[key] = PlainHttpListener(runner)
    listener.users.add(entry_id)


async def async_release_listener(hass: HomeAssistant, entry_id: str) -> None:
    """This entry no longer needs its listener; the last one out closes it."""
    listeners = hass.data.setdefault(LISTENERS, {})
    for key, listener in list(listeners.items()):
        listener.users.discard(entry_id)
        if not listener.users:
            del listeners[key]
            await listener.runner.cleanup()
