"""Parsers of ``POST /iclock/cdata`` bodies: ATTLOG, OPERLOG and USERINFO lines.

A malformed line is counted and skipped, never fatal; only the body caps refuse a whole
body (BodyTooLargeError). Records come back in the order the terminal sent them.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
import re
from typing import Final

from .fields import is_valid_user_id, key_values, parse_time, small_int
from .limits import MAX_LINE_LENGTH, body_lines
from .models import AttendanceLine, OperLog, ParsedLines, UserLine

# Lines read between two pauses of parse_attlog_stepwise: about half a millisecond of work
# (bench.push_terminals measures the loop lag while 50 terminals pour in backlogs).
STEP_LINES: Final = 100

# OPERLOG line kinds besides USER and OPLOG, named in the specifications: read, not used.
_OTHER_OPERLOG_KINDS: Final = frozenset(
    {"FP", "FACE", "FVEIN", "USERPIC", "BIOPHOTO", "BIODATA", "IDCARD", "ERRORLOG", "WORKCODE"}
)


class _Tally:
    """Counts malformed lines and keeps the first reason (never the line itself)."""

    def __init__(self) -> None:
        self.malformed = 0
        self.first_reason: str | None = None

    def skip(self, number: int, reason: str) -> None:
        self.malformed += 1
        if self.first_reason is None:
            self.first_reason = f"line {number}: {reason}"


# The usual line in one match (a backlog has tens of thousands); anything else goes the
# field-by-field way, which also says what is wrong.
_USUAL_LINE: Final = re.compile(
    r"([A-Za-z0-9]{1,24})\t"
    r"([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})\t"
    r"([0-9]{1,3})\t([0-9]{1,3})(?:\t([A-Za-z0-9]{0,32})(?:\t.*)?)?"
)


def _attendance_line(line: str) -> AttendanceLine:
    """``PIN <tab> yyyy-mm-dd hh:mm:ss <tab> status <tab> verify [<tab> workcode ...]``."""
    usual = _USUAL_LINE.fullmatch(line)
    if usual is not None:
        user_id, when, status, verify, work_code = usual.groups()
        if int(status) <= 255 and int(verify) <= 255:
            return AttendanceLine(
                user_id=user_id,
                time=datetime.fromisoformat(when),
                status=int(status),
                verify=int(verify),
                work_code=work_code or "0",
            )
    return _attendance_fields(line)


def _attendance_fields(line: str) -> AttendanceLine:
    fields = line.split("\t")
    if len(fields) < 4:
        raise ValueError(f"{len(fields)} fields, need at least 4")
    user_id = fields[0].strip()
    if not is_valid_user_id(user_id):
        raise ValueError("bad user id")
    work_code = fields[4].strip() if len(fields) > 4 else "0"
    if len(work_code) > 32:
        raise ValueError("work code too long")
    return AttendanceLine(
        user_id=user_id,
        time=parse_time(fields[1]),
        status=small_int(fields[2], 0, 255),
        verify=small_int(fields[3], 0, 255),
        work_code=work_code or "0",
    )


class _Reader[T]:
    """Reads the lines of a body in slices, so a caller may pause between them."""

    def __init__(self, body: bytes, read_line: Callable[[str], T]) -> None:
        self.lines = body_lines(body)
        self.read_line = read_line
        self.tally = _Tally()
        self.records: list[T] = []

    def read(self, start: int, stop: int) -> None:
        for number in range(start + 1, min(stop, len(self.lines)) + 1):
            line = self.lines[number - 1]
            if len(line) > MAX_LINE_LENGTH:
                self.tally.skip(number, f"longer than {MAX_LINE_LENGTH} characters")
                continue
            try:
                self.records.append(self.read_line(line))
            except ValueError as err:
                self.tally.skip(number, str(err)[:80])

    def result(self) -> ParsedLines[T]:
        return ParsedLines(
            records=tuple(self.records),
            malformed=self.tally.malformed,
            first_malformed_reason=self.tally.first_reason,
        )


def _read[T](body: bytes, read_line: Callable[[str], T]) -> ParsedLines[T]:
    reader = _Reader(body, read_line)
    reader.read(0, len(reader.lines))
    return reader.result()


def parse_attlog(body: bytes) -> ParsedLines[AttendanceLine]:
    """Read an ATTLOG upload: one punch a line, tab-separated, terminal local time."""
    return _read(body, _attendance_line)


async def parse_attlog_stepwise(body: bytes, step: int = STEP_LINES) -> ParsedLines[AttendanceLine]:
    """``parse_attlog`` for an event loop: it lets other callbacks run every ``step``
    lines, so a backlog of many thousand lines never holds the loop for long."""
    reader = _Reader(body, _attendance_line)
    for start in range(0, len(reader.lines), step):
        if start:
            await asyncio.sleep(0)
        reader.read(start, start + step)
    return reader.result()


def user_line(text: str) -> UserLine:
    """Read ``[USER ]PIN=..<tab>Name=..<tab>Pri=..<tab>Passwd=..<tab>Card=..<tab>Grp=..``.

    Both spellings are taken: the OPERLOG ones (Pri, Passwd, Grp) and the USERINFO query
    ones (Privilege, Password, Group).
    """
    text = text.removeprefix("USER ").removeprefix("USERINFO ")
    values = key_values(text.split("\t"))
    user_id = values.get("PIN", values.get("Pin", ""))
    if not is_valid_user_id(user_id):
        raise ValueError("bad or missing PIN")
    privilege = values.get("Pri", values.get("Privilege", "0")) or "0"
    password = values.get("Passwd", values.get("Password"))
    return UserLine(
        user_id=user_id,
        name=values.get("Name", ""),
        privilege=small_int(privilege, 0, 255),
        password=password or None,
        card=values.get("Card", values.get("CardNo", "")),
        group=values.get("Grp", values.get("Group", "")),
    )


def parse_operlog(body: bytes) -> OperLog:
    """Read an OPERLOG upload: ``USER`` lines are users, ``OPLOG`` lines operations."""
    tally = _Tally()
    users: list[UserLine] = []
    operations = others = 0
    for number, line in enumerate(body_lines(body), start=1):
        if len(line) > MAX_LINE_LENGTH:
            tally.skip(number, f"longer than {MAX_LINE_LENGTH} characters")
            continue
        kind = line.split(" ", 1)[0].split("\t", 1)[0]
        try:
            if kind == "USER":
                users.append(user_line(line))
            elif kind == "OPLOG":
                _check_operation(line)
                operations += 1
            elif kind in _OTHER_OPERLOG_KINDS:
                others += 1
            else:
                tally.skip(number, "unknown line kind")
        except ValueError as err:
            tally.skip(number, str(err)[:80])
    return OperLog(
        users=tuple(users),
        operations=operations,
        others=others,
        malformed=tally.malformed,
        first_malformed_reason=tally.first_reason,
    )


def _check_operation(line: str) -> None:
    """``OPLOG <op> <tab> <admin> <tab> <time> <tab> <object> <tab> <p1> <tab> <p2> ...``."""
    fields = line.removeprefix("OPLOG ").split("\t")
    if len(fields) < 3:
        raise ValueError("OPLOG needs operation, admin and time")
    small_int(fields[0], 0, 65_535)
    parse_time(fields[2])


def parse_userinfo(body: bytes) -> ParsedLines[UserLine]:
    """Read a user table upload (``table=USERINFO``, answer to ``DATA QUERY USERINFO``)."""
    return _read(body, user_line)
