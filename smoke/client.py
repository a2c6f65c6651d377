"""Home Assistant's REST and websocket APIs, as the smoke test uses them (aiohttp)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import itertools
import time
from typing import Any

import aiohttp

POLL_SECONDS = 0.1  # polling a REST endpoint until a bounded deadline


def form_defaults(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The answers the UI's form starts with: each field's suggested value or default,
    sections included."""
    answers: dict[str, Any] = {}
    for field in fields:
        suggested = (field.get("description") or {}).get("suggested_value")
        if field.get("type") == "expandable":
            answers[field["name"]] = form_defaults(field["schema"])
        elif suggested is not None:
            answers[field["name"]] = suggested
        elif "default" in field:
            answers[field["name"]] = field["default"]
        elif field.get("required") and (ui_default := _ui_default(field.get("selector", {}))):
            answers[field["name"]] = ui_default[0]
    return answers


def _ui_default(selector: dict[str, Any]) -> tuple[Any] | None:
    """What the UI shows in a required field without a default: off, or the first option."""
    if "boolean" in selector:
        return (False,)
    if options := selector.get("select", {}).get("options"):
        first = options[0]
        return (first["value"] if isinstance(first, dict) else first,)
    return None


class HassClient:
    """An owner's connection: REST calls with its token, one authenticated websocket."""

    def __init__(self, base_url: str, token: str) -> None:
        self._base_url = base_url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._token = token
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the HTTP session and the websocket, and authenticate it."""
        self._session = aiohttp.ClientSession(headers=self._headers)
        self._ws = await self._session.ws_connect(f"{self._base_url}/api/websocket")
        assert (await self._ws.receive_json())["type"] == "auth_required"
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        answer = await self._ws.receive_json()
        assert answer["type"] == "auth_ok", answer
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            data = message.json()
            if data.get("type") == "event" and data["id"] in self._events:
                self._events[data["id"]].put_nowait(data["event"])
            elif (future := self._waiting.pop(data.get("id", -1), None)) is not None:
                future.set_result(data)

    async def command(self, **message: Any) -> Any:
        """Send a websocket command; return its result, raise on an error answer."""
        assert self._ws is not None
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        await self._ws.send_json({"id": ident, **message})
        answer = await future
        if not answer.get("success"):
            raise AssertionError(f"websocket {message['type']} failed: {answer.get('error')}")
        return answer.get("result")

    async def get(self, path: str) -> Any:
        assert self._session is not None
        async with self._session.get(self._base_url + path) as response:
            response.raise_for_status()
            return await response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        assert self._session is not None
        async with self._session.post(self._base_url + path, json=body) as response:
            if response.status >= 400:
                raise AssertionError(f"POST {path}: {response.status} {await response.text()}")
            return await response.json()

    async def flow_start(self, handler: str) -> dict[str, Any]:
        """Start a config flow, as Settings -> Add integration does."""
        result: dict[str, Any] = await self.post(
            "/api/config/config_entries/flow", {"handler": handler, "show_advanced_options": False}
        )
        return result

    async def flow_step(self, flow_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Answer the current step of a config flow."""
        result: dict[str, Any] = await self.post(f"/api/config/config_entries/flow/{flow_id}", data)
        return result

    async def wait_discovered_flow(self, handler: str, step_id: str, seconds: float) -> Any:
        """A discovered flow waiting at step_id (what the UI lists under Discovered)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for flow in await self.command(type="config_entries/flow/progress"):
                if flow["handler"] == handler and flow["step_id"] == step_id:
                    return flow
            await asyncio.sleep(POLL_SECONDS)
        raise AssertionError(f"no discovered {handler} flow at {step_id}")

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.get(
            f"/api/config/config_entries/entry?domain={domain}"
        )
        return result

    async def entry_id(self, domain: str, title: str) -> str:
        (entry,) = [e for e in await self.entries(domain) if e["title"] == title]
        return str(entry["entry_id"])

    async def wait_entry_loaded(self, domain: str, seconds: float, title: str | None = None) -> Any:
        return await self._poll(
            lambda entries: next(
                (e for e in entries if e["state"] == "loaded" and title in (None, e["title"])),
                None,
            ),
            f"/api/config/config_entries/entry?domain={domain}",
            seconds,
            f"no loaded {domain} entry {title or ''}",
        )

    async def wait_state(self, entity_id: str, state: str, seconds: float) -> Any:
        async def current() -> Any:
            assert self._session is not None
            async with self._session.get(f"{self._base_url}/api/states/{entity_id}") as response:
                return await response.json() if response.status == 200 else None

        deadline = time.monotonic() + seconds
        seen = None
        while time.monotonic() < deadline:
            seen = await current()
            if seen is not None and seen["state"] == state:
                return seen
            await asyncio.sleep(POLL_SECONDS)
        raise AssertionError(f"{entity_id} is {seen and seen['state']!r}, not {state!r}")

    async def _poll(self, pick: Any, path: str, seconds: float, failure: str) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if (found := pick(await self.get(path))) is not None:
                return found
            await asyncio.sleep(POLL_SECONDS)
        raise AssertionError(failure)

    async def call_service(
        self, domain: str, service: str, data: dict[str, Any], return_response: bool = False
    ) -> Any:
        """Call an action over the websocket; its response when return_response."""
        result = await self.command(
            type="call_service",
            domain=domain,
            service=service,
            service_data=data,
            return_response=return_response,
        )
        return result["response"] if return_response else result

    @asynccontextmanager
    async def state_changes(self, entity_id: str) -> AsyncIterator[asyncio.Queue[Any]]:
        """New states of an entity, pushed by Home Assistant while the block runs."""
        assert self._ws is not None
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        ident = next(self._ids)
        states: asyncio.Queue[Any] = asyncio.Queue()
        self._events[ident] = queue
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        await self._ws.send_json(
            {"id": ident, "type": "subscribe_events", "event_type": "state_changed"}
        )
        assert (await future)["success"]

        async def forward() -> None:
            while True:
                event = await queue.get()
                if event["data"]["entity_id"] == entity_id and event["data"]["new_state"]:
                    states.put_nowait(event["data"]["new_state"])

        forwarding = asyncio.create_task(forward())
        try:
            yield states
        finally:
            forwarding.cancel()
            del self._events[ident]
            await self.command(type="unsubscribe_events", subscription=ident)
