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
import json
import socket
import struct
from typing import Any

import pytest
from zk import ZK

from custom_components.devicehub.zk import (
    AsyncTerminal,
    LiveCapture,
    LiveEvent,
    TerminalClient,
    TerminalConfig,
)
from tests.zk.replay import (
    CMD_GET_FREE_SIZES,
    CMD_USER_WRQ,
    PREPARE_BUFFER,
    ReplayTerminal,
    captured_segments,
    fixture_names,
    load_fixture,
    packet_checksum_ok,
)
from tools.zksim.protocol import build_packet, tcp_frame

# Cases of issue 11 that the client decodes wrongly until the new record parser lands.
NEEDS_PARSER = pytest.mark.xfail(strict=True, reason="needs the record parser of issue 11")

ATTENDANCE = [
    pytest.param("pyzk-99-zem500-attendance-8", marks=NEEDS_PARSER),
    pytest.param("pyzk-92-ma300-attendance-8", marks=NEEDS_PARSER),
    "adrobinoga-f19-attendance-40",
]
USERS = [
    "adrobinoga-f19-user-72",
    "pyzk-test-users-72-direct",
    "pyzk-test-users-72-split",
    "pyzk-test-users-72-buffered",
    "js-zklib-7-users-28",
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
    encoding = terminal.fixture.get("encoding", "utf-8")
    config = TerminalConfig(host="127.0.0.1", port=terminal.port, timeout=2.0, encoding=encoding)
    return TerminalClient(config)


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


def test_replay_sends_captured_segments_verbatim() -> None:
    """Asked with the capture's own reply id, the replay sends the captured bytes unchanged,
    one captured segment per send; asked with another, only reply id and checksum change."""
    fixture = load_fixture("pyzk-test-users-72-split")
    (captured,) = captured_segments(fixture["replies"]["free_sizes"])
    captured_reply_id = struct.unpack_from("<H", captured, 14)[0]
    with (
        ReplayTerminal(fixture) as terminal,
        socket.create_connection(("127.0.0.1", terminal.port), timeout=2) as raw,
    ):
        for reply_id in (captured_reply_id, captured_reply_id + 7):
            raw.sendall(tcp_frame(build_packet(CMD_GET_FREE_SIZES, 0x2058, reply_id)))
            received = b""
            while len(received) < len(captured):
                received += raw.recv(len(captured) - len(received))
            if reply_id == captured_reply_id:
                assert received == captured
            else:
                assert received[:10] == captured[:10]
                assert received[12:14] == captured[12:14]
                assert struct.unpack_from("<H", received, 14)[0] == reply_id
                assert received[16:] == captured[16:]
                assert packet_checksum_ok(received[8:])
    assert terminal.log.readdressed_packets == 1


# Attendance --------------------------------------------------------------------------------


def stated_attendance(fixture: dict[str, Any]) -> list[tuple[int, datetime, int, int]]:
    """(uid, local time, verify, punch) of every record, as the source states them."""
    expected = fixture["expected"]
    rows = []
    for record in expected["stated_records"]:
        if "time_utc" in record:
            utc = datetime.fromisoformat(record["time_utc"].replace("Z", "+00:00"))
            local = utc.replace(tzinfo=None) + timedelta(hours=expected["utc_offset_hours"])
        else:
            local = datetime.fromisoformat(record.get("timestamp") or expected["timestamp"])
        verify = record["status"] if expected.get("status_is") == "verify" else record["verify"]
        rows.append((record["uid"], local, verify, record["punch"]))
    return rows


def decoded_attendance(terminal: ReplayTerminal) -> list[tuple[Any, ...]]:
    """What the client reads from the replayed log, in the shape of stated_attendance."""
    batch = client_for(terminal).get_attendance()
    assert batch.invalid == 0
    stated = terminal.fixture["expected"]["stated_records"]
    rows: list[tuple[Any, ...]] = [(r.uid, r.timestamp, r.verify, r.punch) for r in batch.records]
    if all("user_id" in record for record in stated):
        rows = [(*row, r.user_id) for row, r in zip(rows, batch.records, strict=True)]
    return rows


def stated_rows(fixture: dict[str, Any]) -> list[tuple[Any, ...]]:
    """stated_attendance, with the user ids where the source states them."""
    stated = fixture["expected"]["stated_records"]
    rows: list[tuple[Any, ...]] = list(stated_attendance(fixture))
    if all("user_id" in record for record in stated):
        rows = [(*row, record["user_id"]) for row, record in zip(rows, stated, strict=True)]
    return rows


@pytest.mark.parametrize("replay", ATTENDANCE, indirect=True)
def test_attendance_decodes_as_the_source_states(replay: ReplayTerminal) -> None:
    assert decoded_attendance(replay) == stated_rows(replay.fixture)
    assert not replay.log.errors


@pytest.mark.parametrize("replay", ATTENDANCE, indirect=True)
async def test_attendance_through_the_async_terminal(replay: ReplayTerminal) -> None:
    """The integration's own entry point (one worker thread per terminal) reads the same."""
    config = TerminalConfig(host="127.0.0.1", port=replay.port, timeout=2.0)
    terminal = AsyncTerminal(config)
    try:
        batch = await terminal.get_attendance()
    finally:
        await terminal.close()
    decoded = [(r.uid, r.timestamp, r.verify, r.punch) for r in batch.records]
    assert decoded == [row[:4] for row in stated_rows(replay.fixture)]


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


# Users -------------------------------------------------------------------------------------


USER_FIELDS = ("uid", "user_id", "name", "privilege", "card", "password")


def stated_users(fixture: dict[str, Any]) -> tuple[int, dict[int, dict[str, Any]]]:
    """How many users there are and, by position, the fields the source states."""
    expected = fixture["expected"]
    stated = expected["users"]
    if isinstance(stated, list):  # every user stated
        return len(stated), {
            index: {k: v for k, v in user.items() if k in USER_FIELDS}
            for index, user in enumerate(stated)
        }
    return expected["count"], {
        int(index): {k: v for k, v in user.items() if k in USER_FIELDS}
        for index, user in stated.items()
    }


def decoded_users(terminal: ReplayTerminal) -> tuple[int, dict[int, dict[str, Any]]]:
    """What the client reads, in the shape of stated_users."""
    users = client_for(terminal).get_users()
    _count, stated = stated_users(terminal.fixture)
    picked = {
        index: {key: getattr(users[index], key) for key in fields}
        for index, fields in stated.items()
        if index < len(users)
    }
    return len(users), picked


@pytest.mark.parametrize("replay", USERS, indirect=True)
def test_users_decode_as_the_source_states(replay: ReplayTerminal) -> None:
    assert decoded_users(replay) == stated_users(replay.fixture)
    assert not replay.log.errors


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["adrobinoga-f19-user-72"], indirect=True)
def test_72_byte_user_group_is_the_byte_at_offset_39(replay: ReplayTerminal) -> None:
    (stated,) = replay.fixture["expected"]["users"]
    (user,) = client_for(replay).get_users()
    assert user.group_id == str(stated["group"])


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["adrobinoga-f19-user-72"], indirect=True)
def test_72_byte_user_time_zones_are_bytes_40_to_47(replay: ReplayTerminal) -> None:
    """Ned uses his own time zones 1 and 2: kept as the terminal stores them."""
    (stated,) = replay.fixture["expected"]["users"]
    (user,) = client_for(replay).get_users()
    assert getattr(user, "time_zones", None) == bytes.fromhex(stated["time_zone_bytes"])


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


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["adrobinoga-f19-user-72"], indirect=True)
def test_rewriting_a_72_byte_user_keeps_every_byte_but_the_password_tail(
    replay: ReplayTerminal,
) -> None:
    """Read-modify-write of Ned: group 2 and his own time zones 1 and 2 go back as the
    terminal stored them. Only the password field differs: the terminal keeps stray bytes
    after its NUL ("444\\0" then c6 9a 80 7c), a write sends zeros there."""
    (stated,) = replay.fixture["expected"]["users"]
    client_for(replay).set_user(
        user_id=stated["user_id"],
        name=stated["name"],
        password=stated["password"],
        card=stated["card"],
    )
    (written,) = replay.log.payloads(CMD_USER_WRQ)
    (record,) = replay.fixture["replies"]["datasets"]["users"]["records"]
    stored = bytes.fromhex(record)
    assert written[:3] + written[11:] == stored[:3] + stored[11:]
    assert written[3:11] == stated["password"].encode().ljust(8, b"\0")


# Counters and device info ------------------------------------------------------------------


@NEEDS_PARSER
@pytest.mark.parametrize("replay", ["pyzk-41-ak3750-counters-4"], indirect=True)
def test_4_byte_counters_still_read_the_log(replay: ReplayTerminal) -> None:
    """pyzk reads the 4-byte counters reply as 0 records and never asks for the log."""
    client = client_for(replay)
    client.get_attendance()
    client.get_users()
    datasets = [struct.unpack_from("<bh", p)[1] for p in replay.log.payloads(PREPARE_BUFFER)]
    assert 13 in datasets  # CMD_ATTLOG_RRQ: the log was asked for
    assert 9 in datasets  # CMD_USERTEMP_RRQ: and the users


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


def stated_events(fixture: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**event, "timestamp": datetime.fromisoformat(event["timestamp"])}
        for event in fixture["expected"]["events"]
    ]


async def decoded_events(terminal: ReplayTerminal) -> list[dict[str, Any]]:
    stated = stated_events(terminal.fixture)
    events = await capture_events(terminal, len(stated))
    return [
        {key: getattr(event, key) for key in fields}
        for event, fields in zip(events, stated, strict=True)
    ]


@pytest.mark.parametrize("replay", EVENTS, indirect=True)
async def test_realtime_events_decode_as_the_source_states(replay: ReplayTerminal) -> None:
    assert await decoded_events(replay) == stated_events(replay.fixture)


# Every fixture can fail ----------------------------------------------------------------------


def tampered(fixture: dict[str, Any]) -> dict[str, Any]:
    """The fixture with one byte of each stated record changed: a uid byte of every record,
    the first user-id character of every event, the stated user ids in captured segments."""
    copy: dict[str, Any] = json.loads(json.dumps(fixture))
    stated_ids = [
        user["user_id"].encode()
        for user in (
            copy["expected"].get("users", {}).values()
            if isinstance(copy["expected"].get("users"), dict)
            else []
        )
    ]

    def flip_first(hex_bytes: str) -> str:
        raw = bytearray.fromhex(hex_bytes)
        raw[0] ^= 0x04
        return raw.hex()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "records" in node:
                node["records"] = [flip_first(record) for record in node["records"]]
            if "payload" in node and node is not copy["replies"].get("free_sizes"):
                node["payload"] = flip_first(node["payload"]) if node["payload"] else ""
            if "segments" in node:
                joined = bytes.fromhex("".join(node["segments"]))
                for user_id in stated_ids:
                    joined = joined.replace(user_id + b"\0", b"9" + user_id[1:] + b"\0")
                cut, pieces = 0, []
                for segment in node["segments"]:
                    pieces.append(joined[cut : cut + len(segment) // 2].hex())
                    cut += len(segment) // 2
                node["segments"] = pieces
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for kind in ("datasets", "events"):
        walk(copy["replies"].get(kind, {}))
    if copy["kind"] == "event":  # whole captured frames: change the user id's first digit
        for event in copy["replies"]["events"]:
            if "segments" in event:
                raw = bytearray.fromhex(event["segments"][0])
                raw[16] ^= 0x04
                event["segments"] = [raw.hex()]
    return copy


def names_of(kind: str) -> list[str]:
    return [name for name in fixture_names() if load_fixture(name)["kind"] == kind]


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
