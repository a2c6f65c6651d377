"""A minimal push server on aiohttp.web built on the protocol module alone.

It stands in for Home Assistant where only the protocol is under test: the simulator's
own tests and the protocol-only benchmark. It serves configured serials only, takes a
batch at most once (punches are dropped by (user, time, status) before ``OK``), queues
commands, and counts every refusal. It stores nothing on disk.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from custom_components.devicehub.adms import (
    REPLY_NOTHING,
    AdmsError,
    AdmsRequest,
    AdmsRequestError,
    AttendanceLine,
    Command,
    CommandResult,
    HandshakeOptions,
    ParsedLines,
    PushOptions,
    RequestKind,
    Table,
    encode_commands,
    handshake_reply,
    parse_attlog,
    parse_attlog_stepwise,
    parse_command_results,
    parse_operlog,
    parse_registry,
    parse_request,
    push_reply,
    registry_reply,
    reply_ok,
)
from custom_components.devicehub.adms.limits import MAX_BODY_BYTES


@dataclass(slots=True)
class TerminalRecord:
    """What the stub server knows of one configured terminal."""

    punches: list[AttendanceLine] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    duplicates: int = 0
    malformed: int = 0
    queue: list[tuple[int | str, Command]] = field(default_factory=list)
    results: dict[str, CommandResult] = field(default_factory=dict)
    users_seen: dict[str, str] = field(default_factory=dict)
    polls: int = 0
    handshakes: int = 0


class StubPushServer:
    """Push endpoints for the given serials on a loopback port (0 = a free one)."""

    def __init__(
        self,
        serials: set[str],
        *,
        options: HandshakeOptions | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        on_stored: Callable[[str, AttendanceLine], None] | None = None,
        keep_punches: bool = True,
        parse_in_executor: bool = False,
        parse_stepwise: bool = False,
        uploads_at_once: int | None = None,
    ) -> None:
        """Nothing listens until ``start()``; ``on_stored`` sees each punch stored.

        ``keep_punches=False`` keeps only the duplicate keys (plain tuples, which the
        garbage collector stops tracking), not the punch objects: for benchmarks.
        ``parse_in_executor=True`` reads ATTLOG bodies in a worker thread (the parser is
        pure); ``parse_stepwise=True`` reads them with ``parse_attlog_stepwise``, pausing
        for the loop every few hundred lines. ``uploads_at_once`` bounds how many ATTLOG
        bodies are parsed at the same time (the others wait their turn, off the loop's
        ready queue).
        """
        self._upload_turns = (
            asyncio.Semaphore(uploads_at_once) if uploads_at_once is not None else None
        )
        self.parse_in_executor = parse_in_executor
        self.parse_stepwise = parse_stepwise
        self.on_stored = on_stored
        self.keep_punches = keep_punches
        self.stored = 0
        self.terminals = {serial: TerminalRecord() for serial in serials}
        self.options = options or HandshakeOptions(delay=1, error_delay=1)
        self.refused: Counter[str] = Counter()
        self.refuse_uploads = 0  # answer this many uploads with an error first (a fault)
        self._next_id = 0
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self.url = ""

    async def start(self) -> str:
        """Listen; return the base URL terminals are given."""
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/iclock/{endpoint}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server  # aiohttp keeps the bound socket here
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.url = f"http://{self._host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def wait_until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until predicate holds, checked after every request; TimeoutError if not."""
        async with asyncio.timeout(within):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def queue(self, serial: str, command: Command) -> str:
        """Queue a command for the terminal's next poll; return its id."""
        self._next_id += 1
        self.terminals[serial].queue.append((self._next_id, command))
        return str(self._next_id)

    def punches(self, serial: str) -> list[AttendanceLine]:
        """Punches stored for a terminal, each once, in arrival order."""
        return self.terminals[serial].punches

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            return await self._respond(request)
        finally:
            self._changed.set()

    async def _respond(self, request: web.Request) -> web.Response:
        try:
            parsed = parse_request(request.method, request.path, request.query)
        except AdmsRequestError as err:
            self.refused[err.reason.value] += 1
            return web.Response(status=400, text="ERROR")
        terminal = self.terminals.get(parsed.serial)
        if terminal is None:
            self.refused["unknown_serial"] += 1
            return web.Response(status=403, text="ERROR")
        if parsed.kind is RequestKind.UPLOAD and self.refuse_uploads > 0:
            self.refuse_uploads -= 1
            self.refused["fault"] += 1
            return web.Response(status=503, text="ERROR")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            self.refused["body_too_large"] += 1
            return web.Response(status=413, text="ERROR")
        try:
            if parsed.known_table is Table.ATTLOG and self._upload_turns is not None:
                async with self._upload_turns:
                    reply = await self._attlog(parsed, body, terminal)
            elif parsed.known_table is Table.ATTLOG:
                reply = await self._attlog(parsed, body, terminal)
            else:
                reply = self._answer(parsed, body, terminal)
        except AdmsError as err:
            self.refused[err.reason.value] += 1
            return web.Response(status=400, text="ERROR")
        return web.Response(text=reply)

    async def _attlog(self, parsed: AdmsRequest, body: bytes, terminal: TerminalRecord) -> str:
        if self.parse_in_executor:
            loop = asyncio.get_running_loop()
            return self._store(
                parsed.serial, await loop.run_in_executor(None, parse_attlog, body), terminal
            )
        if self.parse_stepwise:
            return self._store(parsed.serial, await parse_attlog_stepwise(body), terminal)
        return self._store(parsed.serial, parse_attlog(body), terminal)

    def _answer(self, parsed: AdmsRequest, body: bytes, terminal: TerminalRecord) -> str:
        serial = parsed.serial
        match parsed.kind:
            case RequestKind.HANDSHAKE:
                terminal.handshakes += 1
                return handshake_reply(serial, self.options)
            case RequestKind.REGISTRY:
                parse_registry(body)
                return registry_reply(serial)
            case RequestKind.PUSH:
                return push_reply(PushOptions(request_delay=self.options.delay))
            case RequestKind.POLL:
                terminal.polls += 1
                queued, terminal.queue = terminal.queue, []
                return encode_commands(queued) or REPLY_NOTHING
            case RequestKind.COMMAND_RESULT:
                for result in parse_command_results(body).records:
                    terminal.results[result.command_id] = result
                return REPLY_NOTHING
            case RequestKind.UPLOAD:
                return self._upload(parsed.serial, parsed.known_table, body, terminal)
            case _:
                return REPLY_NOTHING

    def _upload(
        self, serial: str, table: Table | None, body: bytes, terminal: TerminalRecord
    ) -> str:
        if table is Table.OPERLOG:
            operlog = parse_operlog(body)
            terminal.malformed += operlog.malformed
            for user in operlog.users:
                terminal.users_seen[user.user_id] = user.name
            return reply_ok(operlog.total)
        return reply_ok(0)

    def _store(
        self, serial: str, parsed: ParsedLines[AttendanceLine], terminal: TerminalRecord
    ) -> str:
        """Keep new punches, drop the ones seen before; then (only then) OK."""
        terminal.malformed += parsed.malformed
        for line in parsed.records:
            if line.key in terminal.keys:
                terminal.duplicates += 1
                continue
            terminal.keys.add(line.key)
            if self.keep_punches:
                terminal.punches.append(line)
            self.stored += 1
            if self.on_stored is not None:
                self.on_stored(serial, line)
        return reply_ok(parsed.total)
