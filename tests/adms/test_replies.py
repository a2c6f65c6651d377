"""What the server answers."""

from dataclasses import replace

import pytest

from custom_components.devicehub.adms import (
    REPLY_NOTHING,
    CommandFieldError,
    HandshakeOptions,
    PushOptions,
    handshake_reply,
    push_reply,
    registry_reply,
    reply_ok,
)
from custom_components.devicehub.adms.replies import time_zone_value

from .samples import sample


def _options(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines()[1:])


def test_handshake_has_the_keys_of_the_specification_example() -> None:
    reply = handshake_reply("0316144680030", HandshakeOptions(time_zone_minutes=480))
    example = sample("spec_handshake_reply.txt").decode()
    assert reply.splitlines()[0] == example.splitlines()[0] == "GET OPTION FROM: 0316144680030"
    ours, theirs = _options(reply), _options(example)
    assert set(theirs) - {"Encrypt"} <= set(ours)
    for key in ("ATTLOGStamp", "ATTPHOTOStamp", "ErrorDelay", "Delay", "TransTimes"):
        assert ours[key] == theirs[key]
    assert ours["TransInterval"] == theirs["TransInterval"] == "1"
    assert ours["TimeZone"] == theirs["TimeZone"] == "8"
    assert ours["TransFlag"].split("\t")[:3] == ["TransData AttLog", "OpLog", "AttPhoto"]
    assert (ours["Realtime"], ours["Encrypt"], ours["PushProtVer"]) == ("1", "0", "2.4.1")
    assert reply.endswith("\n") and "\r" not in reply


def test_handshake_tells_delay_and_realtime() -> None:
    options = HandshakeOptions(delay=7, error_delay=45, realtime=False, attlog_stamp="123")
    values = _options(handshake_reply("SN1", options))
    assert (values["Delay"], values["ErrorDelay"], values["Realtime"]) == ("7", "45", "0")
    assert values["ATTLOGStamp"] == "123"
    assert "TimeZone" not in values


@pytest.mark.parametrize(
    ("minutes", "value"),
    [(0, "0"), (60, "1"), (-300, "-5"), (660, "11"), (720, "720"), (330, "330"),
     (-570, "-570"), (345, "345"), (840, "840"), (30, None), (-45, None)],
)  # fmt: skip
def test_time_zone_in_hours_or_minutes(minutes: int, value: str | None) -> None:
    """Hours when -12 < TimeZone < 12, minutes beyond +-60 (specification §6)."""
    assert time_zone_value(minutes) == value
    reply = handshake_reply("SN1", HandshakeOptions(time_zone_minutes=minutes))
    assert _options(reply).get("TimeZone") == value


@pytest.mark.parametrize(
    "change",
    [
        {"delay": 0},
        {"delay": 3601},
        {"error_delay": 0},
        {"trans_interval": 0},
        {"encrypt": 1},
        {"attlog_stamp": "12\nDelay=1"},
        {"operlog_stamp": "-1"},
        {"trans_times": ("24:00",)},
        {"trans_times": ("00:00\nRealtime=0",)},
        {"trans_flag": ("AttLog\nDelay=1",)},
        {"server_version": ""},
        {"time_zone_minutes": 15 * 60},
        {"delay": True},
    ],
)
def test_handshake_refuses_bad_options(change: dict[str, object]) -> None:
    with pytest.raises(CommandFieldError):
        handshake_reply("SN1", replace(HandshakeOptions(), **change))  # type: ignore[arg-type]


def test_handshake_refuses_bad_serial() -> None:
    with pytest.raises(CommandFieldError):
        handshake_reply("SN 1\nDelay=1", HandshakeOptions())


def test_ok_acknowledges_the_record_count() -> None:
    assert reply_ok(9) == "OK:9"  # the specification's answer to its 9-line ATTLOG example
    assert reply_ok(0) == "OK:0"
    assert REPLY_NOTHING == "OK"
    with pytest.raises(CommandFieldError):
        reply_ok(-1)


def test_push_reply() -> None:
    reply = push_reply(PushOptions(request_delay=5, session_id="ABC123"))
    values = dict(line.split("=", 1) for line in reply.splitlines())
    assert values["RequestDelay"] == "5"
    assert values["TransTables"] == "User Transaction"
    assert values["SessionID"] == "ABC123"
    assert values["Realtime"] == "1"
    assert "SessionID" not in push_reply(PushOptions())
    with pytest.raises(CommandFieldError):
        push_reply(PushOptions(server_name="x\nRealtime=0"))
    with pytest.raises(CommandFieldError):
        push_reply(PushOptions(request_delay=0))
    with pytest.raises(CommandFieldError):
        push_reply(PushOptions(session_id="a b\n"))


def test_registry_reply() -> None:
    assert registry_reply("Uy47fxftP3") == "RegistryCode=Uy47fxftP3\n"
    with pytest.raises(CommandFieldError):
        registry_reply("x\ny")
