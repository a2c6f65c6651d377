"""The GitHub workflows: valid YAML, the triggers and inputs their actions document.

They cannot run here, so their structure is checked against what the actions declare:
hacs/action's action.yml has inputs category (required), ignore and repository; Home
Assistant's hassfest action (home-assistant/actions/hassfest) has none. The commands the
workflows run are this repository's own and are tested where they live.
"""

from pathlib import Path
import re
import shlex
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION_INPUTS: dict[str, tuple[set[str], set[str]]] = {  # action: (required, optional)
    "hacs/action": ({"category"}, {"ignore", "repository"}),
    "home-assistant/actions/hassfest": (set(), set()),
    "actions/checkout": (set(), {"fetch-depth", "ref"}),
}
HACS_CATEGORIES = {"integration", "plugin", "template", "theme", "appdaemon", "python_script"}


def load(name: str) -> dict[str, Any]:
    """A workflow as GitHub reads it (YAML 1.1 reads the key `on` as True)."""
    workflow: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def uses(workflow: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(workflow) if s.get("uses", "").split("@")[0] == action]


def check_structure(workflow: dict[str, Any]) -> list[str]:
    """Problems GitHub would reject a workflow for, or an action would fail on."""
    problems = [f"missing {key}" for key in ("name", "on", "jobs") if key not in workflow]
    for job_id, job in workflow.get("jobs", {}).items():
        if "runs-on" not in job:
            problems.append(f"job {job_id} has no runs-on")
        for step in job.get("steps", []):
            if ("uses" in step) == ("run" in step):
                problems.append(f"job {job_id}: a step needs exactly one of uses/run")
                continue
            if "uses" not in step:
                continue
            action, _, ref = step["uses"].partition("@")
            if not ref:
                problems.append(f"{action} is not pinned to a ref")
            if action not in ACTION_INPUTS:
                problems.append(f"{action} is not an action this repository checks")
                continue
            required, optional = ACTION_INPUTS[action]
            given = set(step.get("with", {}))
            problems.extend(
                f"{action}: unknown input {i}" for i in sorted(given - required - optional)
            )
            problems.extend(f"{action}: missing input {i}" for i in sorted(required - given))
    return problems


@pytest.mark.parametrize("name", ["validate.yml", "tests.yml", "release.yml"])
def test_workflow_structure(name: str) -> None:
    assert check_structure(load(name)) == []


def test_structure_check_catches_mistakes() -> None:
    """The check above can fail: a typo'd input, a missing one, an unpinned action."""
    broken = {
        "name": "x",
        "on": {"push": None},
        "jobs": {
            "a": {
                "runs-on": "ubuntu-latest",
                "steps": [
                    {"uses": "hacs/action@main", "with": {"categroy": "integration"}},
                    {"uses": "home-assistant/actions/hassfest"},
                    {"run": "true", "uses": "actions/checkout@v4"},
                ],
            },
            "b": {"steps": []},
        },
    }
    assert check_structure(broken) == [
        "hacs/action: unknown input categroy",
        "hacs/action: missing input category",
        "home-assistant/actions/hassfest is not pinned to a ref",
        "job a: a step needs exactly one of uses/run",
        "job b has no runs-on",
    ]


def test_validate_runs_hacs_and_hassfest_on_push_pull_request_and_daily() -> None:
    workflow = load("validate.yml")
    assert {"push", "pull_request", "schedule"} <= set(workflow["on"])
    (cron,) = [entry["cron"] for entry in workflow["on"]["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert (day, month, weekday) == ("*", "*", "*")  # every day
    assert minute.isdigit() and hour.isdigit()
    (hacs,) = uses(workflow, "hacs/action")
    assert hacs["with"]["category"] == "integration"
    assert hacs["with"]["category"] in HACS_CATEGORIES
    assert "ignore" not in hacs["with"]  # HACS lists a repository only if every check passes
    assert len(uses(workflow, "home-assistant/actions/hassfest")) == 1
    for job in workflow["jobs"].values():  # both actions read the checked-out repository
        assert job["steps"][0]["uses"].startswith("actions/checkout@")


def test_tests_run_the_readme_test_command_on_push() -> None:
    workflow = load("tests.yml")
    assert "push" in workflow["on"]
    commands = [step["run"] for step in steps(workflow) if "run" in step]
    assert any(shlex.split(c) == ["scripts/test"] for c in commands)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`scripts/test` | **the test command**" in readme
    (job,) = workflow["jobs"].values()
    assert job["timeout-minutes"] <= 90  # the CI budget


def test_release_refuses_a_tag_other_than_the_manifest_version() -> None:
    workflow = load("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    commands = [step["run"] for step in steps(workflow) if "run" in step]
    check = next(i for i, c in enumerate(commands) if "--check-tag" in c)
    publish = next(i for i, c in enumerate(commands) if "gh release create" in c)
    assert check < publish  # nothing is published before the check passed
    assert re.search(r'scripts/release\.py --check-tag "\$GITHUB_REF_NAME"', commands[check])
    assert workflow["permissions"] == {"contents": "write"}
