"""The door's strings, icons and action description follow hassfest's rules."""

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from custom_components.devicehub.punch import PUNCH_TYPES

BASE = Path(__file__).parents[2] / "custom_components" / "devicehub"
STRINGS: dict[str, Any] = json.loads((BASE / "translations" / "en.json").read_text("utf-8"))
ICONS: dict[str, Any] = json.loads((BASE / "icons.json").read_text("utf-8"))
SERVICES: dict[str, Any] = yaml.safe_load((BASE / "services.yaml").read_text("utf-8"))
KEY = re.compile(r"[a-z0-9-_]+")


def door_sections() -> list[tuple[str, Any]]:
    """The parts of en.json the door family owns."""
    config, options = STRINGS["config"], STRINGS["options"]
    return [
        ("config.step.door", config["step"]["door"]),
        ("config.step.door_confirm", config["step"]["door_confirm"]),
        ("config.step.reconfigure_door", config["step"]["reconfigure_door"]),
        ("options.step.door_options", options["step"]["door_options"]),
        ("selector.door_features", STRINGS["selector"]["door_features"]),
        ("entity.event.stranger", STRINGS["entity"]["event"]["stranger"]),
        ("entity.event.punch", STRINGS["entity"]["event"]["punch"]),
        ("entity.image.stranger_picture", STRINGS["entity"]["image"]["stranger_picture"]),
        ("issues.door_unregistered", STRINGS["issues"]["door_unregistered"]),
        ("services.call", STRINGS["services"]["call"]),
    ]


def leaves(path: str, node: Any) -> list[tuple[str, str]]:
    """Every (path, string) under a node, checking keys on the way."""
    if isinstance(node, str):
        return [(path, node)]
    found = []
    for key, value in node.items():
        assert KEY.fullmatch(key), f"{path}.{key}: key must be [a-z0-9-_]"
        found += leaves(f"{path}.{key}", value)
    return found


@pytest.mark.parametrize(("path", "section"), door_sections(), ids=lambda x: str(x)[:40])
def test_string_rules(path: str, section: Any) -> None:
    """No HTML, no outer spaces, no quoted placeholders, data_description within data."""
    for where, text in leaves(path, section):
        assert text, where
        assert text == text.strip(), where
        assert not re.search(r"<[a-z/][^>]*>", text), f"{where}: HTML"
        assert not re.search(r"['\"]\{\w+\}['\"]", text), f"{where}: quoted placeholder"
        assert "[%key:" not in text, f"{where}: references are not resolved for custom integrations"
    if isinstance(section, dict) and "data_description" in section:
        assert set(section["data_description"]) <= set(section["data"]), path


def test_every_error_key_is_translated() -> None:
    """Every translation key raised or shown by the door code has a string."""
    code = "\n".join(path.read_text("utf-8") for path in (BASE / "door").glob("*.py"))
    keys = set(re.findall(r'translation_key="(\w+)"', code))
    assert keys
    paths = [where for where, _ in leaves("", STRINGS)]
    named = {part for where in paths for part in where.split(".")}
    missing = keys - named
    assert not missing
    for reason in re.findall(r'async_abort\(reason="(\w+)"\)', code):
        assert (
            reason in STRINGS["config"]["abort"]
            or reason in (STRINGS["issues"]["door_unregistered"]["fix_flow"]["abort"])
        )
    for error in set(re.findall(r'errors\[\w+\] = "(\w+)"', code)):
        assert error in STRINGS["config"]["error"] or error in STRINGS["options"]["error"]


def test_event_types_are_translated() -> None:
    """Every punch type and the stranger event type have names."""
    punches = STRINGS["entity"]["event"]["punch"]["state_attributes"]["event_type"]
    assert set(punches["state"]) == set(PUNCH_TYPES)
    stranger = STRINGS["entity"]["event"]["stranger"]["state_attributes"]["event_type"]
    assert set(stranger["state"]) == {"stranger"}


def test_call_action_is_described() -> None:
    """The call action has fields in services.yaml, names and descriptions, and an icon."""
    fields = set(SERVICES["call"]["fields"])
    assert fields == {"device_id", "config_entry_id", "command", "args", "timeout"}
    described = STRINGS["services"]["call"]
    assert described["name"]
    assert described["description"]
    assert set(described["fields"]) == fields
    for field in described["fields"].values():
        assert field["name"]
        assert field["description"]
    assert ICONS["services"]["call"]["service"].startswith("mdi:")


def test_icons() -> None:
    """Door entities have mdi icons."""
    assert ICONS["entity"]["event"]["stranger"]["default"].startswith("mdi:")
    assert ICONS["entity"]["event"]["punch"]["default"].startswith("mdi:")
    assert ICONS["entity"]["image"]["stranger_picture"]["default"].startswith("mdi:")
