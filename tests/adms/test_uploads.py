"""ATTLOG, OPERLOG and user uploads: records, malformed lines, caps."""

import asyncio
from datetime import datetime
import random

import pytest

from custom_components.devicehub.adms import (
    MAX_BODY_BYTES,
    MAX_LINE_LENGTH,
    MAX_LINES,
    BodyTooLargeError,
    RefusalReason,
    parse_attlog,
    parse_attlog_stepwise,
    parse_operlog,
    parse_userinfo,
    reply_ok,
)
from custom_components.devicehub.adms.uploads import STEP_LINES

from .samples import sample

GOOD = b"1\t2020-01-01 08:00:00\t0\t1\t0\t0\t0\n"


def test_the_caps_are_the_documented_numbers() -> None:
    assert MAX_BODY_BYTES == 4 * 1024 * 1024
    assert MAX_LINES == 50_000
    assert MAX_LINE_LENGTH == 4_096


def test_the_specification_attlog_example() -> None:
    body = sample("spec_attlog_upload.txt")
    assert len(body) == 315  # the example's Content-Length
    parsed = parse_attlog(body)
    assert (len(parsed.records), parsed.malformed, parsed.first_malformed_reason) == (9, 0, None)
    assert reply_ok(parsed.total) == "OK:9"
    first, last = parsed.records[0], parsed.records[-1]
    assert (first.user_id, first.time, first.status, first.verify, first.work_code) == (
        "1452",
        datetime(2015, 7, 30, 15, 16, 28),
        0,
        1,
        "0",
    )
    assert (last.user_id, last.time) == ("8965", datetime(2015, 7, 30, 15, 16, 37))
    assert len({record.key for record in parsed.records}) == 9
    assert first.key == "1452\t2015-07-30 15:16:28\t0"


def test_optional_fields_and_line_ends() -> None:
    body = (
        b"7\t2024-01-01 08:00:00\t1\t15\r\n"  # no work code: "0"
        b"8\t2024-01-01 08:00:01\t5\t25\t\t\t\t1\t36.2\t36.2\r\n"  # mask and temperature columns
        b"\n\r\n"
    )
    parsed = parse_attlog(body)
    assert [(r.user_id, r.status, r.verify, r.work_code) for r in parsed.records] == [
        ("7", 1, 15, "0"),
        ("8", 5, 25, "0"),
    ]
    assert parsed.malformed == 0


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"1\t2020-02-30 08:00:00\t0\t1", "must be in range|day is out of range"),
        (b"1\t2020-13-01 08:00:00\t0\t1", "month must be in 1..12|month"),
        (b"1\t2020-01-01\t0\t1", "does not match"),
        (b"1\t2020-01-01 08:00:00\t0", "3 fields"),
        (b"garbage", "1 fields"),
        (b"\t2020-01-01 08:00:00\t0\t1", "bad user id"),
        (b"1 2\t2020-01-01 08:00:00\t0\t1", "bad user id"),
        (b"A" * 25 + b"\t2020-01-01 08:00:00\t0\t1", "bad user id"),
        (b"1\t2020-01-01 08:00:00\t256\t1", "out of range"),
        (b"1\t2020-01-01 08:00:00\t-1\t1", "out of range"),
        (b"1\t2020-01-01 08:00:00\tx\t1", "invalid integer"),
        ("1\t2020-01-01 08:00:00\t\u0663\t1".encode(), "invalid integer"),  # Arabic-Indic 3
        ("1\t\u0662020-01-01 08:00:00\t0\t1".encode(), "does not match"),
        (b"1\t2020-01-01 08:00:00\t1_0\t1", "invalid integer"),
        (b"1\t2020-01-01T08:00:00\t0\t1", "does not match"),
        (b"1\t2020-01-01 08:00:00\t0\t1\t" + b"9" * 33, "work code"),
        (b"\xff\xfe\t2020-01-01 08:00:00\t0\t1", "bad user id"),
    ],
)
def test_malformed_line_is_counted_and_skipped(line: bytes, reason: str) -> None:
    parsed = parse_attlog(GOOD + line + b"\n" + GOOD.replace(b"08:00:00", b"09:00:00"))
    assert [record.time.hour for record in parsed.records] == [8, 9]
    assert parsed.malformed == 1
    assert parsed.first_malformed_reason is not None
    assert parsed.first_malformed_reason.startswith("line 2: ")
    assert any(part in parsed.first_malformed_reason for part in reason.split("|"))
    assert reply_ok(parsed.total) == "OK:3"


def test_line_length_cap() -> None:
    head = b"1\t2020-01-01 08:00:00\t0\t1\t0\t"
    exact = head + b"x" * (MAX_LINE_LENGTH - len(head))
    assert len(exact) == 4_096
    assert len(parse_attlog(exact).records) == 1
    parsed = parse_attlog(exact + b"x\n" + GOOD)
    assert (len(parsed.records), parsed.malformed) == (1, 1)
    assert parsed.first_malformed_reason == "line 1: longer than 4096 characters"


def test_body_cap() -> None:
    wide = GOOD.rstrip(b"\n") + b"\t" + b"r" * 3_000 + b"\n"  # extra reserved column
    body = (wide * (MAX_BODY_BYTES // len(wide) + 1))[:MAX_BODY_BYTES]
    parsed = parse_attlog(body)  # exactly at the cap: read
    assert (len(parsed.records), parsed.malformed) == (len(body.splitlines()), 0)
    with pytest.raises(BodyTooLargeError) as caught:
        parse_attlog(body + b"\n")
    assert caught.value.reason is RefusalReason.BODY_TOO_LARGE
    assert "4194305 bytes" in str(caught.value)


def test_line_count_cap() -> None:
    assert len(parse_attlog(GOOD * 50_000).records) == 50_000
    with pytest.raises(BodyTooLargeError) as caught:
        parse_attlog(GOOD * 50_001)
    assert caught.value.reason is RefusalReason.TOO_MANY_LINES


def test_garbage_is_never_fatal() -> None:
    rng = random.Random(1)
    for _ in range(50):
        parsed = parse_attlog(rng.randbytes(rng.randint(0, 3000)))
        assert parsed.records == ()
        operlog = parse_operlog(rng.randbytes(500))
        assert operlog.users == ()


def test_empty_body() -> None:
    parsed = parse_attlog(b"")
    assert (parsed.records, parsed.malformed, parsed.total) == ((), 0, 0)


def test_the_specification_user_lines() -> None:
    operlog = parse_operlog(sample("spec_operlog_users.txt"))
    assert [
        (u.user_id, u.name, u.privilege, u.password, u.card, u.group) for u in operlog.users
    ] == [
        ("36234", "36234", 0, None, "133440", "1"),
        ("36235", "36235", 0, None, "133441", "1"),
    ]
    assert reply_ok(operlog.total) == "OK:2"


def test_the_specification_operation_line() -> None:
    operlog = parse_operlog(sample("spec_operlog_oplog.txt"))
    assert (operlog.users, operlog.operations, operlog.malformed) == ((), 1, 0)
    assert reply_ok(operlog.total) == "OK:1"


def test_a_real_mb10_vl_operlog() -> None:
    operlog = parse_operlog(sample("mb10_vl_operlog.txt"))
    assert (operlog.operations, operlog.others, operlog.malformed) == (1, 1, 0)
    (user,) = operlog.users
    assert (user.user_id, user.name, user.password, user.group) == ("4", "User3", "<REDACTED>", "1")


def test_malformed_operlog_lines() -> None:
    body = (
        b"USER Name=nobody\n"  # no PIN
        b"OPLOG 4\t14\n"  # no time
        b"OPLOG x\t14\t2015-07-30 10:22:34\n"
        b"SHELL rm -rf /\n"  # not a line kind of the table
        b"USER PIN=5\tName=Eve\tPri=14\tPasswd=1234\tCard=[15CD5B07]\tGrp=2\n"
        b"USER PIN=6\tPri=x\n" + b"USER PIN=7\tName=" + b"n" * 5000 + b"\n"
    )
    operlog = parse_operlog(body)
    assert [(u.user_id, u.privilege, u.password, u.card, u.group) for u in operlog.users] == [
        ("5", 14, "1234", "[15CD5B07]", "2")
    ]
    assert (operlog.operations, operlog.malformed) == (0, 6)
    assert operlog.first_malformed_reason == "line 1: bad or missing PIN"
    assert operlog.total == 7


def test_userinfo_query_answer() -> None:
    body = b"PIN=1\tName=Alice\tPrivilege=14\tCard=00112233\tPassword=secret\nPIN=2\tName=Bob\n"
    users = parse_userinfo(body)
    assert [(u.user_id, u.name, u.privilege, u.password, u.card) for u in users.records] == [
        ("1", "Alice", 14, "secret", "00112233"),
        ("2", "Bob", 0, None, ""),
    ]


async def test_stepwise_parsing_gives_the_same_and_lets_the_loop_run() -> None:
    body = sample("spec_attlog_upload.txt") * 3 + b"bad line\n" + GOOD
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    running = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    stepwise = await parse_attlog_stepwise(body, step=4)
    running.cancel()
    assert stepwise == parse_attlog(body)
    assert (len(stepwise.records), stepwise.malformed) == (28, 1)
    assert stepwise.first_malformed_reason == "line 28: 1 fields, need at least 4"
    assert ticks - before >= 6  # 29 lines in steps of 4: the ticker ran between the steps
    assert STEP_LINES == 100
    assert await parse_attlog_stepwise(b"") == parse_attlog(b"")
