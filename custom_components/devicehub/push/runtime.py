"""Everything one push terminal entry runs: its ledger, liveness, commands and users.

The terminal calls Home Assistant; the gateway hands each request of a configured serial
number to its runtime. Nothing here opens a connection.
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..access.feed import AccessFeed
from ..adms import (
    REPLY_NOTHING,
    AttendanceLine,
    Command,
    CommandResult,
    DeviceInfo,
    HandshakeOptions,
    Info,
    ParsedLines,
    PollInfo,
    PushOptions,
    QueryUsers,
    UserLine,
    encode_commands,
    handshake_reply,
    push_reply,
)
from .access import push_access_feed
from .commands import CommandOutcome, CommandQueue, PendingCommand, async_wait_with_deadline
from .const import COMMANDS_PER_POLL, LOGGER
from .ledger import PunchLedger
from .liveness import Liveness
from .punches import PunchIntake
from .settings import PushSettings

type PushConfigEntry = ConfigEntry[PushRuntime]

# Device facts kept from INFO results, registry bodies and polls.
FACT_MODEL = "model"
FACT_FIRMWARE = "firmware"
FACT_PLATFORM = "platform"
FACT_MAC = "mac"
FACT_IP = "ip_address"
FACT_PUSH_VERSION = "push_version"
# "acc" for access control models (security protocol), "att" for attendance ones.
FACT_DEVICE_TYPE = "device_type"
# "1" once the terminal sent a door log (rtlog, rtstate): an access model, whatever it said.
FACT_DOOR_LOGS = "door_logs"
FACT_USERS = "users"
FACT_RECORDS = "records"
# What a terminal answers to a query with nothing to return.
RETURN_NO_DATA = -1
TABLE_STAMPS = {"OPERLOG": "OPERLOG", "ATTPHOTO": "ATTPHOTO"}


def _text(count: int | None) -> str:
    return "" if count is None else str(count)


class PushRuntime:
    """The runtime data of a push terminal entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PushConfigEntry,
        settings: PushSettings,
        ledger: PunchLedger,
    ) -> None:
        """Assemble the parts; the gateway starts serving the terminal once it is added."""
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.ledger = ledger
        self.punches = PunchIntake(ledger, settings.time_zone)
        self.commands: CommandQueue[Command] = CommandQueue()
        self.liveness = Liveness(hass, entry, settings.online_window, self._async_changed)
        self.counters: Counter[str] = Counter()
        # The users as last reported, with their details; names also survive restarts.
        self.user_lines: dict[str, UserLine] = {}
        self._user_waiters: list[asyncio.Future[None]] = []
        self._listeners: list[CALLBACK_TYPE] = []
        # Platforms waiting to add their access entities until the terminal shows a door.
        self._access_adders: list[Callable[[], Awaitable[None]]] = []
        self.access: AccessFeed = push_access_feed(
            hass,
            settings.serial_number,
            entry.title,
            lambda: self.liveness.online,
            self.async_add_listener,
        )

    @property
    def serial_number(self) -> str:
        """The terminal's serial number, its only identity."""
        return self.settings.serial_number

    @property
    def facts(self) -> Mapping[str, str]:
        """What the terminal told about itself, kept across restarts."""
        return self.ledger.device

    @property
    def user_count(self) -> int | None:
        """How many users the terminal holds, as it last reported."""
        reported = self.ledger.device.get(FACT_USERS)
        return int(reported) if reported is not None and reported.isdigit() else None

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call listener when the terminal comes or goes, or reports new facts."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _async_changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    @callback
    def async_note_contact(self, kind: str) -> None:
        """A request of the terminal arrived."""
        self.counters[f"requests_{kind}"] += 1
        self.liveness.async_note_contact()

    def handshake(self, push_version: str | None) -> str:
        """The options answering the terminal's handshake."""
        if push_version:
            self._note_facts({FACT_PUSH_VERSION: push_version})
        stamps = self.ledger.stamps
        return handshake_reply(
            self.serial_number,
            HandshakeOptions(
                delay=self.settings.delay,
                realtime=self.settings.realtime,
                attlog_stamp=stamps.get("ATTLOG", "None"),
                operlog_stamp=stamps.get("OPERLOG", "None"),
                attphoto_stamp=stamps.get("ATTPHOTO", "None"),
                time_zone_minutes=self.settings.utc_offset_minutes(dt_util.utcnow()),
            ),
        )

    def push_options(self) -> str:
        """The configuration answering a push v3 terminal's `push` request."""
        return push_reply(
            PushOptions(request_delay=self.settings.delay, realtime=self.settings.realtime)
        )

    async def async_take_attendance(
        self, parsed: ParsedLines[AttendanceLine], stamp: str | None
    ) -> int:
        """Deliver the new punches of an upload, each durable first; raises if storage fails."""
        self.counters["malformed_lines"] += parsed.malformed
        new = await self.punches.async_take(
            parsed, stamp=stamp, online_since=self.liveness.online_since
        )
        self.counters["punches_delivered"] += new
        self.counters["punches_duplicate"] += len(parsed.records) - new
        return new

    @callback
    def take_table_stamp(self, table: str, stamp: str | None) -> None:
        """Remember the stamp of an upload of another table, so it is not sent again."""
        if (name := TABLE_STAMPS.get(table.upper())) and stamp and stamp.isdigit():
            self.ledger.note_stamps({name: stamp})

    @callback
    def take_users(self, users: tuple[UserLine, ...], *, complete: bool) -> None:
        """Names of users, from an operation log or a user table upload."""
        if complete:
            self.user_lines = {}
        self.user_lines.update({user.user_id: user for user in users})
        names = {user.user_id: user.name for user in users}
        for waiter in self._user_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._user_waiters.clear()
        self.ledger.note_users(names, replace=complete)
        if complete:
            self._note_facts({FACT_USERS: str(len(names))})
        self._async_changed()

    async def async_query_users(self) -> CommandOutcome:
        """Ask for the user table and wait until it arrives (it is uploaded after the
        command's result); a terminal without users answers -1, an empty table."""
        arrived: asyncio.Future[None] = self.hass.loop.create_future()
        self._user_waiters.append(arrived)
        try:
            outcome = await self.async_run(QueryUsers())
            if outcome.succeeded:
                await async_wait_with_deadline(
                    self.hass, arrived, self.settings.command_timeout.total_seconds()
                )
            elif outcome.return_code == RETURN_NO_DATA:
                self.user_lines = {}
                self.ledger.note_users({}, replace=True)
                outcome = replace(outcome, return_code=0)
        finally:
            arrived.cancel()
            if arrived in self._user_waiters:
                self._user_waiters.remove(arrived)
        return outcome

    def user_name(self, user_id: str) -> str | None:
        """A user's name as the terminal last reported it."""
        return self.ledger.users.get(user_id) or None

    @callback
    def forget_user(self, user_id: str) -> None:
        """A user was deleted on the terminal."""
        self.user_lines.pop(user_id, None)
        self.ledger.forget_user(user_id)
        self._async_changed()

    @callback
    def take_device_info(self, info: DeviceInfo) -> None:
        """Facts from an INFO result, a registry body or an options upload."""
        self._note_facts(
            {
                FACT_MODEL: info.device_name or "",
                FACT_FIRMWARE: info.firmware or "",
                FACT_PLATFORM: info.platform or "",
                FACT_MAC: info.mac or "",
                FACT_DEVICE_TYPE: info.get("DeviceType") or "",
                FACT_USERS: str(count) if (count := info.count("UserCount")) is not None else "",
                FACT_RECORDS: str(n)
                if (n := info.count("TransactionCount", "AttLogCount"))
                else "",
            }
        )

    def poll(self, info: PollInfo | None) -> str:
        """Answer a poll: the commands waiting, or nothing to do."""
        if info is not None:
            self._note_facts(
                {
                    FACT_FIRMWARE: info.firmware,
                    FACT_USERS: _text(info.users),
                    FACT_RECORDS: _text(info.records),
                    FACT_IP: info.ip_address or "",
                }
            )
        taken = self.commands.take(COMMANDS_PER_POLL)
        if not taken:
            return REPLY_NOTHING
        self.counters["commands_sent"] += len(taken)
        return encode_commands((pending.command_id, pending.command) for pending in taken)

    @callback
    def take_results(self, results: ParsedLines[CommandResult]) -> None:
        """Results of commands, posted by the terminal."""
        self.counters["malformed_lines"] += results.malformed
        for result in results.records:
            if result.data:
                self.take_device_info(DeviceInfo(values=result.data))
            if not self.commands.resolve(result.command_id, result.return_code, {}):
                LOGGER.debug(
                    "%s: result for unknown command %s", self.entry.title, result.command_id
                )

    async def async_run(self, command: Command) -> CommandOutcome:
        """Queue a command and wait for the terminal to confirm it; raises
        CommandNotConfirmedError when it does not within the poll delay plus a margin."""
        command.encode()  # a field the terminal could misread raises here, not at the poll
        return await self._async_confirmed(self.commands.enqueue(type(command).__name__, command))

    async def _async_confirmed(self, pending: PendingCommand[Command]) -> CommandOutcome:
        return await self.commands.async_wait(
            self.hass, pending, self.settings.command_timeout.total_seconds()
        )

    async def async_sync_clock(self) -> tuple[datetime, CommandOutcome]:
        """Make the terminal set its clock to Home Assistant's time now.

        The push protocol has no command to set the time: a terminal sets its clock from
        the Date header of every reply, in the time zone the handshake told it. So an INFO
        command is queued (it also refreshes the terminal's facts) and its result's reply
        carries the time. Returns that time, in the terminal's zone, and the result.
        """
        outcome = await self.async_run(Info())
        return dt_util.now(self.settings.time_zone).replace(microsecond=0), outcome

    @property
    def is_access_model(self) -> bool:
        """Access control models open doors with CONTROL DEVICE; others with AC_UNLOCK."""
        return self.ledger.device.get(FACT_DEVICE_TYPE) == "acc"

    @property
    def has_door(self) -> bool:
        """Whether the terminal said it is an access model or sent a door log (kept)."""
        return self.is_access_model or self.ledger.device.get(FACT_DOOR_LOGS) == "1"

    async def async_add_access_entities(self, adder: Callable[[], Awaitable[None]]) -> None:
        """Add a platform's access entities now on an access model, else once it shows a
        door: attendance-only models would keep them unknown forever."""
        if self.has_door:
            await adder()
        else:
            self._access_adders.append(adder)

    async def async_note_door_log(self) -> None:
        """A door log arrived: its entities are added (and listening) before it is shown."""
        self._note_facts({FACT_DOOR_LOGS: "1"})
        await self._async_add_waiting_access_entities()

    async def _async_add_waiting_access_entities(self) -> None:
        adders, self._access_adders = self._access_adders, []
        for adder in adders:
            await adder()

    def _note_facts(self, facts: Mapping[str, str]) -> None:
        before = dict(self.ledger.device)
        self.ledger.note_device(facts)
        if self.ledger.device != before:
            if self._access_adders and self.has_door:
                self.entry.async_create_task(self.hass, self._async_add_waiting_access_entities())
            self._async_changed()

    @callback
    def async_start(self) -> None:
        """Start counting the silence."""
        self.liveness.async_start()

    async def async_stop(self) -> None:
        """Stop timers, drop queued commands, write what waits, close the journal."""
        self.liveness.async_stop()
        self.access.async_stop()
        self.commands.clear()
        await self.ledger.async_close()
