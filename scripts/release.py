"""Cut a release: the version in the manifest and the changelog, a commit and a tag.

    scripts/release VERSION          # e.g. scripts/release 0.2.0
    scripts/release.py --check-tag vX.Y.Z   # CI: is the tag the manifest's version?
    scripts/release.py --notes vX.Y.Z       # CI: that version's changelog entry

A release turns the changelog's "## Unreleased" section into "## VERSION - DATE", writes
VERSION into manifest.json and pyproject.toml, commits "Release VERSION" and tags vVERSION.
Pushing the tag makes .github/workflows/release.yml publish the GitHub release, which is
what HACS offers its users. Standard library only: it runs on any Python 3.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
import json
from pathlib import Path
import re
import shutil
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = Path("custom_components/devicehub/manifest.json")
CHANGELOG = Path("CHANGELOG.md")
PYPROJECT = Path("pyproject.toml")
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
UNRELEASED = "## Unreleased"
# "## 1.2.3 - 2026-12-03": a released version and its date.
ENTRY = re.compile(r"^## (\d+\.\d+\.\d+) - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)
HEADING = re.compile(r"^## .*$", re.MULTILINE)


class ReleaseError(Exception):
    """Why a release, or a tag, is refused."""


def parse_version(text: str) -> tuple[int, int, int]:
    """X.Y.Z as numbers; anything else is refused."""
    match = VERSION.match(text)
    if match is None:
        raise ReleaseError(f"{text!r} is not a version of the form X.Y.Z")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def manifest_version(root: Path) -> str:
    """The version in the integration's manifest."""
    version: str = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["version"]
    return version


def released_versions(changelog: str) -> list[str]:
    """The versions of the changelog's released entries, in the file's order."""
    return [match.group(1) for match in ENTRY.finditer(changelog)]


def entry_notes(changelog: str, version: str) -> str:
    """The text of one version's entry, without its heading."""
    headings = list(HEADING.finditer(changelog))
    for index, heading in enumerate(headings):
        match = ENTRY.match(heading.group(0))
        if match and match.group(1) == version:
            end = headings[index + 1].start() if index + 1 < len(headings) else len(changelog)
            return changelog[heading.end() : end].strip() + "\n"
    raise ReleaseError(f"CHANGELOG.md has no entry for {version}")


def check_tag(root: Path, tag: str) -> str:
    """The version a tag names, if it is the manifest's; refused otherwise."""
    version = tag.removeprefix("v")
    parse_version(version)
    if version != manifest_version(root):
        raise ReleaseError(
            f"tag {tag} is not the manifest's version {manifest_version(root)}: "
            "make releases with scripts/release"
        )
    return version


def _git(root: Path, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise ReleaseError("git is not installed")
    # The arguments are this script's own, never a shell string.
    result = subprocess.run(  # noqa: S603
        [git, *args], cwd=root, check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def release(root: Path, version: str, today: str) -> None:
    """Write the version, commit and tag; refuse anything that would make a bad release."""
    current = manifest_version(root)
    if parse_version(version) <= parse_version(current):
        raise ReleaseError(f"{version} is not newer than the current version {current}")
    if _git(root, "status", "--porcelain"):
        raise ReleaseError("the working tree has uncommitted changes")
    tag = f"v{version}"
    if _git(root, "tag", "--list", tag):
        raise ReleaseError(f"tag {tag} exists already")
    changelog = (root / CHANGELOG).read_text(encoding="utf-8")
    first = HEADING.search(changelog)
    if first is None or first.group(0) != UNRELEASED:
        raise ReleaseError(f"CHANGELOG.md must start with a '{UNRELEASED}' section")
    following = HEADING.search(changelog, first.end())
    if not changelog[first.end() : following.start() if following else None].strip():
        raise ReleaseError(f"the '{UNRELEASED}' section of CHANGELOG.md is empty")

    changelog = changelog.replace(UNRELEASED, f"## {version} - {today}", 1)
    (root / CHANGELOG).write_text(changelog, encoding="utf-8")
    manifest = (root / MANIFEST).read_text(encoding="utf-8")
    (root / MANIFEST).write_text(
        re.sub(r'"version": "[^"]*"', f'"version": "{version}"', manifest, count=1),
        encoding="utf-8",
    )
    pyproject = (root / PYPROJECT).read_text(encoding="utf-8")
    (root / PYPROJECT).write_text(
        re.sub(r'^version = "[^"]*"$', f'version = "{version}"', pyproject, count=1, flags=re.M),
        encoding="utf-8",
    )
    _git(root, "add", str(CHANGELOG), str(MANIFEST), str(PYPROJECT))
    _git(root, "commit", "--quiet", "-m", f"Release {version}")
    _git(root, "tag", "--annotate", tag, "-m", f"devicehub {version}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("version", nargs="?", help="the new version, X.Y.Z")
    group.add_argument("--check-tag", metavar="TAG")
    group.add_argument("--notes", metavar="TAG")
    args = parser.parse_args(argv)
    try:
        if args.check_tag:
            print(f"{args.check_tag} is the manifest's version {check_tag(ROOT, args.check_tag)}")
        elif args.notes:
            changelog = (ROOT / CHANGELOG).read_text(encoding="utf-8")
            print(entry_notes(changelog, args.notes.removeprefix("v")), end="")
        else:
            release(ROOT, args.version, datetime.now(UTC).date().isoformat())
            print(f"Released {args.version}. Publish it: git push origin HEAD v{args.version}")
    except ReleaseError as err:
        print(f"release: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
