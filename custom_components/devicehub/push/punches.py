"""Punches of a push terminal: each uploaded punch made durable, then delivered, exactly once.

An upload is answered `OK` only after this returns: each new punch is recorded in the
ledger's journal (a memory write that survives a kill) right before it is handed to the
entities, with nothing awaited between. A kill mid-batch leaves the batch unanswered: the
terminal sends it again, and the ledger drops the punches already delivered.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime, tzinfo

from homeassistant.core import CALLBACK_TYPE, callback

from ..adms.models import AttendanceLine, ParsedLines
from ..punch import Punch, punch_type, verify_method
from .ledger import PunchKey, PunchLedger

ATTLOG = "ATTLOG"


class PunchIntake:
    """Takes ATTLOG uploads of one terminal and delivers their new punches in order."""

    def __init__(self, ledger: PunchLedger, time_zone: tzinfo) -> None:
        """Bind to the terminal's ledger."""
        self._ledger = ledger
        self._time_zone = time_zone
        self._lock = asyncio.Lock()
        self._listeners: list[Callable[[Punch], None]] = []
        self.last_punch: Punch | None = None
        self.delivered = 0
        self.malformed_lines = 0

    @callback
    def async_add_listener(self, listener: Callable[[Punch], None]) -> CALLBACK_TYPE:
        """Call listener with every delivered punch, in order."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def async_take(
        self,
        parsed: ParsedLines[AttendanceLine],
        *,
        stamp: str | None,
        online_since: datetime | None,
    ) -> int:
        """Deliver the batch's new punches, each made durable first; how many were new.

        Raises what storage raises when the journal is full and its Store cannot be saved:
        the batch is then not answered and will be sent again (what was delivered of it is
        dropped then). The batch's stamp is kept once all its punches are journaled.
        """
        self.malformed_lines += parsed.malformed
        # One batch at a time, so a resend racing its original is checked after it.
        async with self._lock:
            new = self._ledger.new_punches(
                (PunchKey(line.user_id, line.time.replace(microsecond=0), line.status), line)
                for line in parsed.records
            )
            # Stable sort: punches within one second keep the terminal's order.
            new.sort(key=lambda item: item[0].timestamp)
            for key, line in new:
                await self._ledger.async_make_room()
                # Durable before announced, and nothing awaited between: a kill comes
                # before both (the resend delivers the punch) or after both.
                self._ledger.record(key)
                self._deliver(key, line.verify, online_since)
            if stamp and stamp.isdigit():
                self._ledger.note_stamps({ATTLOG: stamp})
        return len(new)

    def _deliver(self, key: PunchKey, verify: int, online_since: datetime | None) -> None:
        timestamp = key.timestamp.replace(tzinfo=self._time_zone)
        punch = Punch(
            user_id=key.user_id,
            user_name=self._ledger.users.get(key.user_id) or None,
            timestamp=timestamp,
            punch_type=punch_type(key.status),
            verify=verify_method(verify),
            # Punch times have whole seconds: compare with the second contact resumed in.
            late=online_since is None or timestamp < online_since.replace(microsecond=0),
        )
        self.delivered += 1
        self.last_punch = punch
        for listener in list(self._listeners):
            listener(punch)
