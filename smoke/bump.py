"""Pin the smoke test's environment to a Home Assistant release (the newest by default).

Writes smoke/requirements.in (Home Assistant, the requirements of the integrations the smoke
test loads, read from that release's manifests, and devicehub's own) and compiles it with uv
into smoke/requirements.lock, with hashes, for Python 3.14. Runs on any Python 3 with uv.

    python3 -m smoke.bump            # the newest release on PyPI
    python3 -m smoke.bump 2026.11.1  # a given release
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import subprocess
import sys
import tempfile
import zipfile

SMOKE = Path(__file__).resolve().parent
ROOT = SMOKE.parent
MANIFEST = ROOT / "custom_components" / "devicehub" / "manifest.json"
PYTHON_VERSION = "3.14.8"  # what Debian's python3.14 and the CI machines run
# What Home Assistant sets up on every start (bootstrap.py), besides the configuration's.
BOOTSTRAP_SETS = (
    "CORE_INTEGRATIONS",
    "LOGGING_AND_HTTP_DEPS_INTEGRATIONS",
    "FRONTEND_INTEGRATIONS",
    "DEFAULT_INTEGRATIONS",
)
# What the smoke test's configuration loads, and the platforms devicehub sets up.
LOADED = (
    "api",
    "config",
    "onboarding",
    "websocket_api",
    "binary_sensor",
    "button",
    "diagnostics",
    "event",
    "image",
    "lock",
    "repairs",
    "sensor",
)
HEADER = """\
# The smoke test's environment: Home Assistant {version} and what the smoke test loads.
# Written by scripts/bump-newest-ha; compiled into requirements.lock. Do not edit by hand.
"""


def _uv(*args: str) -> str:
    command = [sys.executable, "-m", "uv", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def newest_release() -> str:
    """The newest Home Assistant release on PyPI that installs on Python 3.14."""
    with tempfile.TemporaryDirectory() as scratch:
        wanted = Path(scratch, "in.txt")
        wanted.write_text("homeassistant\n", encoding="utf-8")
        pinned = _uv(
            "pip", "compile", "--quiet", "--no-header", "--no-annotate",
            "--python-version", PYTHON_VERSION, str(wanted),
        )  # fmt: skip
    match = re.search(r"^homeassistant==(\S+)$", pinned, re.MULTILINE)
    if match is None:
        raise SystemExit("uv did not resolve homeassistant")
    return match.group(1)


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def always_loaded(bootstrap: str, platforms: str) -> list[str]:
    """What bootstrap.py sets up on every start: its default sets and every entity platform."""
    found: list[str] = []
    for node in ast.walk(ast.parse(bootstrap)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in BOOTSTRAP_SETS for t in node.targets
        ):
            found.extend(_strings(node.value))
    for node in ast.walk(ast.parse(platforms)):
        if isinstance(node, ast.ClassDef):  # the enum of entity platforms
            found.extend(_strings(node))
    return found


def _release_files(version: str) -> tuple[dict[str, dict[str, object]], list[str]]:
    """The manifests of that release's integrations by domain, and what it always loads."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                "--only-binary=:all:", "--python-version", PYTHON_VERSION,
                "--dest", scratch, f"homeassistant=={version}",
            ],
            check=True,
        )  # fmt: skip
        (wheel,) = Path(scratch).glob("homeassistant-*.whl")
        pattern = re.compile(r"^homeassistant/components/([a-z0-9_]+)/manifest\.json$")
        with zipfile.ZipFile(wheel) as archive:
            manifests = {
                match.group(1): json.loads(archive.read(name))
                for name in archive.namelist()
                if (match := pattern.match(name))
            }
            loaded = always_loaded(
                archive.read("homeassistant/bootstrap.py").decode(),
                archive.read("homeassistant/generated/entity_platforms.py").decode(),
            )
    return manifests, loaded


def integration_requirements(
    manifests: dict[str, dict[str, object]], roots: list[str]
) -> dict[str, list[str]]:
    """The requirements of roots and of everything they depend on, by integration."""
    found: dict[str, list[str]] = {}
    todo = list(roots)
    while todo:
        domain = todo.pop()
        if domain in found or domain not in manifests:
            continue
        manifest = manifests[domain]
        found[domain] = [str(r) for r in manifest.get("requirements", []) or []]  # type: ignore[attr-defined]
        for key in ("dependencies", "after_dependencies"):  # both are imported when present
            todo.extend(str(d) for d in manifest.get(key, []) or [])  # type: ignore[attr-defined]
    return {domain: reqs for domain, reqs in sorted(found.items()) if reqs}


def requirements_in(version: str) -> str:
    """The text of smoke/requirements.in for that release."""
    devicehub = json.loads(MANIFEST.read_text(encoding="utf-8"))
    manifests, loaded = _release_files(version)
    roots = [
        *loaded,
        *LOADED,
        *devicehub.get("dependencies", []),
        *devicehub.get("after_dependencies", []),
    ]
    lines = [HEADER.format(version=version), f"homeassistant=={version}"]
    for domain, reqs in integration_requirements(manifests, roots).items():
        lines.extend(f"{req}  # {domain}" for req in reqs)
    lines.extend(f"{req}  # devicehub" for req in devicehub["requirements"])
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    """Write requirements.in for the release asked for (or the newest), then the lock."""
    version = argv[0] if argv else newest_release()
    source = SMOKE / "requirements.in"
    source.write_text(requirements_in(version), encoding="utf-8")
    # Paths relative to the repository, so the lock's header names no machine's folders.
    lock = (SMOKE / "requirements.lock").relative_to(ROOT)
    _uv(
        "pip", "compile", "--quiet", "--generate-hashes", "--universal",
        "--python-version", PYTHON_VERSION, "--output-file", str(lock),
        str(source.relative_to(ROOT)),
    )  # fmt: skip
    print(f"smoke/requirements.lock now pins Home Assistant {version}")


if __name__ == "__main__":
    main(sys.argv[1:])
