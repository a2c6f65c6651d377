"""The smoke test's own machinery: form answers as the UI gives them, failure reports.

The smoke test itself runs in its own environment (scripts/smoke); these run in the suite.
"""

import inspect
from typing import Any

import pytest

from smoke import __main__ as smoke_main
from smoke.client import form_defaults

MQTT_BROKER_FORM: list[dict[str, Any]] = [  # the shape of MQTT's broker step, trimmed
    {"name": "broker", "required": True, "selector": {"text": {}}},
    {"name": "port", "required": True, "default": 1883, "selector": {"number": {}}},
    {"name": "username", "required": False, "optional": True, "selector": {"text": {}}},
    {
        "type": "expandable",
        "name": "other_settings",
        "required": True,
        "schema": [
            {"name": "set_client_cert", "required": True, "selector": {"boolean": {}}},
            {
                "name": "set_ca_cert",
                "required": True,
                "selector": {"select": {"options": ["off", "auto", "custom"]}},
            },
            {
                "name": "transport",
                "required": True,
                "default": "tcp",
                "selector": {"select": {"options": [{"value": "tcp", "label": "TCP"}]}},
            },
            {
                "name": "keepalive",
                "required": False,
                "description": {"suggested_value": 60},
                "selector": {"number": {}},
            },
        ],
    },
]


def test_form_defaults_are_what_the_ui_starts_with() -> None:
    assert form_defaults(MQTT_BROKER_FORM) == {
        "port": 1883,
        "other_settings": {
            "set_client_cert": False,
            "set_ca_cert": "off",
            "transport": "tcp",
            "keepalive": 60,
        },
    }


def test_relevant_log_keeps_devicehub_and_errors() -> None:
    lines = [
        "INFO (MainThread) [homeassistant.bootstrap] Home Assistant initialized",
        "DEBUG (MainThread) [custom_components.devicehub.terminal] Live capture connected",
        "ERROR (MainThread) [homeassistant.setup] Setup failed for devicehub",
        "Traceback (most recent call last):",
    ]
    assert smoke_main.relevant_log(lines).splitlines() == lines[1:]


class FakeSmoke:
    client = None


async def test_a_failing_check_is_named_and_stops_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[str] = []

    async def passes(smoke: Any) -> None:
        ran.append("first")

    async def fails(smoke: Any) -> None:
        ran.append("second")
        raise AssertionError("lock.front_door is 'locked', not 'unlocked'")

    async def never(smoke: Any) -> None:
        ran.append("third")

    checks = [("first check", passes), ("unlock the door", fails), ("third check", never)]
    monkeypatch.setattr(smoke_main, "CHECKS", checks)
    passed, failed = await smoke_main.run_checks(FakeSmoke())  # type: ignore[arg-type]
    assert (passed, failed, ran) == (1, "unlock the door", ["first", "second"])
    output = capsys.readouterr().out
    assert "ok  first check" in output
    assert (
        "FAILED check: unlock the door: AssertionError: lock.front_door is 'locked', "
        "not 'unlocked'" in output
    )
    assert "third check" not in output


def test_every_check_has_a_distinct_name() -> None:
    names = [name for name, _ in smoke_main.CHECKS]
    assert len(set(names)) == len(names) == 8
    assert inspect.iscoroutinefunction(smoke_main.check_get_attendance)
