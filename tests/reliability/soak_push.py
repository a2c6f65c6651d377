"""The crash soak's push terminal: the ADMS simulator (tools.admssim) on a loop of its own.

The simulator is an asyncio HTTP client; the soak is threads. Here it runs its own loop
(handshake, realtime uploads, a poll every `Delay`) in a thread, calling the soak Home
Assistant's HTTP server as a push terminal does. Like a real terminal it keeps a batch until
the server answers `OK` and sends it again otherwise (a refused or dropped connection while
Home Assistant is down or starting, an error while devicehub is not loaded yet); every
punch it logs wakes it, so a resend follows the next punch at once.
"""

import asyncio
from collections.abc import Coroutine
import threading
from typing import Any

from tools.admssim import PushTerminalSimulator, SimulatorConfig, UploadResult

# Short: a request to a process just killed fails at once (refused or reset), and one to a
# process that stopped answering must not hold the terminal's loop for long.
REQUEST_TIMEOUT = 5.0


class _CountingTerminal(PushTerminalSimulator):
    """The simulator, counting the uploads it did not get `OK` for (each is sent again)."""

    unanswered = 0

    async def upload_once(self) -> UploadResult:
        result = await super().upload_once()
        if result in (UploadResult.REFUSED, UploadResult.UNREACHABLE):
            self.unanswered += 1
        return result


class PushTerminalThread:
    """One simulated push terminal calling `server`, driven from other threads."""

    def __init__(self, server: str, serial: str) -> None:
        """Set the terminal up; it calls nobody until start."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="soak-push-terminal", daemon=True
        )
        self._sim = _CountingTerminal(
            SimulatorConfig(server=server, serial=serial, request_timeout=REQUEST_TIMEOUT)
        )

    def _call[T](self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the terminal's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    def start(self) -> None:
        """Start the loop and the terminal's own loop (it handshakes once it can)."""
        self._thread.start()

        async def start() -> None:
            await self._sim.__aenter__()
            self._sim.start()

        self._call(start())

    def inject_punch(self, user_id: str) -> None:
        """Someone punches: logged and queued; the terminal uploads it now if it can."""

        async def punch() -> None:
            self._sim.inject_punch(user_id)

        self._call(punch())

    def pending(self) -> list[str]:
        """The user ids of the punches not answered `OK` yet: the ones it sends again."""
        if not self._thread.is_alive():
            return []  # never started: this soak runs without a push terminal

        async def pending() -> list[str]:
            return [punch.user_id for punch in self._sim.data.pending_punches]

        return self._call(pending())

    @property
    def unanswered(self) -> int:
        """Uploads not answered `OK` (Home Assistant down, starting, or killed mid-batch):
        their punches were kept and sent again."""
        return self._sim.unanswered

    def stop(self) -> None:
        """Stop the terminal and its loop."""
        if not self._thread.is_alive():
            self._loop.close()
            return
        try:
            self._call(self._sim.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()
