"""Commands the server queues for a terminal, and their ``C:<id>:<text>`` encoding.

Only commands confirmed by the specifications and on real firmware exist here, each a
typed value whose fields are validated before anything is encoded: a tab or line break
in a name would start another field or another command, so such values are refused
(CommandFieldError), never silently rewritten. There is deliberately no way to encode
``SHELL`` or anything else that runs code on the terminal: ``encode_commands`` takes only
the classes below, and none of them can produce such text.
"""

from collections.abc import Iterable
from dataclasses import dataclass
import re
from typing import Final

from .errors import CommandFieldError
from .fields import is_valid_user_id

# Command ids are the server's choice: letters and digits, at most 16 (specification §12).
_COMMAND_ID: Final = re.compile(r"[A-Za-z0-9]{1,16}")
MAX_NAME_LENGTH: Final = 64
MAX_UNLOCK_SECONDS: Final = 254  # 255 means "stay open" in CONTROL DEVICE: never sent
MAX_DOORS: Final = 4
_OPTION_KEY: Final = re.compile(r"[A-Za-z][A-Za-z0-9]{0,31}")
_OPTION_VALUE: Final = re.compile(r"[A-Za-z0-9 .:_/-]{0,64}")
_PASSWORD: Final = re.compile(r"[0-9]{0,8}")
_CARD: Final = re.compile(r"[0-9]{0,20}")
SETTABLE_OPTIONS: Final = frozenset({"Delay", "ErrorDelay", "Realtime", "TransInterval"})
_FORBIDDEN_NAME_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f]")


def _check_user_id(user_id: str) -> None:
    if not is_valid_user_id(user_id):
        raise CommandFieldError("user_id must be 1-24 ASCII letters and digits")


@dataclass(frozen=True, slots=True)
class Reboot:
    """Restart the terminal."""

    def encode(self) -> str:
        """The command text."""
        return "REBOOT"


@dataclass(frozen=True, slots=True)
class Info:
    """Ask for the device facts; they come back with the command result."""

    def encode(self) -> str:
        """The command text."""
        return "INFO"


@dataclass(frozen=True, slots=True)
class Check:
    """Ask the terminal to read its options again and upload by its stamps."""

    def encode(self) -> str:
        """The command text."""
        return "CHECK"


@dataclass(frozen=True, slots=True)
class Log:
    """Ask the terminal to upload new records now."""

    def encode(self) -> str:
        """The command text."""
        return "LOG"


@dataclass(frozen=True, slots=True)
class AcUnlock:
    """Pulse the lock output for the terminal's own lock time (attendance protocol)."""

    def encode(self) -> str:
        """The command text."""
        return "AC_UNLOCK"


@dataclass(frozen=True, slots=True, kw_only=True)
class SetUser:
    """Add or change a user: ``DATA UPDATE USERINFO PIN=.. Name=.. Pri=.. ...``."""

    user_id: str
    name: str = ""
    privilege: int = 0  # 0 user, 14 administrator
    password: str = ""
    card: str = ""
    group: int = 1

    def encode(self) -> str:
        """The command text, fields tab-separated."""
        _check_user_id(self.user_id)
        if len(self.name) > MAX_NAME_LENGTH or _FORBIDDEN_NAME_CHARACTERS.search(self.name):
            raise CommandFieldError(f"name must be at most {MAX_NAME_LENGTH} printable characters")
        if isinstance(self.privilege, bool) or not 0 <= self.privilege <= 15:
            raise CommandFieldError("privilege must be 0..15")
        if _PASSWORD.fullmatch(self.password) is None:
            raise CommandFieldError("password must be up to 8 digits")
        if _CARD.fullmatch(self.card) is None:
            raise CommandFieldError("card must be up to 20 digits")
        if isinstance(self.group, bool) or not 1 <= self.group <= 99:
            raise CommandFieldError("group must be 1..99")
        fields = (
            f"PIN={self.user_id}",
            f"Name={self.name}",
            f"Pri={self.privilege}",
            f"Passwd={self.password}",
            f"Card={self.card}",
            f"Grp={self.group}",
        )
        return "DATA UPDATE USERINFO " + "\t".join(fields)


@dataclass(frozen=True, slots=True)
class DeleteUser:
    """Delete a user with their templates: ``DATA DELETE USERINFO PIN=..``."""

    user_id: str

    def encode(self) -> str:
        """The command text."""
        _check_user_id(self.user_id)
        return f"DATA DELETE USERINFO PIN={self.user_id}"


@dataclass(frozen=True, slots=True)
class QueryUsers:
    """Ask for the user table (or one user); the users arrive as an upload."""

    user_id: str | None = None

    def encode(self) -> str:
        """The command text."""
        if self.user_id is None:
            return "DATA QUERY USERINFO"
        _check_user_id(self.user_id)
        return f"DATA QUERY USERINFO PIN={self.user_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlDevice:
    """Open a door's lock for some seconds (security protocol, access models):
    ``CONTROL DEVICE 01 DD 01 SS``.

    Bytes as hex pairs: operation 01 (output), the door, address type 01 (door lock),
    the seconds (1..254; 0 would close and 255 hold it open, neither is sent).
    """

    door: int = 1
    seconds: int = 5

    def encode(self) -> str:
        """The command text."""
        if isinstance(self.door, bool) or not 1 <= self.door <= MAX_DOORS:
            raise CommandFieldError(f"door must be 1..{MAX_DOORS}")
        if isinstance(self.seconds, bool) or not 1 <= self.seconds <= MAX_UNLOCK_SECONDS:
            raise CommandFieldError(f"seconds must be 1..{MAX_UNLOCK_SECONDS}")
        return f"CONTROL DEVICE 01{self.door:02X}01{self.seconds:02X}"


@dataclass(frozen=True, slots=True)
class GetOption:
    """Read one option: ``GET OPTION FROM <key>``; the value comes back with the result."""

    key: str

    def encode(self) -> str:
        """The command text."""
        if _OPTION_KEY.fullmatch(self.key) is None:
            raise CommandFieldError("option key must be 1-32 ASCII letters and digits")
        return f"GET OPTION FROM {self.key}"


@dataclass(frozen=True, slots=True)
class SetOption:
    """Change one upload option: ``SET OPTION <key>=<value>`` (keys in SETTABLE_OPTIONS,
    none of which runs code or moves the terminal to another server)."""

    key: str
    value: str

    def encode(self) -> str:
        """The command text."""
        if self.key not in SETTABLE_OPTIONS:
            raise CommandFieldError(f"option {self.key[:32]!r} may not be set")
        if _OPTION_VALUE.fullmatch(self.value) is None:
            raise CommandFieldError("option value must be up to 64 plain characters")
        return f"SET OPTION {self.key}={self.value}"


type Command = (
    Reboot
    | Info
    | Check
    | SetUser
    | DeleteUser
    | QueryUsers
    | ControlDevice
    | GetOption
    | SetOption
    | AcUnlock
    | Log
)
COMMAND_TYPES: Final = (
    Reboot,
    Info,
    Check,
    SetUser,
    DeleteUser,
    QueryUsers,
    ControlDevice,
    GetOption,
    SetOption,
    AcUnlock,
    Log,
)


def encode_command(command_id: int | str, command: Command) -> str:
    """One ``C:<id>:<text>`` line (without its line end); ids are 1-16 letters and digits."""
    if not isinstance(command, COMMAND_TYPES):
        raise CommandFieldError(f"{type(command).__name__} is not a push command")
    if isinstance(command_id, bool) or _COMMAND_ID.fullmatch(str(command_id)) is None:
        raise CommandFieldError("command id must be 1-16 ASCII letters and digits")
    text = command.encode()
    if _FORBIDDEN_NAME_CHARACTERS.search(text.replace("\t", "")):
        raise CommandFieldError("control character in a command")
    return f"C:{command_id}:{text}"


def encode_commands(commands: Iterable[tuple[int | str, Command]]) -> str:
    """The answer to a ``getrequest``: one ``C:<id>:<text>`` line per command.

    An empty list gives the empty string; a view answers ``OK`` (REPLY_NOTHING) then.
    """
    return "".join(encode_command(command_id, command) + "\n" for command_id, command in commands)
