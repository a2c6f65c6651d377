"""How the simulated terminal carries out a command from ``getrequest``.

Written from the terminal's side of the specification, independently of the server's
encoder, so the two can check each other. Unknown commands (``SHELL`` among them) are
answered -1002 and remembered, as a terminal that does not run them would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .config import SimulatorConfig
from .terminal import TERMINAL_TIME, SimUser, TerminalClock, TerminalData

RETURN_OK = 0
RETURN_UNSUPPORTED = -1002
RETURN_NO_DATA = -1  # real firmware: nothing to send
RETURN_PARAMETER = -1


@dataclass(frozen=True, slots=True)
class Unlock:
    """A lock pulse the terminal carried out."""

    door: int
    seconds: int
    at: datetime  # terminal local time


@dataclass(slots=True)
class Outcome:
    """What a command did: its result line values, data lines, and side effects."""

    return_code: int
    name: str
    data: list[str] = field(default_factory=list)
    unlock: Unlock | None = None
    reboot: bool = False
    upload_now: bool = False


def _fields(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in text.split("\t"):
        key, sep, value = item.partition("=")
        if sep:
            values[key.strip()] = value
    return values


def _user_command(text: str, data: TerminalData, clock: TerminalClock) -> Outcome:
    words = text.split(" ", 3)
    if len(words) < 3 or words[2] != "USERINFO":
        return Outcome(RETURN_UNSUPPORTED, "DATA")
    verb = words[1]
    values = _fields(words[3]) if len(words) > 3 else {}
    pin = values.get("PIN", "")
    if verb == "UPDATE" and pin:
        user = SimUser(
            user_id=pin,
            name=values.get("Name", ""),
            privilege=int(values.get("Pri", "0") or 0),
            password=values.get("Passwd", ""),
            card=values.get("Card", ""),
            group=values.get("Grp", "1") or "1",
        )
        data.users[pin] = user
        when = clock.now().strftime(TERMINAL_TIME)
        data.pending_operlog += [user.line(), f"OPLOG 30\t0\t{when}\t{pin}\t0\t0\t0"]
        return Outcome(RETURN_OK, "DATA", upload_now=True)
    if verb == "DELETE" and pin:
        data.users.pop(pin, None)
        return Outcome(RETURN_OK, "DATA")
    if verb == "QUERY":
        chosen = (
            [data.users[pin]] if pin in data.users else [] if pin else list(data.users.values())
        )
        if not chosen:
            return Outcome(RETURN_NO_DATA, "DATA")
        data.pending_operlog += [user.line() for user in chosen]
        return Outcome(RETURN_OK, "DATA", upload_now=True)
    return Outcome(RETURN_UNSUPPORTED, "DATA")


def _control_device(argument: str, config: SimulatorConfig, clock: TerminalClock) -> Outcome:
    code = argument.strip()
    if not config.access_control or len(code) not in (8, 10):
        return Outcome(RETURN_UNSUPPORTED, "CONTROL DEVICE")
    try:
        operation, door, address, seconds = (int(code[i : i + 2], 16) for i in range(0, 8, 2))
    except ValueError:
        return Outcome(RETURN_UNSUPPORTED, "CONTROL DEVICE")
    if operation != 1 or address != 1 or not 1 <= door <= config.doors or not 1 <= seconds <= 254:
        return Outcome(RETURN_UNSUPPORTED, "CONTROL DEVICE")
    return Outcome(RETURN_OK, "CONTROL DEVICE", unlock=Unlock(door, seconds, clock.now()))


def info_lines(config: SimulatorConfig, data: TerminalData) -> list[str]:
    """The facts an INFO result carries."""
    return [
        f"~DeviceName={config.model}",
        f"FWVersion={config.firmware}",
        f"~SerialNumber={config.serial}",
        "MAC=00:17:61:12:f8:db",
        "Platform=ZAM180_TFT",
        "IPAddress=127.0.0.1",
        f"UserCount={len(data.users)}",
        f"AttLogCount={len(data.log)}",
        "FPCount=0",
        f"LockCount={config.doors if config.access_control else 0}",
    ]


def execute(
    text: str, config: SimulatorConfig, data: TerminalData, clock: TerminalClock
) -> Outcome:
    """Carry out one command text (the part after ``C:<id>:``)."""
    if text == "REBOOT":
        return Outcome(RETURN_OK, "REBOOT", reboot=True)
    if text == "INFO":
        return Outcome(RETURN_OK, "INFO", data=info_lines(config, data))
    if text in ("CHECK", "LOG"):
        return Outcome(RETURN_OK, text, upload_now=True)
    if text == "AC_UNLOCK":
        if not config.access_control:
            return Outcome(RETURN_UNSUPPORTED, "AC_UNLOCK")
        return Outcome(RETURN_OK, "AC_UNLOCK", unlock=Unlock(1, config.lock_seconds, clock.now()))
    if text.startswith("DATA "):
        return _user_command(text, data, clock)
    if text.startswith("CONTROL DEVICE "):
        return _control_device(text.removeprefix("CONTROL DEVICE "), config, clock)
    if text.startswith("GET OPTION FROM "):
        key = text.removeprefix("GET OPTION FROM ").strip()
        facts = dict(line.lstrip("~").split("=", 1) for line in info_lines(config, data))
        if key not in facts:
            return Outcome(RETURN_NO_DATA, "GET OPTION")
        return Outcome(RETURN_OK, "GET OPTION", data=[f"{key}={facts[key]}"])
    if text.startswith("SET OPTION "):
        key, sep, _ = text.removeprefix("SET OPTION ").partition("=")
        return Outcome(RETURN_OK if sep and key else RETURN_PARAMETER, "SET OPTION")
    return Outcome(RETURN_UNSUPPORTED, text.split(" ", 1)[0][:16])
