"""Nothing runs code that came over the wire, and no process is ever started.

pyzk 0.9 pings a terminal with the system's `ping` command unless told not to (ommit_ping);
the old door server loaded code uploaded over MQTT. Here: pyzk is always told not to ping,
nothing starts a process while a terminal is added, set up, captured, unlocked and reconnected,
and the integration's code has no way to evaluate, unpickle or import what it receives.
"""

import _posixsubprocess
import ast
from collections.abc import Iterator
import os
from pathlib import Path
import subprocess
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
import zk.base

from custom_components.devicehub.const import DOMAIN
from tests.reliability.test_terminal_recovery import fast_watchdog
from tests.terminal.conftest import async_wait_live
from tests.zksim_fixtures import SimulatorFactory

__all__ = ["fast_watchdog"]

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "devicehub"
SPAWNERS = [
    (subprocess, "Popen"),
    (_posixsubprocess, "fork_exec"),
    (os, "system"),
    (os, "popen"),
    (os, "fork"),
    (os, "posix_spawn"),
    (os, "posix_spawnp"),
    (os, "execv"),
    (os, "execve"),
]


@pytest.fixture
def no_processes() -> Iterator[list[str]]:
    """Any attempt to start a process is recorded and fails."""
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def spawn(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[:1]!r}")
            raise AssertionError(f"{name} called")

        return spawn

    patches = [
        patch.object(module, attr, refuse(f"{module.__name__}.{attr}"))
        for module, attr in SPAWNERS
        if hasattr(module, attr)
    ]
    for started in patches:
        started.start()
    try:
        yield attempts
    finally:
        for started in patches:
            started.stop()


@pytest.fixture
def pyzk_constructions() -> Iterator[list[dict[str, Any]]]:
    """The keyword arguments of every pyzk ZK built; pyzk's ping helper must never run."""
    made: list[dict[str, Any]] = []
    original = zk.base.ZK.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(kwargs)
        original(self, *args, **kwargs)

    def ping(self: Any) -> bool:
        raise AssertionError("pyzk pinged the terminal")

    with (
        patch.object(zk.base.ZK, "__init__", init),
        patch.object(zk.base.ZK_helper, "test_ping", ping),
    ):
        yield made


@pytest.mark.usefixtures("fast_watchdog")
async def test_no_process_no_ping(
    hass: HomeAssistant,
    zk_simulator: SimulatorFactory,
    no_processes: list[str],
    pyzk_constructions: list[dict[str, Any]],
    unload_at_teardown: None,
) -> None:
    """Add, set up, capture, unlock, read, reconnect: pyzk never pings, nothing spawns."""
    sim = zk_simulator(users=3, records=20, serial="ZKNOPROC01")
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "terminal"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"host": sim.host, "port": float(sim.port), "password": "0", "timeout": 1.0},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await async_wait_live(hass, sim)
    await hass.services.async_call("lock", "unlock", {"entity_id": "lock.k40"}, blocking=True)
    assert len(sim.unlocks) == 1
    await hass.services.async_call(
        DOMAIN,
        "get_attendance",
        {"config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    await hass.async_add_executor_job(sim.reboot, 0)  # every session rebuilt
    await async_wait_live(hass, sim)
    assert await hass.config_entries.async_unload(entry.entry_id)

    assert no_processes == []
    assert len(pyzk_constructions) >= 4  # probe, calls, live capture, reconnects
    assert all(kwargs.get("ommit_ping") is True for kwargs in pyzk_constructions)


# Calls through which received data could become running code, or a process.
FORBIDDEN_CALLS = {
    "eval",
    "exec",
    "compile",
    "__import__",
    "import_module",
    "loads",  # checked against its module below: json.loads is fine, pickle.loads is not
    "load",
    "system",
    "popen",
    "Popen",
    "run",
    "call",
    "check_call",
    "check_output",
    "spawn",
    "fork",
}
FORBIDDEN_MODULES = {
    "pickle",
    "marshal",
    "shelve",
    "dill",
    "subprocess",
    "importlib",
    "runpy",
    "code",
    "codeop",
    "ctypes",
    "yaml",
}
SAFE_ATTRIBUTE_CALLS = {"loads", "load", "run", "call"}


def dangerous(tree: ast.AST) -> list[str]:
    """Imports of forbidden modules and calls of eval-like builtins or os process calls."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                found.append(str(node.module))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"eval", "exec", "compile", "__import__"}:
                found.append(func.id)
            elif isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_CALLS:
                owner = func.value.id if isinstance(func.value, ast.Name) else ""
                if owner == "os" or (
                    owner in FORBIDDEN_MODULES and func.attr not in SAFE_ATTRIBUTE_CALLS - {"load"}
                ):
                    found.append(f"{owner}.{func.attr}")
    return found


def test_no_way_to_run_received_code() -> None:
    """No module of the integration imports a way to turn data into code or processes."""
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 30
    findings = {
        str(path.relative_to(PACKAGE)): found
        for path in sources
        if (found := dangerous(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert findings == {}


@pytest.mark.parametrize(
    "source",
    [
        "eval(payload)",
        "exec(code)",
        "import pickle",
        "from importlib import import_module",
        "os.system('ping ' + host)",
        "import subprocess",
        "yaml.load(text)",
    ],
)
def test_the_scan_finds(source: str) -> None:
    """The scan above would notice each of these."""
    assert dangerous(ast.parse(source))
