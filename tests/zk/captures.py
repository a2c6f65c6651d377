"""Shared pieces of the real-capture tests: fixtures, the client set up on a replay, and
what each source states next to what the client decodes, in comparable shapes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
import json
from typing import Any

from zk import ZK

from custom_components.devicehub.zk import LiveCapture, LiveEvent, TerminalClient, TerminalConfig
from tests.zk.replay import ReplayTerminal, fixture_names, load_fixture

ATTENDANCE = [
    "pyzk-99-zem500-attendance-8",
    "pyzk-92-ma300-attendance-8",
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


def without_counts(fixture: dict[str, Any]) -> dict[str, Any]:
    """The fixture answering the counters request as the D2 terminal does: 4 bytes, no count
    (its real reply, from pyzk issue 41), so only the records themselves tell their layout."""
    copy: dict[str, Any] = json.loads(json.dumps(fixture))
    copy["replies"]["free_sizes"] = load_fixture("pyzk-41-ak3750-counters-4")["replies"][
        "free_sizes"
    ]
    return copy
