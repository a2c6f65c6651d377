"""Reading the users and the attendance log, each in the layout the evidence points to."""

from __future__ import annotations

from collections.abc import Callable

from .identity import read_clock
from .layouts import (
    Evidence,
    decide_attendance_layout,
    decide_user_layout,
    possible_attendance_sizes,
)
from .models import AttendanceBatch, User
from .records import TFT_HEAD, dataset_body, parse_attendance, parse_users
from .transport.bulk import BulkReader
from .transport.packets import FCT_USER, Command
from .transport.session import PyzkSession


def read_users(
    session: PyzkSession, count: int | None, encoding: str, family: str
) -> tuple[list[User], int | None]:
    """The users and their record size (None when there is none to tell).

    ``count`` None (a terminal whose counters reply has no counts) still reads the users.
    """
    if count == 0:
        return [], None
    dataset = BulkReader(session).read(Command.CMD_USERTEMP_RRQ, FCT_USER)
    if not dataset_body(dataset):
        return [], None
    size = decide_user_layout(dataset, Evidence(count, family=family))
    return parse_users(dataset, count, encoding, record_size=size), size


def read_attendance(
    session: PyzkSession,
    count: int | None,
    family: str,
    users: Callable[[], list[User]],
) -> AttendanceBatch:
    """The whole log, in the layout the evidence points to (TerminalLayoutUnknown if none).

    ``users`` is called only when a layout that needs the users list is possible (8- and
    16-byte records name only a uid or a number), or to judge which one it is.
    """
    if count == 0:
        return AttendanceBatch(records=[], invalid=0)
    dataset = BulkReader(session).read(Command.CMD_ATTLOG_RRQ)
    body_bytes = len(dataset_body(dataset))
    if not body_bytes:
        return AttendanceBatch(records=[], invalid=0)
    short_layout_possible = any(
        size < TFT_HEAD for size in possible_attendance_sizes(body_bytes, count)
    )
    known_users = users() if short_layout_possible else None
    evidence = Evidence(count, read_clock(session), family, known_users)
    size = decide_attendance_layout(dataset, evidence)
    return parse_attendance(dataset, count, known_users or (), record_size=size)
