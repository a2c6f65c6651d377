"""Every real-capture fixture can fail: wrong layouts and tampered bytes do not pass.

pyzk 0.9's own layouts, run unmodified against the same replays, read the 8-byte records and
the 72-byte group differently from what the sources state; one byte changed in each fixture
makes the client's reading differ from the source.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.zk.captures import (
    decoded_attendance,
    decoded_events,
    decoded_users,
    names_of,
    pyzk_for,
    stated_attendance,
    stated_events,
    stated_rows,
    stated_users,
    tampered,
)
from tests.zk.replay import ReplayTerminal, load_fixture

# The replayed terminals listen on loopback sockets.
pytestmark = pytest.mark.usefixtures("socket_enabled")


def test_pyzk_09_misreads_the_zem500_8_byte_records() -> None:
    """pyzk 0.9 reads the time at offset 3 and the punch at offset 7: every date lands in
    2087 (the real year is 2016), so the fixture tells the two layouts apart."""
    with ReplayTerminal(load_fixture("pyzk-99-zem500-attendance-8")) as terminal:
        zk = pyzk_for(terminal)
        try:
            records = zk.get_attendance()
        finally:
            zk.disconnect()
    assert [r.timestamp.year for r in records] == [2087, 2087, 2087]
    assert [r.punch for r in records] == [0x1E, 0x1E, 0x1E]
    stated = stated_attendance(load_fixture("pyzk-99-zem500-attendance-8"))
    assert [(r.uid, r.timestamp) for r in records] != [(uid, when) for uid, when, *_ in stated]


def test_pyzk_09_misreads_the_ma300_8_byte_records_as_the_reporter_saw() -> None:
    """The rebuilt records give unmodified pyzk 0.9 exactly the reporter's printout (dates in
    2026, punch 39), which checks the rebuilding; the stated layout reads them as 2020."""
    fixture = load_fixture("pyzk-92-ma300-attendance-8")
    with ReplayTerminal(fixture) as terminal:
        zk = pyzk_for(terminal)
        try:
            records = zk.get_attendance()
        finally:
            zk.disconnect()
    printed = [(r.uid, r.user_id, r.timestamp.isoformat(), r.status, r.punch) for r in records]
    assert printed == [
        (p["uid"], p["user_id"], p["timestamp"], p["status"], p["punch"])
        for p in fixture["expected"]["pyzk_09_printout"]
    ]
    not_after = datetime.fromisoformat(fixture["expected"]["not_after"])
    assert all(when <= not_after for _, when, *_ in stated_attendance(fixture))


def test_pyzk_09_misreads_the_72_byte_group() -> None:
    """pyzk 0.9 reads the group as text at 40..46 (the time-zone bytes): "\\x01", not 2."""
    with ReplayTerminal(load_fixture("adrobinoga-f19-user-72")) as terminal:
        zk = pyzk_for(terminal)
        try:
            (user,) = zk.get_users()
        finally:
            zk.disconnect()
    assert user.group_id == "\x01"
    assert user.name == "Ned"  # the rest of the record is read alike


@pytest.mark.parametrize("name", names_of("attendance"))
def test_tampered_attendance_no_longer_matches_the_source(name: str) -> None:
    with ReplayTerminal(tampered(load_fixture(name))) as terminal:
        assert decoded_attendance(terminal) != stated_rows(terminal.fixture)


@pytest.mark.parametrize("name", names_of("users"))
def test_tampered_users_no_longer_match_the_source(name: str) -> None:
    with ReplayTerminal(tampered(load_fixture(name))) as terminal:
        assert decoded_users(terminal) != stated_users(terminal.fixture)


@pytest.mark.parametrize("name", names_of("event"))
async def test_tampered_events_no_longer_match_the_source(name: str) -> None:
    with ReplayTerminal(tampered(load_fixture(name))) as terminal:
        assert await decoded_events(terminal) != stated_events(terminal.fixture)
