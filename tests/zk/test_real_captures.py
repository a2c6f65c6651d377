"""Bytes from real terminals, replayed through the real client over loopback.

Each fixture in tests/fixtures/zk/ holds bytes published with a real terminal (source, device
and firmware named there) and the values its source states. The client must decode exactly
those values; the pyzk 0.9 tests show the same bytes read with pyzk's own layouts come out
different, so each fixture tells a right reading from a wrong one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
import struct
from typing import Any

import pytest
from zk import ZK

from custom_components.devicehub.zk import LiveCapture, LiveEvent, TerminalClient, TerminalConfig
from tests.zk.replay import (
    CMD_USER_WRQ,
    PREPARE_BUFFER,
    ReplayTerminal,
    captured_segments,
    fixture_names,
    load_fixture,
    packet_checksum_ok,
)

# Cases of issue 11 that the client decodes wrongly until the new record parser lands.
NEEDS_PARSER = pytest.mark.xfail(strict=True, reason="needs the record parser of issue 11")

ATTENDANCE = [
    pytest.param("pyzk-99-zem500-attendance-8", marks=NEEDS_PARSER),
    "adrobinoga-f19-attendance-40",
]
USERS = [
    "adrobinoga-f19-user-72",
    "pyzk-test-users-72-direct",
    "pyzk-test-users-72-split",
    "pyzk-test-users-72-buffered",
]
EVENTS = ["pyzk-test-event-12", "kurenai-8-qf001-event-32", "adrobinoga-f19-event-32"]


@pytest.fixture(autouse=True)
def loopback(socket_enabled: None) -> None:
    """The replayed terminals listen on loopback sockets."""


@pytest.fixture
def replay(request: pytest.FixtureRequest) -> Iterator[ReplayTerminal]:
    """The terminal of the fixture named by the test's ``name`` parameter."""
    with ReplayTerminal(load_fixture(request.param)) as terminal:
        yield terminal


def client_for(terminal: ReplayTerminal) -> TerminalClient:
    return TerminalClient(TerminalConfig(host="127.0.0.1", port=terminal.port, timeout=2.0))


def pyzk_for(terminal: ReplayTerminal) -> Any:
    """Unmodified pyzk 0.9, connected to the replayed terminal."""
    zk = ZK("127.0.0.1", port=terminal.port, timeout=2, ommit_ping=True)
    zk._ZK__sock.close()  # its constructor's spare UDP socket
    return zk.connect()


def segment_specs(node: object) -> Iterator[dict[str, Any]]:
    """Every reply spec holding captured segments, anywhere in a fixture."""
    if isinstance(node, dict):
        if "segments" in node:
            yield node
        for value in node.values():
            yield from segment_specs(value)
    elif isinstance(node, list):
        for item in node:
            yield from segment_specs(item)


# The fixtures themselves ------------------------------------------------------------------


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_names_its_source_device_and_what_is_ours(name: str) -> None:
    fixture = load_fixture(name)
    assert fixture["source"]["url"].startswith("https://github.com/")
    assert fixture["source"]["shows"]
    assert set(fixture["device"]) >= {"model", "platform", "firmware"}
    assert fixture["kind"] in {"attendance", "users", "user-write", "counters", "event"}
    assert fixture["origin"]["captured"]
    assert "ours" in fixture["origin"]
    assert fixture["expected"]


@pytest.mark.parametrize("name", fixture_names())
def test_captured_packets_are_whole_and_carry_the_terminals_checksum(name: str) -> None:
    """Captured segments join into whole framed packets whose checksums are the spec's:
    they are a terminal's bytes, untouched (test.py's own filler packets were left out)."""
    for spec in segment_specs(load_fixture(name)):
        stream = b"".join(captured_segments(spec))
        offset = 0
        while offset < len(stream):
            magic, length = struct.unpack_from("<4sI", stream, offset)
            assert magic == b"\x50\x50\x82\x7d"
            packet = stream[offset + 8 : offset + 8 + length]
            assert len(packet) == length
            assert packet_checksum_ok(packet)
            offset += 8 + length


# Attendance --------------------------------------------------------------------------------


def stated_attendance(fixture: dict[str, Any]) -> list[tuple[int, datetime, int, int]]:
    """(uid, local time, verify, punch) of every record, as the source states them."""
    expected = fixture["expected"]
    rows = []
    for record in expected["stated_records"]:
        if "time_utc" in record:
            utc = datetime.fromisoformat(record["time_utc"].replace("Z", "+00:00"))
            local = utc.replace(tzinfo=None) + timedelta(hours=expected["utc_offset_hours"])
            rows.append((record["uid"], local, record["status"], record["punch"]))
        else:
            local = datetime.fromisoformat(expected["timestamp"])
            rows.append((record["uid"], local, record["verify"], record["punch"]))
    return rows


@pytest.mark.parametrize("replay", ATTENDANCE, indirect=True)
def test_attendance_decodes_as_the_source_states(replay: ReplayTerminal) -> None:
    batch = client_for(replay).get_attendance()

    decoded = [(r.uid, r.timestamp, r.verify, r.punch) for r in batch.records]
    assert decoded == stated_attendance(replay.fixture)
    assert batch.invalid == 0
    for record, stated in zip(
        batch.records, replay.fixture["expected"]["stated_records"], strict=True
    ):
        if "user_id" in stated:
            assert record.user_id == stated["user_id"]
    assert not replay.log.errors


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


# Users -------------------------------------------------------------------------------------


@pytest.mark.parametrize("replay", USERS, indirect=True)
def test_users_decode_as_the_source_states(replay: ReplayTerminal) -> None:
    expected = replay.fixture["expected"]
    users = client_for(replay).get_users()

    stated = expected["users"]
    if isinstance(stated, list):  # every user stated
        assert len(users) == len(stated)
        stated = {str(index): user for index, user in enumerate(stated)}
    else:
        assert len(users) == expected["count"]
    for index, fields in stated.items():
        user = users[int(index)]
        for key in ("uid", "user_id", "name", "privilege", "card", "password"):
            if key in fields:
                assert getattr(user, key) == fields[key], key
    assert not replay.log.errors


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["adrobinoga-f19-user-72"], indirect=True)
def test_72_byte_user_group_is_the_byte_at_offset_39(replay: ReplayTerminal) -> None:
    (stated,) = replay.fixture["expected"]["users"]
    (user,) = client_for(replay).get_users()
    assert user.group_id == str(stated["group"])


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


@pytest.mark.parametrize("replay", ["pyzk-test-users-72-direct"], indirect=True)
def test_counters_of_the_pyzk_capture(replay: ReplayTerminal) -> None:
    counts = client_for(replay).get_counts()
    for key, value in replay.fixture["expected"]["counters"].items():
        assert getattr(counts, key) == value, key


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["adrobinoga-zkaccess-user-write-72"], indirect=True)
def test_user_written_like_zkaccess_writes_it(replay: ReplayTerminal) -> None:
    """Group at offset 39 and the time-zone bytes 40..47 as the vendor software writes them."""
    expected = replay.fixture["expected"]
    client_for(replay).set_user(
        user_id=expected["user_id"],
        name=expected["name"],
        card=expected["card"],
        group_id=str(expected["group"]),
    )
    (written,) = replay.log.payloads(CMD_USER_WRQ)
    captured = b"".join(captured_segments(replay.fixture["request"]))[16:]
    assert len(written) == len(captured) == 72
    for field_name, (start, end) in expected["compare_offsets"].items():
        assert written[start:end] == captured[start:end], field_name


# Counters and device info ------------------------------------------------------------------


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["pyzk-41-ak3750-counters-4"], indirect=True)
def test_4_byte_counters_still_read_the_log(replay: ReplayTerminal) -> None:
    """pyzk reads the 4-byte counters reply as 0 records and never asks for the log."""
    client_for(replay).get_attendance()
    datasets = [struct.unpack_from("<bh", p)[1] for p in replay.log.payloads(PREPARE_BUFFER)]
    assert 13 in datasets  # CMD_ATTLOG_RRQ: the log was asked for


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["pyzk-41-ak3750-counters-4"], indirect=True)
def test_4_byte_counters_leave_the_record_count_unknown(replay: ReplayTerminal) -> None:
    counts = client_for(replay).get_counts()
    assert counts.records is None


@pytest.mark.parametrize("replay", ["pyzk-41-ak3750-counters-4"], indirect=True)
def test_info_of_the_d2_terminal(replay: ReplayTerminal) -> None:
    info = client_for(replay).get_info()
    for key, value in replay.fixture["expected"]["info"].items():
        assert getattr(info, key) == value, key


# Realtime events ---------------------------------------------------------------------------


async def capture_events(terminal: ReplayTerminal, count: int) -> list[LiveEvent]:
    """Run the real live capture against the replay until ``count`` events arrived."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[LiveEvent] = asyncio.Queue()
    capture = LiveCapture(
        TerminalConfig(host="127.0.0.1", port=terminal.port, timeout=2.0),
        loop,
        on_event=queue.put_nowait,
        on_connection_change=lambda connected: None,
        watchdog_seconds=60,
        heartbeat_seconds=30,
    )
    capture.start()
    try:
        return [await asyncio.wait_for(queue.get(), 5) for _ in range(count)]
    finally:
        await loop.run_in_executor(None, capture.stop)
        assert capture.invalid_events == 0


@pytest.mark.parametrize("replay", EVENTS, indirect=True)
async def test_realtime_events_decode_as_the_source_states(replay: ReplayTerminal) -> None:
    stated = replay.fixture["expected"]["events"]
    events = await capture_events(replay, len(stated))
    for event, fields in zip(events, stated, strict=True):
        assert event.user_id == fields["user_id"]
        assert event.timestamp == datetime.fromisoformat(fields["timestamp"])
        for key in ("verify", "punch"):
            if key in fields:
                assert getattr(event, key) == fields[key], key
