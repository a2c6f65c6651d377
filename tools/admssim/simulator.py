"""A simulated ZKTeco push terminal: an HTTP client calling a server's ``/iclock/`` URLs.

Every network step is an awaitable method (``handshake``, ``upload_once``, ``flush``,
``poll_once``), so tests drive the terminal deterministically; ``start()`` runs the
terminal's own loop (handshake, realtime uploads, a poll every ``Delay`` seconds) for the
command line and benchmarks. A batch stays queued until the server answers ``OK``;
anything else (an error status, another text, a refused or dropped connection) sends the
same batch again next time, exactly like a real terminal.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
import contextlib
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
import logging
import random
from typing import Self

import aiohttp

from .config import PushVersion, SimulatorConfig
from .door import door_event_line, door_state_line
from .execute import Outcome, Unlock, execute
from .terminal import Punch, SimUser, TerminalClock, TerminalData
from .wire import Exchange, ExecutedCommand, UploadResult, key_values, time_zone

_LOGGER = logging.getLogger(__name__)


class PushTerminalSimulator:
    """One simulated push terminal talking to ``config.server``."""

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        clock: TerminalClock | None = None,
    ) -> None:
        """Set the terminal up; nothing is sent until a step method or ``start()``."""
        self.config = config or SimulatorConfig()
        self.clock = clock or TerminalClock(self.config.utc_offset, self.config.clock_skew)
        self.data = TerminalData()
        self.delay = self.config.delay
        self.error_delay = self.config.error_delay
        self.realtime = True
        self.server_options: dict[str, str] = {}
        self.registry_code: str | None = None
        self.online = True
        self.handshaken = False
        self.punches_sent: list[Punch] = []
        self.door_lines_sent: list[str] = []
        self._door_index = 0
        self.operlog_lines_sent = 0
        self.resends = 0
        self.unlocks: list[Unlock] = []
        self.commands: list[ExecutedCommand] = []
        self.reboots = 0
        self.clock_syncs = 0
        self.exchanges: deque[Exchange] = deque(maxlen=500)
        self._session = session
        self._owns_session = session is None
        self._pending_results: list[str] = []
        self._last_attempt: tuple[str, int] | None = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    # ---- lifetime -------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        """Open the HTTP session."""
        self._client()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the loops and close the session."""
        await self.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.config.request_timeout)
            self._session = aiohttp.ClientSession(
                timeout=timeout, headers={"User-Agent": self.config.user_agent}
            )
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        """Stop background loops and close the session if this terminal opened it."""
        await self.stop()
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    # ---- the terminal's data ----------------------------------------------------------

    @property
    def serial(self) -> str:
        """The serial number the terminal sends as ``SN``."""
        return self.config.serial

    @property
    def users(self) -> dict[str, SimUser]:
        """The user table, by user id."""
        return self.data.users

    @property
    def pending(self) -> int:
        """Punches logged but not yet acknowledged by the server."""
        return len(self.data.pending_punches)

    def add_users(self, users: Iterable[SimUser]) -> None:
        """Enrol users directly (as at the terminal's keypad), without an upload."""
        for user in users:
            self.data.users[user.user_id] = user

    def inject_punch(
        self, user_id: str, status: int = 0, verify: int = 1, when: datetime | None = None
    ) -> Punch:
        """Someone punches: the punch is logged and queued; realtime mode uploads it now."""
        punch = self.data.add_punch(user_id, when or self.clock.now(), status, verify)
        self._wake.set()
        return punch

    def add_backlog(self, count: int, start: datetime, users: int = 100) -> list[Punch]:
        """Log ``count`` distinct punches a second apart from ``start`` (an outage's backlog)."""
        return [
            self.data.add_punch(str(1 + index % users), start + timedelta(seconds=index), 0, 1)
            for index in range(count)
        ]

    def resend_history(self) -> int:
        """Queue every acknowledged punch again (a terminal whose upload stamps were reset);
        return how many. The server must drop them all as duplicates."""
        queued = {punch.seq for punch in self.data.pending_punches}
        again = [punch for punch in self.punches_sent if punch.seq not in queued]
        self.data.pending_punches[:0] = again
        self._wake.set()
        return len(again)

    # ---- faults -----------------------------------------------------------------------

    def go_offline(self) -> None:
        """Start an offline spell: nothing is sent, punches pile up."""
        self.online = False

    def go_online(self) -> None:
        """End the offline spell: the next steps handshake again and upload the backlog."""
        self.online = True
        self.handshaken = False
        self._wake.set()

    async def post_raw(
        self, endpoint: str, body: bytes, params: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """POST any body to ``/iclock/<endpoint>`` as this terminal; (status, reply)."""
        query = {"SN": self.serial, **(params or {})}
        return await self._request("POST", endpoint, query, body)

    async def send_garbage(self, size: int = 512, table: str = "ATTLOG", seed: int = 0) -> int:
        """Upload random bytes as a table; return the HTTP status."""
        body = random.Random(seed).randbytes(size)
        status, _ = await self.post_raw("cdata", body, {"table": table, "Stamp": "1"})
        return status

    async def send_oversized(self, size: int, table: str = "ATTLOG") -> int:
        """Upload a well-formed but ``size``-byte ATTLOG body; return the HTTP status."""
        line = b"1\t2020-01-01 00:00:00\t0\t1\t0\t0\t0\n"
        body = (line * (size // len(line) + 1))[:size]
        status, _ = await self.post_raw("cdata", body, {"table": table, "Stamp": "1"})
        return status

    # ---- access control (Security PUSH: rtlog, rtstate) ------------------------------------

    async def send_door_event(
        self,
        event: int,
        *,
        user_id: str = "0",
        card: str = "0",
        verify: int = 0,
        door: int = 1,
        when: datetime | None = None,
    ) -> UploadResult:
        """Report a door event at once (``table=rtlog``), as access models do."""
        self._door_index += 1
        line = door_event_line(
            when or self.clock.now(),
            event,
            user_id=user_id,
            card=card,
            door=door,
            verify=verify,
            index=self._door_index,
        )
        return await self._send_door_line("rtlog", line)

    async def send_door_state(
        self, *, sensor: int, alarm: int = 0, when: datetime | None = None
    ) -> UploadResult:
        """Report the door's sensor and alarms at once (``table=rtstate``)."""
        line = door_state_line(when or self.clock.now(), sensor=sensor, alarm=alarm)
        return await self._send_door_line("rtstate", line)

    async def _send_door_line(self, table: str, line: str) -> UploadResult:
        if not self.online:
            return UploadResult.OFFLINE
        if not await self._ready():
            return UploadResult.UNREACHABLE
        query = {"SN": self.serial, "table": table}
        status, reply = await self._request("POST", "cdata", query, (line + "\n").encode())
        if status == 0:
            return UploadResult.UNREACHABLE
        if status != 200 or not reply.strip().startswith("OK"):
            return UploadResult.REFUSED
        self.door_lines_sent.append(line)
        return UploadResult.ACCEPTED

    # ---- protocol steps ---------------------------------------------------------------

    async def _request(
        self, method: str, endpoint: str, query: dict[str, str], body: bytes | None = None
    ) -> tuple[int, str]:
        url = f"{self.config.server.rstrip('/')}/iclock/{endpoint}"
        table = query.get("table")
        lines = body.count(b"\n") if body else 0
        try:
            async with self._client().request(
                method, url, params=query, data=body, headers={"Content-Type": "text/plain"}
            ) as response:
                reply = await response.text(errors="replace")
                status = response.status
                date = response.headers.get("Date")
        except (aiohttp.ClientError, TimeoutError) as err:
            _LOGGER.debug("%s %s: no answer (%s)", method, endpoint, type(err).__name__)
            self.exchanges.append(Exchange(method, endpoint, 0, "", table, lines))
            return 0, ""
        self.exchanges.append(Exchange(method, endpoint, status, reply[:200], table, lines))
        if date and status == 200 and self.config.sync_clock:
            self._sync_clock(date)
        return status, reply

    def _sync_clock(self, date_header: str) -> None:
        """Set the clock from a reply's Date (GMT) and the handshake's TimeZone, as the
        specification has terminals do on every reply."""
        try:
            moment = parsedate_to_datetime(date_header)
        except TypeError, ValueError:
            return
        zone = time_zone(self.server_options.get("TimeZone"))
        offset = self.config.utc_offset if zone is None else zone
        self.clock.set((moment.astimezone(UTC) + offset).replace(tzinfo=None))
        self.clock_syncs += 1

    async def handshake(self) -> bool:
        """``GET /iclock/cdata?options=all``; adopt Delay, ErrorDelay and Realtime. v3 then
        registers and asks ``/iclock/push``. True when the server took the terminal."""
        if not self.online:
            return False
        query = {
            "SN": self.serial,
            "options": "all",
            "pushver": self.config.push_version.value,
            "language": "69",
        }
        status, reply = await self._request("GET", "cdata", query)
        options = key_values(reply)
        if status != 200 or not reply.startswith("GET OPTION FROM"):
            return False
        self._adopt(options, delay_key="Delay")
        if self.config.push_version is PushVersion.V3 and not await self._register():
            return False
        self.handshaken = True
        return True

    async def _register(self) -> bool:
        body = ",".join(
            (
                "DeviceType=acc" if self.config.access_control else "DeviceType=att",
                f"~DeviceName={self.config.model}",
                f"FirmVer={self.config.firmware}",
                f"PushVersion={self.config.push_version.value}",
                f"LockCount={self.config.doors if self.config.access_control else 0}",
            )
        ).encode()
        status, reply = await self._request("POST", "registry", {"SN": self.serial}, body)
        code = key_values(reply).get("RegistryCode")
        if status != 200 or not code:
            return False
        self.registry_code = code
        status, reply = await self._request("POST", "push", {"SN": self.serial}, b"")
        if status != 200:
            return False
        self._adopt(key_values(reply), delay_key="RequestDelay")
        return True

    def _adopt(self, options: dict[str, str], delay_key: str) -> None:
        self.server_options.update(options)
        with contextlib.suppress(ValueError):
            self.delay = float(options.get(delay_key, self.delay))
        with contextlib.suppress(ValueError):
            self.error_delay = float(options.get("ErrorDelay", self.error_delay))
        self.realtime = options.get("Realtime", "1" if self.realtime else "0") == "1"

    async def _ready(self) -> bool:
        return self.online and (self.handshaken or await self.handshake())

    async def upload_once(self) -> UploadResult:
        """Send one batch (punches first, then OPERLOG lines) and keep it unless ``OK``."""
        if not self.online:
            return UploadResult.OFFLINE
        if not self.data.pending_punches and not self.data.pending_operlog:
            return UploadResult.NOTHING
        if not await self._ready():
            return UploadResult.UNREACHABLE
        size = self.config.batch_size
        if self.data.pending_punches:
            batch = self.data.pending_punches[:size]
            table, stamp = "ATTLOG", batch[-1].seq
            body = "".join(punch.line() + "\n" for punch in batch)
        else:
            lines = self.data.pending_operlog[:size]
            table, stamp = "OPERLOG", self.operlog_lines_sent + len(lines)
            body = "".join(line + "\n" for line in lines)
        attempt = (table, stamp)
        if attempt == self._last_attempt:
            self.resends += 1
        self._last_attempt = attempt
        query = {"SN": self.serial, "table": table, "Stamp": str(stamp)}
        status, reply = await self._request("POST", "cdata", query, body.encode())
        if status == 0:
            return UploadResult.UNREACHABLE
        if status != 200 or not reply.strip().startswith("OK"):
            return UploadResult.REFUSED
        self._last_attempt = None
        if table == "ATTLOG":
            self.punches_sent += batch
            del self.data.pending_punches[: len(batch)]
        else:
            self.operlog_lines_sent += len(lines)
            del self.data.pending_operlog[: len(lines)]
        return UploadResult.ACCEPTED

    async def flush(self, max_batches: int = 10_000) -> UploadResult:
        """Upload batch after batch until nothing is left or one is not accepted."""
        result = UploadResult.NOTHING
        for _ in range(max_batches):
            result = await self.upload_once()
            if result is not UploadResult.ACCEPTED:
                break
        return result

    async def poll_once(self) -> list[ExecutedCommand]:
        """``GET /iclock/getrequest``; run the commands and post their results at once."""
        if not await self._ready():
            return []
        await self._post_results()
        status, reply = await self._request("GET", "getrequest", {"SN": self.serial})
        if status != 200:
            return []
        executed: list[ExecutedCommand] = []
        reboot = False
        for line in reply.splitlines():
            if not line.startswith("C:"):
                continue
            _, command_id, text = line.split(":", 2)
            outcome = execute(text, self.config, self.data, self.clock)
            executed.append(ExecutedCommand(command_id, text, outcome.return_code))
            self._record(command_id, outcome)
            reboot = reboot or outcome.reboot
        self.commands += executed
        await self._post_results()
        if reboot:
            self.reboots += 1
            self.handshaken = False
        return executed

    def _record(self, command_id: str, outcome: Outcome) -> None:
        result = f"ID={command_id}&Return={outcome.return_code}&CMD={outcome.name}"
        self._pending_results.append("\n".join([result, *outcome.data]))
        if outcome.unlock is not None:
            self.unlocks.append(outcome.unlock)
        if outcome.upload_now:
            self._wake.set()

    async def _post_results(self) -> None:
        if not self._pending_results:
            return
        body = "".join(result + "\n" for result in self._pending_results).encode()
        status, reply = await self._request("POST", "devicecmd", {"SN": self.serial}, body)
        if status == 200 and reply.strip().startswith("OK"):
            self._pending_results.clear()

    # ---- the terminal's own loop ---------------------------------------------------------

    def start(self, punch_every: float | None = None, users: int = 50, seed: int = 0) -> None:
        """Run the terminal loop (and a punch every ``punch_every`` seconds) in the background."""
        self._stopping = False
        self._tasks.append(asyncio.create_task(self._run(), name=f"admssim {self.serial}"))
        if punch_every:
            rng = random.Random(seed)
            self._tasks.append(
                asyncio.create_task(self._punch_loop(punch_every, users, rng), name="punches")
            )

    async def stop(self) -> None:
        """Stop the background loops."""
        self._stopping = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _punch_loop(self, every: float, users: int, rng: random.Random) -> None:
        while not self._stopping:
            await asyncio.sleep(every)
            self.inject_punch(str(rng.randint(1, users)), status=rng.choice((0, 1)))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_poll = 0.0
        while not self._stopping:
            pause = self.delay
            if self.online:
                if not self.handshaken and not await self.handshake():
                    await self._sleep(self.error_delay)
                    continue
                if self.realtime or loop.time() >= next_poll:
                    result = await self.flush()
                    if result in (UploadResult.REFUSED, UploadResult.UNREACHABLE):
                        pause = min(pause, self.error_delay)
                if loop.time() >= next_poll:
                    await self.poll_once()
                    next_poll = loop.time() + self.delay
                if not self.handshaken:  # rebooted
                    await self._sleep(self.config.reboot_seconds)
                    continue
                pause = max(0.0, min(pause, next_poll - loop.time()))
            await self._sleep(pause)

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
