"""Bytes from real terminals, replayed through the real client over loopback.

Each fixture in tests/fixtures/zk/ holds bytes published with a real terminal (source, device
and firmware named there) and the values its source states; the client must decode exactly
those values. test_real_captures_fail.py shows each fixture can tell a wrong reading apart,
test_real_capture_events.py replays the realtime events.
"""

from __future__ import annotations

import socket
import struct

import pytest

from custom_components.devicehub.zk import AsyncTerminal, TerminalConfig, TerminalError
from tests.zk.captures import (
    ATTENDANCE,
    USERS,
    client_for,
    decoded_attendance,
    decoded_users,
    segment_specs,
    stated_rows,
    stated_users,
    without_counts,
)
from tests.zk.replay import (
    CMD_GET_FREE_SIZES,
    CMD_USER_WRQ,
    FIXTURES,
    PREPARE_BUFFER,
    ReplayTerminal,
    captured_segments,
    fixture_names,
    load_fixture,
    packet_checksum_ok,
)
from tools.zksim.protocol import build_packet, tcp_frame

# The replayed terminals listen on loopback sockets.
pytestmark = pytest.mark.usefixtures("socket_enabled")


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


def test_every_fixture_is_listed_with_its_source_in_the_readme() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for name in fixture_names():
        source = load_fixture(name)["source"]
        assert f"| `{name}` |" in readme, name
        # a file by its repository, an issue by its address
        assert source.get("repo", source["url"]) in readme, name


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


@pytest.mark.parametrize("replay", USERS, indirect=True)
def test_users_decode_as_the_source_states(replay: ReplayTerminal) -> None:
    assert decoded_users(replay) == stated_users(replay.fixture)
    assert not replay.log.errors


@pytest.mark.parametrize("replay", ["adrobinoga-f19-user-72"], indirect=True)
def test_72_byte_user_group_is_the_byte_at_offset_39(replay: ReplayTerminal) -> None:
    (stated,) = replay.fixture["expected"]["users"]
    (user,) = client_for(replay).get_users()
    assert user.group_id == str(stated["group"])


@pytest.mark.parametrize("replay", ["adrobinoga-f19-user-72"], indirect=True)
def test_72_byte_user_time_zones_are_bytes_40_to_47(replay: ReplayTerminal) -> None:
    """Ned uses his own time zones 1 and 2: kept as the terminal stores them."""
    (stated,) = replay.fixture["expected"]["users"]
    (user,) = client_for(replay).get_users()
    assert user.time_zones == bytes.fromhex(stated["time_zone_bytes"])


@pytest.mark.parametrize("replay", ["pyzk-test-users-72-direct"], indirect=True)
def test_counters_of_the_pyzk_capture(replay: ReplayTerminal) -> None:
    counts = client_for(replay).get_counts()
    for key, value in replay.fixture["expected"]["counters"].items():
        assert getattr(counts, key) == value, key


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


@pytest.mark.parametrize("replay", ["pyzk-41-ak3750-counters-4"], indirect=True)
def test_4_byte_counters_still_read_the_log(replay: ReplayTerminal) -> None:
    """pyzk reads the 4-byte counters reply as 0 records and never asks for the log."""
    client = client_for(replay)
    client.get_attendance()
    client.get_users()
    datasets = [struct.unpack_from("<bh", p)[1] for p in replay.log.payloads(PREPARE_BUFFER)]
    assert 13 in datasets  # CMD_ATTLOG_RRQ: the log was asked for
    assert 9 in datasets  # CMD_USERTEMP_RRQ: and the users


@pytest.mark.parametrize("replay", ["pyzk-41-ak3750-counters-4"], indirect=True)
def test_4_byte_counters_leave_the_record_count_unknown(replay: ReplayTerminal) -> None:
    counts = client_for(replay).get_counts()
    assert counts.records is None


@pytest.mark.parametrize("replay", ["pyzk-41-ak3750-counters-4"], indirect=True)
def test_info_of_the_d2_terminal(replay: ReplayTerminal) -> None:
    info = client_for(replay).get_info()
    for key, value in replay.fixture["expected"]["info"].items():
        assert getattr(info, key) == value, key


@pytest.mark.parametrize("name", [*ATTENDANCE, *USERS])
def test_without_a_count_real_records_read_right_or_are_refused(name: str) -> None:
    """With the D2's 4-byte counters reply in place of the real one, only the bytes tell
    the layout: the client reads what the source states, or refuses; never anything else."""
    fixture = load_fixture(name)
    decode, stated = (
        (decoded_attendance, stated_rows(fixture))
        if fixture["kind"] == "attendance"
        else (decoded_users, stated_users(fixture))
    )
    with ReplayTerminal(without_counts(fixture)) as terminal:
        try:
            decoded = decode(terminal)
        except TerminalError as exc:  # refused: fine, as long as it says why
            assert "layout" in str(exc).lower(), exc
        else:
            assert decoded == stated
