"""Releases: the manifest, pyproject and changelog agree, and scripts/release cuts them.

scripts/release runs here in a temporary git repository holding copies of the files it
edits, so a test run never commits or tags in the project itself.
"""

import json
from pathlib import Path
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import release  # noqa: E402

MANIFEST = ROOT / "custom_components" / "devicehub" / "manifest.json"
CHANGELOG = ROOT / "CHANGELOG.md"
RELEASE_SCRIPT = ROOT / "scripts" / "release"
TODAY = "2027-01-15"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Release Test",
    "GIT_AUTHOR_EMAIL": "release@example.invalid",
    "GIT_COMMITTER_NAME": "Release Test",
    "GIT_COMMITTER_EMAIL": "release@example.invalid",
}


def test_manifest_version_is_the_newest_changelog_entry() -> None:
    """What HACS installs reports the version its changelog entry describes."""
    changelog = CHANGELOG.read_text(encoding="utf-8")
    versions = release.released_versions(changelog)
    assert versions, "CHANGELOG.md has no released entry"
    assert versions[0] == json.loads(MANIFEST.read_text(encoding="utf-8"))["version"]


def test_pyproject_version_is_the_manifest_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == release.manifest_version(ROOT)


def test_changelog_entries_are_newest_first_and_dated() -> None:
    """Versions only go down the file, dates never go up, and every entry says something."""
    changelog = CHANGELOG.read_text(encoding="utf-8")
    entries = list(release.ENTRY.finditer(changelog))
    versions = [release.parse_version(entry.group(1)) for entry in entries]
    dates = [entry.group(2) for entry in entries]
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) == len(versions)
    assert dates == sorted(dates, reverse=True)
    # Any other second-level heading is the one "Unreleased" section, at the top.
    headings = re.findall(r"^## .*$", changelog, re.MULTILINE)
    others = [h for h in headings if not release.ENTRY.match(h)]
    assert others in ([], [release.UNRELEASED])
    if others:
        assert headings[0] == release.UNRELEASED
    for entry in entries:
        assert release.entry_notes(changelog, entry.group(1)).strip()


def test_hacs_minimum_is_the_locked_home_assistant() -> None:
    """hacs.json's minimum is the oldest Home Assistant the full suite runs on."""
    from homeassistant.const import __version__ as ha_version

    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert hacs["homeassistant"] == ha_version
    assert hacs["hide_default_branch"] is True  # users get releases, never the branch


def test_notes_are_one_entry() -> None:
    changelog = (
        "# Changelog\n\n## 0.2.0 - 2027-01-02\n\n- Two.\n\n## 0.1.0 - 2026-12-03\n\n- One.\n"
    )
    assert release.entry_notes(changelog, "0.2.0") == "- Two.\n"
    assert release.entry_notes(changelog, "0.1.0") == "- One.\n"
    with pytest.raises(release.ReleaseError, match=r"no entry for 0\.3\.0"):
        release.entry_notes(changelog, "0.3.0")


def test_check_tag_refuses_another_version() -> None:
    """The release workflow's guard: the tag must name the manifest's version."""
    current = release.manifest_version(ROOT)
    assert release.check_tag(ROOT, f"v{current}") == current
    assert release.check_tag(ROOT, current) == current
    major, minor, patch = release.parse_version(current)
    with pytest.raises(release.ReleaseError, match="not the manifest's version"):
        release.check_tag(ROOT, f"v{major}.{minor}.{patch + 1}")
    with pytest.raises(release.ReleaseError, match="not a version"):
        release.check_tag(ROOT, "latest")


def test_check_tag_command_exit_codes() -> None:
    """What the workflow runs: exit 0 for the manifest's version, 1 otherwise."""
    current = release.manifest_version(ROOT)
    ok = _run([sys.executable, str(ROOT / "scripts" / "release.py"), "--check-tag", f"v{current}"])
    assert ok.returncode == 0, ok.stderr
    bad = _run([sys.executable, str(ROOT / "scripts" / "release.py"), "--check-tag", "v99.0.0"])
    assert bad.returncode == 1
    assert "not the manifest's version" in bad.stderr


def _run(argv: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), **GIT_IDENTITY}
    return subprocess.run(
        argv, check=False, cwd=cwd, capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the release script and copies of the files it edits."""
    for relative in (
        "scripts/release",
        "scripts/release.py",
        "CHANGELOG.md",
        "pyproject.toml",
        "custom_components/devicehub/manifest.json",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, tmp_path / relative)
    changelog = tmp_path / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    first_entry = release.ENTRY.search(text)
    assert first_entry is not None
    unreleased = "## Unreleased\n\n- Door pictures load faster.\n\n"
    # The real notes collected so far give way to the fixture's own.
    head = text[: first_entry.start()].split(release.UNRELEASED)[0]
    changelog.write_text(head + unreleased + text[first_entry.start() :])
    for command in (
        ["git", "init", "--quiet", "--initial-branch=main"],
        ["git", "add", "."],
        ["git", "commit", "--quiet", "-m", "Start"],
    ):
        assert _run(command, tmp_path).returncode == 0
    return tmp_path


def _git(repo: Path, *args: str) -> str:
    result = _run(["git", *args], repo)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_release_bumps_commits_and_tags(repo: Path) -> None:
    """scripts/release X.Y.Z: manifest, pyproject and changelog say X.Y.Z, one commit, a tag."""
    old = release.manifest_version(repo)
    major, minor, _ = release.parse_version(old)
    new = f"{major}.{minor + 1}.0"

    result = _run([str(repo / "scripts" / "release"), new], repo)

    assert result.returncode == 0, result.stderr
    assert f"git push origin HEAD v{new}" in result.stdout
    assert release.manifest_version(repo) == new
    manifest = json.loads((repo / "custom_components/devicehub/manifest.json").read_text())
    original = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert manifest == original | {"version": new}  # nothing else changed
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == new
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert release.UNRELEASED not in changelog
    assert release.released_versions(changelog)[:2] == [new, old]
    assert release.entry_notes(changelog, new) == "- Door pictures load faster.\n"
    assert _git(repo, "log", "-1", "--format=%s") == f"Release {new}"
    assert _git(repo, "status", "--porcelain") == ""
    assert _git(repo, "rev-list", "-n", "1", f"v{new}") == _git(repo, "rev-parse", "HEAD")
    assert _git(repo, "rev-list", "--count", "HEAD") == "2"


def test_release_date_is_the_given_day(repo: Path) -> None:
    release.release(repo, "9.0.0", TODAY)
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## 9.0.0 - {TODAY}" in changelog


@pytest.mark.parametrize(
    ("version", "problem"),
    [
        ("0.0.1", "not newer than the current version"),
        ("1.0", "not a version of the form X.Y.Z"),
        ("v1.0.0", "not a version of the form X.Y.Z"),
    ],
)
def test_release_refuses_bad_versions(repo: Path, version: str, problem: str) -> None:
    result = _run([str(repo / "scripts" / "release"), version], repo)
    assert result.returncode == 1
    assert problem in result.stderr
    assert _git(repo, "rev-list", "--count", "HEAD") == "1"
    assert _git(repo, "tag", "--list") == ""


def test_release_refuses_a_dirty_tree(repo: Path) -> None:
    (repo / "CHANGELOG.md").write_text("edited\n", encoding="utf-8")
    with pytest.raises(release.ReleaseError, match="uncommitted changes"):
        release.release(repo, "9.0.0", TODAY)


def test_release_refuses_an_existing_tag(repo: Path) -> None:
    _git(repo, "tag", "v9.0.0")
    with pytest.raises(release.ReleaseError, match="exists already"):
        release.release(repo, "9.0.0", TODAY)


def test_release_needs_unreleased_notes(repo: Path) -> None:
    """No release without telling users what changed."""
    changelog = repo / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("- Door pictures load faster.\n\n", ""), encoding="utf-8")
    _git(repo, "commit", "--quiet", "-am", "Empty section")
    with pytest.raises(release.ReleaseError, match=r"section of CHANGELOG\.md is empty"):
        release.release(repo, "9.0.0", TODAY)
    changelog.write_text(text.replace("## Unreleased\n\n- Door pictures load faster.\n\n", ""))
    _git(repo, "commit", "--quiet", "-am", "No section")
    with pytest.raises(release.ReleaseError, match="must start with a '## Unreleased' section"):
        release.release(repo, "9.0.0", TODAY)
    assert release.manifest_version(repo) == release.manifest_version(ROOT)
