"""Which request a terminal made, and which requests are refused."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from custom_components.devicehub.adms import (
    ENDPOINT_NAMES,
    AdmsRequestError,
    RefusalReason,
    RequestKind,
    Table,
    is_valid_serial,
    parse_request,
)
from custom_components.devicehub.adms.request import MAX_QUERY_VALUE_LENGTH, MAX_SERIAL_LENGTH

from .samples import sample


def test_the_specification_handshake_request() -> None:
    line = sample("spec_handshake_request.txt").decode().strip()
    url = urlsplit(line.split(" ", 1)[1])
    request = parse_request("GET", url.path, dict(parse_qsl(url.query)))
    assert request.kind is RequestKind.HANDSHAKE
    assert request.serial == "0316144680030"
    assert request.options == "all"
    assert request.push_version == "2.2.14"
    assert request.language == "83"
    assert request.query["pushcommkey"] == "4a9594af164f2b9779b59e8554b5df26"


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/iclock/cdata", RequestKind.HANDSHAKE),
        ("POST", "/iclock/cdata", RequestKind.UPLOAD),
        ("POST", "/iclock/fdata", RequestKind.UPLOAD),
        ("GET", "/iclock/getrequest", RequestKind.POLL),
        ("get", "/iclock/getrequest.aspx", RequestKind.POLL),
        ("POST", "/iclock/devicecmd", RequestKind.COMMAND_RESULT),
        ("POST", "/iclock/registry", RequestKind.REGISTRY),
        ("POST", "/iclock/push", RequestKind.PUSH),
        ("GET", "/iclock/ping", RequestKind.PING),
        ("POST", "/iclock/querydata", RequestKind.QUERY_DATA),
        ("GET", "/iclock/devicecmd", RequestKind.UNKNOWN),
        ("DELETE", "/iclock/cdata", RequestKind.UNKNOWN),
    ],
)
def test_kinds(method: str, path: str, kind: RequestKind) -> None:
    query = {"SN": "CQZ7232560025"}
    if method == "POST":
        query["table"] = "ATTLOG"
    assert parse_request(method, path, query).kind is kind


def test_every_endpoint_is_listed() -> None:
    assert set(ENDPOINT_NAMES) == {
        "cdata", "fdata", "getrequest", "devicecmd", "registry", "push", "ping", "querydata"
    }  # fmt: skip


def test_upload_fields() -> None:
    request = parse_request(
        "POST", "/iclock/cdata", {"SN": "ABC123", "table": "attlog", "Stamp": "9999"}
    )
    assert (request.table, request.stamp, request.known_table) == ("attlog", "9999", Table.ATTLOG)
    options = parse_request("POST", "/iclock/cdata", {"SN": "ABC123", "table": "OPTIONS"})
    assert options.known_table is Table.OPTIONS
    other = parse_request("POST", "/iclock/cdata", {"SN": "ABC123", "table": "IDCARD"})
    assert (other.table, other.known_table) == ("IDCARD", None)
    assert parse_request("GET", "/iclock/getrequest", {"SN": "ABC123"}).known_table is None


def test_remote_attendance_is_not_a_handshake() -> None:
    query = {"SN": "0316144680030", "table": "RemoteAtt", "PIN": "1"}
    assert parse_request("GET", "/iclock/cdata", query).kind is RequestKind.UNKNOWN


def test_poll_keeps_info() -> None:
    query = {"SN": "0316144680030", "INFO": sample("spec_getrequest_info.txt").decode().strip()}
    assert parse_request("GET", "/iclock/getrequest", query).info == query["INFO"]


def test_serial_rule_is_32_letters_and_digits() -> None:
    assert MAX_SERIAL_LENGTH == 32
    assert is_valid_serial("A" * 32)
    assert is_valid_serial("0316144680030")
    for bad in ("", "A" * 33, "AB-12", "AB 12", "ÄB12", "AB12\n", "../x", None, 12):
        assert not is_valid_serial(bad)


@pytest.mark.parametrize("serial", [None, "", "A" * 33, "SN;rm", "SN\t1", "ß1"])
def test_bad_serial_refused(serial: str | None) -> None:
    query = {} if serial is None else {"SN": serial}
    with pytest.raises(AdmsRequestError) as caught:
        parse_request("GET", "/iclock/getrequest", query)
    assert caught.value.reason is RefusalReason.BAD_SERIAL


@pytest.mark.parametrize(
    "path", ["/iclock/shell", "/iclock/", "/api/iclock/cdata", "/iclock/x/cdata"]
)
def test_unknown_path_refused(path: str) -> None:
    with pytest.raises(AdmsRequestError) as caught:
        parse_request("GET", path, {"SN": "ABC123"})
    assert caught.value.reason is RefusalReason.UNKNOWN_PATH


def test_upload_without_table_refused() -> None:
    with pytest.raises(AdmsRequestError) as caught:
        parse_request("POST", "/iclock/cdata", {"SN": "ABC123"})
    assert caught.value.reason is RefusalReason.MISSING_TABLE


def test_overlong_query_value_refused() -> None:
    assert MAX_QUERY_VALUE_LENGTH == 1024
    parse_request("GET", "/iclock/getrequest", {"SN": "ABC123", "INFO": "x" * 1024})
    with pytest.raises(AdmsRequestError) as caught:
        parse_request("GET", "/iclock/getrequest", {"SN": "ABC123", "INFO": "x" * 1025})
    assert caught.value.reason is RefusalReason.BAD_QUERY
    assert "x" * 20 not in str(caught.value)
