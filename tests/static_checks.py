"""What hassfest would check for a custom integration, as pure functions.

hassfest cannot run here, so these checks stand in for it. Each returns a list of
problems (empty when all is well), so tests can run them on the real files and on
deliberately broken samples alike.
"""

import ast
from collections.abc import Iterator, Mapping
import json
from pathlib import Path
import re
from typing import Any

import yaml

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "devicehub"

MANIFEST_REQUIRED = (
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
)
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
HACS_KEYS = {
    "name",
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "zip_release",
}
ENTITY_PLATFORMS = {
    "binary_sensor",
    "button",
    "event",
    "image",
    "lock",
    "sensor",
    "switch",
}
QUALITY_RULES = {
    # Bronze
    "action-setup",
    "appropriate-polling",
    "brands",
    "common-modules",
    "config-flow-test-coverage",
    "config-flow",
    "dependency-transparency",
    "docs-actions",
    "docs-conditions",
    "docs-high-level-description",
    "docs-installation-instructions",
    "docs-removal-instructions",
    "docs-triggers",
    "entity-event-setup",
    "entity-unique-id",
    "has-entity-name",
    "runtime-data",
    "test-before-configure",
    "test-before-setup",
    "unique-config-entry",
    # Silver
    "action-exceptions",
    "config-entry-unloading",
    "docs-configuration-parameters",
    "docs-installation-parameters",
    "entity-unavailable",
    "integration-owner",
    "log-when-unavailable",
    "parallel-updates",
    "reauthentication-flow",
    "test-coverage",
    # Gold
    "devices",
    "diagnostics",
    "discovery-update-info",
    "discovery",
    "docs-data-update",
    "docs-examples",
    "docs-known-limitations",
    "docs-supported-devices",
    "docs-supported-functions",
    "docs-troubleshooting",
    "docs-use-cases",
    "dynamic-devices",
    "entity-category",
    "entity-device-class",
    "entity-disabled-by-default",
    "entity-translations",
    "exception-translations",
    "icon-translations",
    "reconfiguration-flow",
    "repair-issues",
    "stale-devices",
    # Platinum
    "async-dependency",
    "inject-websession",
    "strict-typing",
}
TRANSLATION_KEY = re.compile(r"^[a-z0-9_-]+$")
HTML_TAG = re.compile(r"<[a-zA-Z/][^>]*>")
QUOTED_PLACEHOLDER = re.compile(r"""(['"])\{[a-z0-9_]+\}\1""")
PINNED_REQUIREMENT = re.compile(r"^[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+$")
COMPONENT_IMPORT = re.compile(
    r"^\s*(?:from|import)\s+homeassistant\.components\.([a-z0-9_]+)", re.MULTILINE
)


def check_manifest(manifest: Mapping[str, Any]) -> list[str]:
    """Check key order, required keys and values like hassfest does."""
    problems = [f"missing key {key}" for key in MANIFEST_REQUIRED if key not in manifest]
    keys = list(manifest)
    if keys[:2] != ["domain", "name"]:
        problems.append("domain and name must come first")
    if keys[2:] != sorted(keys[2:]):
        problems.append("keys after domain and name must be sorted")
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(manifest.get("version", ""))):
        problems.append("version must be MAJOR.MINOR.PATCH")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("iot_class is not valid")
    for url_key in ("documentation", "issue_tracker"):
        if not str(manifest.get(url_key, "")).startswith("https://"):
            problems.append(f"{url_key} must be an https URL")
    codeowners = manifest.get("codeowners", [])
    if not codeowners or not all(str(owner).startswith("@") for owner in codeowners):
        problems.append("codeowners must be a non-empty list of @handles")
    problems.extend(
        f"requirement {requirement} is not pinned"
        for requirement in manifest.get("requirements", [])
        if not PINNED_REQUIREMENT.match(requirement)
    )
    loaded_first = {*manifest.get("dependencies", []), *manifest.get("after_dependencies", [])}
    if "mqtt" in manifest and "mqtt" not in loaded_first:
        problems.append("mqtt discovery needs mqtt in dependencies or after_dependencies")
    problems.extend(
        f"logger {name} is not a library's"
        for name in manifest.get("loggers", [])
        if name == manifest.get("domain") or name.startswith("custom_components")
    )
    return problems


def check_hacs(hacs: Mapping[str, Any]) -> list[str]:
    """Only keys HACS knows are allowed."""
    problems = [f"unknown hacs.json key {key}" for key in hacs if key not in HACS_KEYS]
    if "name" not in hacs:
        problems.append("hacs.json needs a name")
    return problems


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), value
            yield from _walk(value, (*path, key))


def check_translations(strings: Mapping[str, Any]) -> list[str]:
    """The translation rules hassfest enforces."""
    problems: list[str] = []
    for path, value in _walk(strings):
        where = ".".join(path)
        if not TRANSLATION_KEY.match(path[-1]):
            problems.append(f"{where}: key must match [a-z0-9-_]")
        if not isinstance(value, str):
            continue
        if value != value.strip():
            problems.append(f"{where}: leading or trailing white space")
        if HTML_TAG.search(value):
            problems.append(f"{where}: HTML is not allowed")
        if QUOTED_PLACEHOLDER.search(value):
            problems.append(f"{where}: placeholders must not be quoted")
        if "[%key:" in value:
            problems.append(f"{where}: references are not resolved for custom integrations")
        if not value:
            problems.append(f"{where}: empty string")
    for path, value in _walk(strings):
        if path[-1] == "data_description" and isinstance(value, dict):
            parent: Any = strings
            for key in path[:-1]:
                parent = parent[key]
            data = parent.get("data", {})
            problems.extend(
                f"{'.'.join(path)}.{key}: described but not in data"
                for key in value
                if key not in data
            )
    for service, texts in strings.get("services", {}).items():
        if not texts.get("name") or not texts.get("description"):
            problems.append(f"services.{service}: needs name and description")
        for field, field_texts in texts.get("fields", {}).items():
            if not field_texts.get("name") or not field_texts.get("description"):
                problems.append(f"services.{service}.fields.{field}: needs name and description")
    return problems


def check_services(
    services_yaml: Mapping[str, Any] | None,
    strings: Mapping[str, Any],
    icons: Mapping[str, Any],
    registered: set[str],
) -> list[str]:
    """services.yaml, translations, icons and what is registered must agree."""
    declared = set(services_yaml or {})
    problems = [
        f"action {name} registered but not in services.yaml" for name in registered - declared
    ]
    problems += [
        f"action {name} in services.yaml but never registered" for name in declared - registered
    ]
    translated = strings.get("services", {})
    icon_services = icons.get("services", {})
    for name in declared:
        if name not in translated:
            problems.append(f"action {name} has no translation")
        if name not in icon_services:
            problems.append(f"action {name} has no icon")
        service = (services_yaml or {}).get(name) or {}
        fields = set(service.get("fields") or {})
        missing = fields - set(translated.get(name, {}).get("fields", {}))
        problems.extend(f"action {name} field {field} has no translation" for field in missing)
    return problems


def check_icons(icons: Mapping[str, Any]) -> list[str]:
    """Every icon is an mdi: icon."""
    return [
        f"{'.'.join(path)}: icon must start with mdi:"
        for path, value in _walk(icons)
        if isinstance(value, str) and not value.startswith("mdi:")
    ]


def check_component_imports(sources: Mapping[str, str], manifest: Mapping[str, Any]) -> list[str]:
    """Every homeassistant.components.X import is a dependency or a platform."""
    allowed = (
        set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
        | ENTITY_PLATFORMS
        | {"diagnostics", "repairs"}
    )
    return [
        f"{name}: imports homeassistant.components.{component} without depending on it"
        for name, source in sources.items()
        for component in COMPONENT_IMPORT.findall(source)
        if component not in allowed
    ]


def check_parallel_updates(sources: Mapping[str, str]) -> list[str]:
    """Each entity platform module sets PARALLEL_UPDATES."""
    return [
        f"{name}: PARALLEL_UPDATES is not set"
        for name, source in sources.items()
        if Path(name).stem in ENTITY_PLATFORMS
        and not re.search(r"^PARALLEL_UPDATES\s*=\s*\d+", source, re.MULTILINE)
    ]


def check_quality_scale(scale: Mapping[str, Any]) -> list[str]:
    """Every rule is listed once with a valid status; exemptions say why."""
    rules = scale.get("rules", {})
    problems = [f"rule {rule} is missing" for rule in QUALITY_RULES - set(rules)]
    problems += [f"unknown rule {rule}" for rule in set(rules) - QUALITY_RULES]
    for rule, value in rules.items():
        status = value.get("status") if isinstance(value, dict) else value
        if status not in {"done", "todo", "exempt"}:
            problems.append(f"rule {rule}: status {status!r} is not done, todo or exempt")
        if status == "exempt" and not (isinstance(value, dict) and value.get("comment")):
            problems.append(f"rule {rule}: an exemption needs a comment")
    return problems


def load_json(path: Path) -> Any:
    """Parse a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def load_yaml(path: Path) -> Any:
    """Parse a YAML file (HA's !input tags in blueprints are accepted)."""

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_constructor("!input", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def integration_sources() -> dict[str, str]:
    """Every Python module of the integration, by path relative to it."""
    return {
        str(path.relative_to(INTEGRATION)): path.read_text(encoding="utf-8")
        for path in sorted(INTEGRATION.rglob("*.py"))
    }


# Methods of builtins (futures, lists, queues, sets): Home Assistant cannot see that they are
# callbacks, so it runs them in an executor thread, where a future's waiter is never woken.
THREAD_UNSAFE_LISTENERS = frozenset(
    {"set_result", "set_exception", "append", "put_nowait", "add", "extend"}
)


def check_bus_listeners(sources: Mapping[str, str]) -> list[str]:
    """Bus listeners given as a bound method of a builtin (run off the event loop)."""
    problems = []
    for name, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("async_listen", "async_listen_once")
                and len(node.args) >= 2
            ):
                continue
            listener = node.args[1]
            if isinstance(listener, ast.Attribute) and listener.attr in THREAD_UNSAFE_LISTENERS:
                problems.append(
                    f"{name}:{node.lineno}: {listener.attr} as a bus listener runs in a thread"
                )
    return problems
