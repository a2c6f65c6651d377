"""Asyncio front of a terminal: one worker thread, calls serialized, errors typed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial

from .client import TerminalClient, TerminalConfig
from .errors import TerminalCannotConnect, TerminalError, as_protocol_error
from .models import AttendanceBatch, ClearResult, TerminalCounts, TerminalInfo, User
from .templates import Fingerprint


class AsyncTerminal:
    """Runs a terminal's blocking calls on its own worker thread, one at a time.

    The connection is opened on first use and kept; after any error it is dropped and the
    next call reconnects.
    """

    def __init__(self, config: TerminalConfig) -> None:
        self.config = config
        self._client = TerminalClient(config)
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"devicehub-zk-{config.host}:{config.port}"
        )
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def transport(self) -> str | None:
        """The transport that worked last ("tcp" or "udp"), None before the first connect."""
        return self._client.transport

    async def run[T](self, call: Callable[[TerminalClient], T]) -> T:
        """Run ``call(client)`` on the worker thread, after any call already queued."""
        async with self._lock:
            if self._closed:
                raise TerminalCannotConnect("the terminal connection is closed")
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self._call_in_worker, call)

    def _call_in_worker[T](self, call: Callable[[TerminalClient], T]) -> T:
        try:
            return call(self._client)
        except TerminalError:
            raise
        except Exception as exc:
            # Something below the client's own handling (e.g. a raw pyzk call in ``call``).
            self._client.close()
            raise as_protocol_error(exc, "running a terminal call") from exc

    async def reset(self) -> None:
        """Drop the connection, after the calls already queued; the next call opens a new one.

        For when the terminal has likely forgotten the session (it rebooted: live capture lost
        its link), so that the next call does not wait out a timeout on it first.
        """
        async with self._lock:
            if self._closed:
                return
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, partial(self._client.close, polite=False))

    async def close(self) -> None:
        """Close the connection and stop the worker thread. Idempotent."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, self._client.close)
        # The queue is empty now, so joining the worker is immediate.
        self._executor.shutdown(wait=True)

    async def get_info(self) -> TerminalInfo:
        """See TerminalClient.get_info."""
        return await self.run(TerminalClient.get_info)

    async def get_counts(self) -> TerminalCounts:
        """See TerminalClient.get_counts."""
        return await self.run(TerminalClient.get_counts)

    async def get_time(self) -> datetime:
        """See TerminalClient.get_time."""
        return await self.run(TerminalClient.get_time)

    async def set_time(self, when: datetime) -> None:
        """See TerminalClient.set_time."""
        await self.run(lambda client: client.set_time(when))

    async def get_users(self) -> list[User]:
        """See TerminalClient.get_users."""
        return await self.run(TerminalClient.get_users)

    async def get_attendance(self) -> AttendanceBatch:
        """See TerminalClient.get_attendance."""
        return await self.run(TerminalClient.get_attendance)

    async def unlock(self, seconds: int) -> None:
        """See TerminalClient.unlock."""
        await self.run(lambda client: client.unlock(seconds))

    async def restart(self) -> None:
        """See TerminalClient.restart."""
        await self.run(TerminalClient.restart)

    async def set_user(  # noqa: PLR0917 (public API signature)
        self,
        user_id: str,
        name: str,
        privilege: int = 0,
        password: str = "",
        card: int = 0,
        group_id: str = "",
    ) -> None:
        """See TerminalClient.set_user."""
        await self.run(
            lambda client: client.set_user(user_id, name, privilege, password, card, group_id)
        )

    async def set_user_enabled(self, user_id: str, enabled: bool) -> User:
        """See TerminalClient.set_user_enabled."""
        return await self.run(lambda client: client.set_user_enabled(user_id, enabled))

    async def get_users_and_templates(self) -> tuple[list[User], list[Fingerprint]]:
        """See TerminalClient.get_users_and_templates."""
        return await self.run(TerminalClient.get_users_and_templates)

    async def put_user(
        self, user: User, fingerprints: list[Fingerprint] | None, drop_fingers: tuple[int, ...] = ()
    ) -> None:
        """See TerminalClient.put_user."""
        await self.run(lambda client: client.put_user(user, fingerprints, drop_fingers))

    async def delete_user(self, user_id: str) -> None:
        """See TerminalClient.delete_user."""
        await self.run(lambda client: client.delete_user(user_id))

    async def clear_attendance(self) -> None:
        """See TerminalClient.clear_attendance."""
        await self.run(TerminalClient.clear_attendance)

    async def clear_attendance_if(
        self, may_clear: Callable[[AttendanceBatch], bool]
    ) -> ClearResult:
        """See TerminalClient.clear_attendance_if; ``may_clear`` runs on the worker thread."""
        return await self.run(lambda client: client.clear_attendance_if(may_clear))

    async def test_voice(self, index: int = 0) -> None:
        """See TerminalClient.test_voice."""
        await self.run(lambda client: client.test_voice(index))
