"""Command encoding: exact texts, validated fields, and no way to run code."""

from dataclasses import dataclass

from hypothesis import given, strategies as st
import pytest

from custom_components.devicehub.adms import (
    AcUnlock,
    Check,
    CommandFieldError,
    ControlDevice,
    DeleteUser,
    GetOption,
    Info,
    Log,
    QueryUsers,
    Reboot,
    SetOption,
    SetUser,
    encode_command,
    encode_commands,
)
from custom_components.devicehub.adms.commands import (
    COMMAND_TYPES,
    MAX_UNLOCK_SECONDS,
    SETTABLE_OPTIONS,
)


def test_texts() -> None:
    assert encode_commands(
        [
            (1, Reboot()),
            (2, Info()),
            (3, Check()),
            (4, Log()),
            ("info8487", AcUnlock()),
            (6, ControlDevice(door=1, seconds=5)),
            (7, DeleteUser("1001")),
            (8, QueryUsers()),
            (9, QueryUsers("1001")),
            (10, GetOption("FWVersion")),
            (11, SetOption("Delay", "5")),
        ]
    ) == (
        "C:1:REBOOT\nC:2:INFO\nC:3:CHECK\nC:4:LOG\nC:info8487:AC_UNLOCK\n"
        "C:6:CONTROL DEVICE 01010105\nC:7:DATA DELETE USERINFO PIN=1001\n"
        "C:8:DATA QUERY USERINFO\nC:9:DATA QUERY USERINFO PIN=1001\n"
        "C:10:GET OPTION FROM FWVersion\nC:11:SET OPTION Delay=5\n"
    )
    assert encode_commands([]) == ""


def test_set_user() -> None:
    command = SetUser(user_id="1001", name="John Doe", privilege=14, password="1234", card="123")
    assert encode_command(5, command) == (
        "C:5:DATA UPDATE USERINFO PIN=1001\tName=John Doe\tPri=14\tPasswd=1234\tCard=123\tGrp=1"
    )
    assert encode_command(6, SetUser(user_id="7")).endswith("Name=\tPri=0\tPasswd=\tCard=\tGrp=1")


def test_control_device_seconds_are_hex_bytes() -> None:
    assert MAX_UNLOCK_SECONDS == 254
    assert ControlDevice(door=2, seconds=10).encode() == "CONTROL DEVICE 0102010A"
    assert ControlDevice(door=1, seconds=254).encode() == "CONTROL DEVICE 010101FE"
    for bad in ({"seconds": 0}, {"seconds": 255}, {"door": 0}, {"door": 5}, {"seconds": True}):
        with pytest.raises(CommandFieldError):
            ControlDevice(**bad).encode()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "command",
    [
        SetUser(user_id="1001", name="A\tPri=14"),
        SetUser(user_id="1001", name="A\nC:2:REBOOT"),
        SetUser(user_id="1001", name="A\rB"),
        SetUser(user_id="1001", name="A\x00B"),
        SetUser(user_id="1001", name="n" * 65),
        SetUser(user_id="10 01"),
        SetUser(user_id=""),
        SetUser(user_id="1" * 25),
        SetUser(user_id="1001", privilege=16),
        SetUser(user_id="1001", privilege=True),
        SetUser(user_id="1001", password="12a4"),
        SetUser(user_id="1001", password="123456789"),
        SetUser(user_id="1001", card="12\t3"),
        SetUser(user_id="1001", group=0),
        DeleteUser("1001\nC:9:REBOOT"),
        QueryUsers("*"),
        GetOption("Device Name"),
        GetOption(""),
        SetOption("ICLOCKSVRURL", "evil.example"),
        SetOption("DateTime", "1"),
        SetOption("Delay", "5\nC:2:REBOOT"),
    ],
)
def test_fields_are_validated_never_rewritten(command: object) -> None:
    with pytest.raises(CommandFieldError):
        encode_command(1, command)  # type: ignore[arg-type]


@pytest.mark.parametrize("command_id", ["", "a:b", "1\n", "x" * 17, True, -1, "ID 1"])
def test_command_ids(command_id: object) -> None:
    with pytest.raises(CommandFieldError):
        encode_command(command_id, Reboot())  # type: ignore[arg-type]
    assert encode_command("x" * 16, Reboot()) == "C:" + "x" * 16 + ":REBOOT"


def test_only_the_typed_commands_are_encoded() -> None:
    """Nothing outside COMMAND_TYPES is encoded, even with an encode() of its own."""

    @dataclass(frozen=True)
    class Shell:
        command: str

        def encode(self) -> str:
            return f"SHELL {self.command}"

    with pytest.raises(CommandFieldError, match="not a push command"):
        encode_command(1, Shell("reboot"))  # type: ignore[arg-type]
    with pytest.raises(CommandFieldError):
        encode_commands([(1, Reboot()), (2, "SHELL ls")])  # type: ignore[list-item]
    assert {"Delay", "ErrorDelay", "Realtime", "TransInterval"} == SETTABLE_OPTIONS


_FORBIDDEN = ("SHELL", "SYSTEM", "PUTFILE", "GETFILE", "UPGRADE", "CLEAR", "ENROLL", "C:")


@given(
    kind=st.sampled_from(COMMAND_TYPES),
    text=st.text(max_size=40),
    number=st.integers(min_value=-5, max_value=300),
)
def test_no_field_value_makes_a_command_that_runs_code(kind: type, text: str, number: int) -> None:
    """Whatever a caller puts in any field: a command line of its own kind or a refusal."""
    samples = {
        SetUser: lambda: SetUser(user_id=text, name=text, password=text, card=text),
        DeleteUser: lambda: DeleteUser(text),
        QueryUsers: lambda: QueryUsers(text),
        ControlDevice: lambda: ControlDevice(door=number, seconds=number),
        GetOption: lambda: GetOption(text),
        SetOption: lambda: SetOption(text, text),
    }
    command = samples.get(kind, kind)()
    try:
        line = encode_command(1, command)
    except CommandFieldError:
        return
    assert "\n" not in line and "\r" not in line
    verb = line.removeprefix("C:1:")
    assert not verb.upper().startswith(_FORBIDDEN)
    assert ":" not in verb.split(" ", 1)[0]
