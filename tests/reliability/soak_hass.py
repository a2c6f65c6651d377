"""Home Assistant processes for the crash soak: HA's own entry point, started from a warm parent.

`python tests/reliability/soak_hass.py OUTPUT -- <hass arguments>` imports Home Assistant once
and then, for each `start` line on its stdin, forks a child that runs
`homeassistant.__main__.main()`: the bootstrap, loader, config entries and storage of a real
Home Assistant process, its output appended to OUTPUT. `kill` SIGKILLs the child (no shutdown,
no final writes) and reaps it; `stop` ends it with SIGTERM (SIGKILL if it hangs). Each answer
is one line. Forking from a parent that imported Home Assistant already saves the seconds of
imports every restart would otherwise pay; nothing else is shared (the parent starts no loop
and no thread).

The default integration set of bootstrap is emptied (and frontend is no longer critical):
frontend, backup, analytics, the helpers and the assist stack are not set up. What the soak
needs is in its configuration.yaml and config entries (http, mqtt, devicehub, the punch
recorder), and their dependencies are loaded as usual.

Run by path, not with -m: the repository must not be on sys.path, or its custom_components
folder would hide the configuration's (where the punch recorder is).

Every process here asks Linux for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), so
no Home Assistant outlives a failed or interrupted soak.
"""

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
STOP_TIMEOUT = 60.0


def _die_with_parent(parent: int) -> None:
    """SIGKILL when the parent goes; exit now if it is gone already."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _run_child(output: str, hass_arguments: list[str]) -> None:
    """In the forked child: Home Assistant, its output appended to the soak's file."""
    from homeassistant import __main__ as hass_main

    log = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    sys.argv = ["hass", *hass_arguments]
    code = 1
    try:
        code = hass_main.main()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait_for(pid: int, timeout: float) -> bool:
    """Reap the child; False if it is still running after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
        time.sleep(0.05)
    return False


def _end(pid: int, *, graceful: bool) -> None:
    """End the child: SIGKILL at once, or SIGTERM first and SIGKILL if it hangs."""
    if graceful:
        os.kill(pid, signal.SIGTERM)
        if _wait_for(pid, STOP_TIMEOUT):
            return
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def main() -> None:
    """Serve start/kill/stop lines until stdin closes (the soak is gone: so is the child)."""
    _die_with_parent(os.getppid())
    output, separator, *hass_arguments = sys.argv[1:]
    assert separator == "--", sys.argv
    from homeassistant import bootstrap
    import homeassistant.__main__  # noqa: F401

    bootstrap.DEFAULT_INTEGRATIONS = set()
    bootstrap.CRITICAL_INTEGRATIONS = set()  # else no frontend means recovery mode
    assert threading.active_count() == 1, "no thread may run in the parent of a fork"
    me = os.getpid()
    child: int | None = None
    print("ready", flush=True)
    for line in sys.stdin:
        match line.strip():
            case "start" if child is None:
                child = os.fork()
                if child == 0:
                    _die_with_parent(me)
                    _run_child(output, hass_arguments)
                print(child, flush=True)
            case "kill" | "stop" as how if child is not None:
                _end(child, graceful=how == "stop")
                child = None
                print("ended", flush=True)
            case other:
                print(f"refused: {other}", flush=True)
    if child is not None:
        _end(child, graceful=False)


if __name__ == "__main__":
    main()
