"""Command results posted to /iclock/devicecmd."""

import pytest

from custom_components.devicehub.adms import ReturnMeaning, parse_command_results, return_meaning

from .samples import sample


def test_the_specification_results_with_alphanumeric_ids() -> None:
    parsed = parse_command_results(sample("spec_devicecmd_results.txt"))
    assert [result.command_id for result in parsed.records] == [
        "info8487", "info8488", "info8489", "info7464", "fp7464"
    ]  # fmt: skip
    assert all(result.succeeded and result.command == "DATA" for result in parsed.records)
    assert parsed.malformed == 0


def test_real_batched_confirmations() -> None:
    parsed = parse_command_results(sample("speedface_v5l_batched_results.txt"))
    assert [(r.command_id, r.return_code, r.command) for r in parsed.records] == [
        ("1", 0, "DATA"),
        ("2", 0, "DATA"),
        ("3", 0, "CHECK"),
    ]


def test_real_multi_line_form() -> None:
    (result,) = parse_command_results(sample("speedface_v5l_shell_result.txt")).records
    assert (result.command_id, result.return_code, result.command) == ("32", 0, "Shell")
    assert result.data["Content"] == "Tue Mar 24 16:12:26 GMT 2026"


def test_real_rejections() -> None:
    parsed = parse_command_results(sample("speedface_v5l_rejections.txt"))
    assert [result.meaning for result in parsed.records] == [
        ReturnMeaning.UNSUPPORTED,
        ReturnMeaning.NOT_CONFIGURED,
        ReturnMeaning.BAD_PARAMETER,
    ]
    assert not any(result.succeeded for result in parsed.records)


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        (0, ReturnMeaning.SUCCESS),
        (3, ReturnMeaning.SUCCESS),
        (-1, ReturnMeaning.BAD_PARAMETER),
        (-2, ReturnMeaning.SIZE_MISMATCH),
        (-3, ReturnMeaning.READ_WRITE_ERROR),
        (-9, ReturnMeaning.SIZE_MISMATCH),
        (-10, ReturnMeaning.USER_NOT_FOUND),
        (-11, ReturnMeaning.BAD_TEMPLATE),
        (-12, ReturnMeaning.BAD_TEMPLATE),
        (-1001, ReturnMeaning.CAPACITY),
        (-1002, ReturnMeaning.UNSUPPORTED),
        (-1003, ReturnMeaning.TIMEOUT),
        (-1004, ReturnMeaning.NOT_CONFIGURED),
        (-1005, ReturnMeaning.BUSY),
        (-1006, ReturnMeaning.TOO_LONG),
        (-1007, ReturnMeaning.MEMORY_ERROR),
        (-1008, ReturnMeaning.SERVER_DATA_FAILED),
        (-7, ReturnMeaning.ERROR),
    ],
)
def test_return_codes_of_the_specification(code: int, meaning: ReturnMeaning) -> None:
    assert return_meaning(code) is meaning


def test_malformed_results_are_counted() -> None:
    body = (
        b"Return=0&CMD=INFO\n"  # before any ID: not a result
        b"ID=1&CMD=INFO\n"  # no Return
        b"ID=a-b&Return=0&CMD=DATA\n"  # bad id
        b"ID=2&Return=x&CMD=DATA\n"  # Return not a number
        b"ID=3&Return=-1002&CMD=DATA\n"
        b"ID=" + b"9" * 5000 + b"\n"  # over the line cap
        b"ID=4&Return=0\n"
    )
    parsed = parse_command_results(body)
    assert [(r.command_id, r.return_code, r.command) for r in parsed.records] == [
        ("3", -1002, "DATA"),
        ("4", 0, ""),
    ]
    assert parsed.malformed == 5
    assert parsed.first_malformed_reason == "line before any result"


def test_info_lines_belong_to_their_result() -> None:
    body = b"ID=1&Return=0&CMD=INFO\n~DeviceName=SpeedFace\nUserCount=2\nID=2&Return=0&CMD=CHECK\n"
    first, second = parse_command_results(body).records
    assert dict(first.data) == {"DeviceName": "SpeedFace", "UserCount": "2"}
    assert dict(second.data) == {}
