"""`call`/`result` round trips with a door, matched by id."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import uuid4

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN
from ..mqtt_door.models import CallResult
from ..mqtt_door.payloads import call_payload


class CallManager:
    """Sends calls and hands each result to the call with the same id."""

    def __init__(self, hass: HomeAssistant, publish: Callable[[str], Awaitable[None]]) -> None:
        """Publish calls with the runtime's publisher (which raises when MQTT is down)."""
        self._hass = hass
        self._publish = publish
        self._pending: dict[str, asyncio.Future[CallResult]] = {}

    @property
    def pending(self) -> int:
        """How many calls wait for a result."""
        return len(self._pending)

    async def async_call(
        self, command: str, args: dict[str, Any], wait: float, device_name: str
    ) -> CallResult:
        """Send a command and wait for its result; raise on timeout."""
        call_id = uuid4().hex
        future: asyncio.Future[CallResult] = self._hass.loop.create_future()
        self._pending[call_id] = future

        @callback
        def expire(_now: datetime) -> None:
            if not future.done():
                future.set_exception(
                    HomeAssistantError(
                        translation_domain=DOMAIN,
                        translation_key="call_timeout",
                        translation_placeholders={
                            "command": command,
                            "name": device_name,
                            "timeout": f"{wait:g}",
                        },
                    )
                )

        # A timer of Home Assistant (not asyncio.timeout) so tests can move time.
        cancel_timer = async_call_later(self._hass, wait, expire)
        try:
            await self._publish(call_payload(call_id, command, args))
            return await future
        finally:
            cancel_timer()
            self._pending.pop(call_id, None)

    @callback
    def resolve(self, result: CallResult) -> bool:
        """Hand a result to its call; False when no call waits for that id."""
        future = self._pending.pop(result.call_id, None)
        if future is None or future.done():
            return False
        future.set_result(result)
        return True

    @callback
    def cancel_all(self) -> None:
        """Fail every waiting call: the door is being unloaded."""
        for future in self._pending.values():
            if not future.done():
                future.set_exception(
                    HomeAssistantError(translation_domain=DOMAIN, translation_key="door_unloaded")
                )
        self._pending.clear()
