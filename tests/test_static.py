"""hassfest's checks, repeated on our files and proven to catch broken ones."""

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.devicehub.const import DOMAIN

from .static_checks import (
    INTEGRATION,
    check_bus_listeners,
    check_component_imports,
    check_hacs,
    check_icons,
    check_manifest,
    check_parallel_updates,
    check_quality_scale,
    check_services,
    check_translations,
    integration_sources,
    load_json,
    load_yaml,
)

ROOT = INTEGRATION.parent.parent
MANIFEST = load_json(INTEGRATION / "manifest.json")
ICONS = load_json(INTEGRATION / "icons.json")
TRANSLATIONS = sorted((INTEGRATION / "translations").glob("*.json"))
SERVICES_YAML = INTEGRATION / "services.yaml"


def _project_files(pattern: str) -> list[Path]:
    skip = {".venv", ".venv-newest", ".git", "node_modules", ".dev"}
    return [
        path
        for path in sorted(ROOT.rglob(pattern))
        if not skip.intersection(path.relative_to(ROOT).parts) and "config" not in path.parts[:-1]
    ]


@pytest.mark.parametrize("path", _project_files("*.json"), ids=lambda p: str(p.relative_to(ROOT)))
def test_json_files_parse(path: Path) -> None:
    """Every JSON file of the project parses."""
    assert load_json(path) is not None


def test_manifest() -> None:
    """manifest.json passes hassfest's rules."""
    assert check_manifest(MANIFEST) == []
    assert MANIFEST["domain"] == DOMAIN


def test_manifest_requirements_match_lock() -> None:
    """The pinned requirement is the version the project installs."""
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    for requirement in MANIFEST["requirements"]:
        name, version = requirement.split("==")
        assert f'name = "{name}"\nversion = "{version}"' in lock


def test_hacs() -> None:
    """hacs.json only uses keys HACS knows."""
    assert check_hacs(load_json(ROOT / "hacs.json")) == []


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_translations(path: Path) -> None:
    """Every translation file follows the translation rules."""
    assert check_translations(load_json(path)) == []


def test_icons() -> None:
    """Icons are mdi: icons."""
    assert check_icons(ICONS) == []


def test_component_imports() -> None:
    """Every imported HA component is a declared dependency or a platform."""
    assert check_component_imports(integration_sources(), MANIFEST) == []


def test_parallel_updates() -> None:
    """Every entity platform module sets PARALLEL_UPDATES."""
    sources = {name: source for name, source in integration_sources().items() if "/" not in name}
    assert {Path(name).stem for name in sources} >= {"lock", "event", "sensor", "button"}
    assert check_parallel_updates(sources) == []


def test_quality_scale() -> None:
    """quality_scale.yaml lists every rule with a valid status."""
    assert check_quality_scale(load_yaml(INTEGRATION / "quality_scale.yaml")) == []


async def test_services_registered_in_async_setup(hass: HomeAssistant) -> None:
    """Actions exist with no entry loaded, and agree with services.yaml, translations, icons."""
    assert await async_setup_component(hass, DOMAIN, {})
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    services_yaml = load_yaml(SERVICES_YAML) if SERVICES_YAML.exists() else None
    strings = load_json(INTEGRATION / "translations" / "en.json")
    assert check_services(services_yaml, strings, ICONS, registered) == []


# The checks must catch what they look for: each broken sample yields a problem.

GOOD_MANIFEST: dict[str, Any] = dict(MANIFEST)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"version": "1"}, "version"),
        ({"documentation": "http://example.com"}, "documentation"),
        ({"issue_tracker": "ftp://x"}, "issue_tracker"),
        ({"requirements": ["pyzk>=0.9"]}, "not pinned"),
        ({"iot_class": "telepathy"}, "iot_class"),
        ({"codeowners": ["nobody"]}, "codeowners"),
        ({"dependencies": [], "after_dependencies": []}, "mqtt discovery"),
        ({"loggers": ["devicehub", "zk"]}, "not a library"),
    ],
)
def test_manifest_check_catches(change: dict[str, Any], problem: str) -> None:
    """A broken manifest value is reported."""
    assert any(problem in found for found in check_manifest({**GOOD_MANIFEST, **change}))


def test_manifest_check_catches_order_and_missing_keys() -> None:
    """Unsorted keys and missing keys are reported."""
    unsorted = {"name": "x", "domain": "x", "version": "1.0.0", "codeowners": ["@a"]}
    problems = check_manifest(unsorted)
    assert "domain and name must come first" in problems
    assert "keys after domain and name must be sorted" in problems
    assert "missing key iot_class" in problems


def test_hacs_check_catches_unknown_key() -> None:
    """An unknown hacs.json key is reported."""
    assert check_hacs({"name": "x", "domains": ["lock"]}) == ["unknown hacs.json key domains"]
    assert check_hacs({}) == ["hacs.json needs a name"]


@pytest.mark.parametrize(
    ("strings", "problem"),
    [
        ({"config": {"abort": {"x": " leading"}}}, "white space"),
        ({"config": {"abort": {"x": "a <b>bold</b> word"}}}, "HTML"),
        ({"config": {"abort": {"x": "host '{host}' failed"}}}, "quoted"),
        ({"config": {"abort": {"Bad_Key": "text"}}}, "key must match"),
        ({"config": {"abort": {"x": "[%key:common::config_flow::abort::x%]"}}}, "references"),
        (
            {"config": {"step": {"user": {"data": {"a": "A"}, "data_description": {"b": "B"}}}}},
            "not in data",
        ),
        ({"services": {"call": {"name": "Call"}}}, "name and description"),
        (
            {
                "services": {
                    "call": {"name": "C", "description": "D", "fields": {"f": {"name": "F"}}}
                }
            },
            "fields.f",
        ),
        ({"config": {"abort": {"x": ""}}}, "empty"),
    ],
)
def test_translation_check_catches(strings: dict[str, Any], problem: str) -> None:
    """Each translation rule reports its violation."""
    assert any(problem in found for found in check_translations(strings))


def test_services_check_catches_disagreement() -> None:
    """Registered, declared, translated and iconned actions must agree."""
    services_yaml = {"sync_time": {"fields": {"device_id": {}}}}
    strings = {"services": {"sync_time": {"name": "Sync", "description": "Sync", "fields": {}}}}
    problems = check_services(services_yaml, strings, {"services": {}}, {"restart"})
    assert "action restart registered but not in services.yaml" in problems
    assert "action sync_time in services.yaml but never registered" in problems
    assert "action sync_time has no icon" in problems
    assert "action sync_time field device_id has no translation" in problems
    assert "action sync_time has no translation" in check_services(
        services_yaml, {}, {"services": {"sync_time": "mdi:clock"}}, {"sync_time"}
    )


def test_icon_check_catches() -> None:
    """A non-mdi icon is reported."""
    assert check_icons({"services": {"x": "fa:door"}}) == ["services.x: icon must start with mdi:"]


def test_import_check_catches() -> None:
    """Importing an undeclared component is reported; platforms and deps are fine."""
    sources = {
        "a.py": "from homeassistant.components.http import HomeAssistantView\n",
        "b.py": "from homeassistant.components.lock import LockEntity\n",
        "c.py": "from homeassistant.components import mqtt\nimport homeassistant.components.mqtt\n",
    }
    assert check_component_imports(sources, {"dependencies": ["mqtt"]}) == [
        "a.py: imports homeassistant.components.http without depending on it"
    ]


def test_parallel_updates_check_catches() -> None:
    """A platform module without PARALLEL_UPDATES is reported."""
    sources = {"lock.py": "PARALLEL_UPDATES = 1\n", "sensor.py": "x = 1\n", "const.py": ""}
    assert check_parallel_updates(sources) == ["sensor.py: PARALLEL_UPDATES is not set"]


def test_quality_scale_check_catches() -> None:
    """Missing rules, bad statuses and bare exemptions are reported."""
    problems = check_quality_scale(
        {"rules": {"brands": "maybe", "diagnostics": {"status": "exempt"}, "made-up": "done"}}
    )
    assert "rule brands: status 'maybe' is not done, todo or exempt" in problems
    assert "rule diagnostics: an exemption needs a comment" in problems
    assert "unknown rule made-up" in problems
    assert "rule config-flow is missing" in problems


DANGEROUS = (
    "eval(",
    "exec(",
    "os.system",
    "subprocess",
    "ommit_ping=False",
    "__import__",
    "importlib",
)


def test_no_dangerous_calls() -> None:
    """Nothing in the integration evaluates, imports or shells out to anything."""
    found = [
        f"{name}: {needle}"
        for name, source in integration_sources().items()
        for needle in DANGEROUS
        if needle in source
    ]
    assert found == []


def _python_sources(*folders: str) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def test_bus_listeners_run_in_the_event_loop() -> None:
    """No test, benchmark or module hands the bus a builtin's method as a listener."""
    assert check_bus_listeners(_python_sources("custom_components", "tests", "bench")) == []


def test_bus_listener_check_catches() -> None:
    """`future.set_result` and `list.append` are reported; a @callback method is not."""
    sources = {
        "a.py": "hass.bus.async_listen_once(EVENT, scanned.set_result)\n",
        "b.py": "hass.bus.async_listen(EVENT, events.append)\n",
        "c.py": "hass.bus.async_listen(EVENT, self._fired)\n",
    }
    assert check_bus_listeners(sources) == [
        "a.py:1: set_result as a bus listener runs in a thread",
        "b.py:1: append as a bus listener runs in a thread",
    ]
