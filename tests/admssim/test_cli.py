"""The command line: python -m tools.admssim."""

from custom_components.devicehub.adms import HandshakeOptions
from tests.admssim_fixtures import StubServerFactory
from tools.admssim import PushVersion
from tools.admssim.__main__ import config_from, parse_args, run


def test_defaults() -> None:
    config = config_from(parse_args([]))
    assert (config.server, config.push_version, config.access_control) == (
        "http://127.0.0.1:8123", PushVersion.V2, True
    )  # fmt: skip


async def test_runs_until_the_punches_are_delivered(adms_stub_server: StubServerFactory) -> None:
    server = await adms_stub_server({"SIMCLI1"}, options=HandshakeOptions(delay=1, error_delay=1))
    args = parse_args(
        ["--server", server.url, "--serial", "SIMCLI1", "--punch-every", "0.01", "--punches", "3",
         "--users", "4", "--push-version", "3.1.2"]
    )  # fmt: skip
    assert await run(args) == 0
    assert len(server.punches("SIMCLI1")) >= 3
    assert {punch.user_id for punch in server.punches("SIMCLI1")} <= {"1", "2", "3", "4"}
