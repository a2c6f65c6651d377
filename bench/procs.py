"""Child processes that never outlive the benchmark: killed on exit, on error, on Ctrl-C.

Every child gets PR_SET_PDEATHSIG (SIGTERM when its parent dies, even by SIGKILL), and is
terminated by `Child.stop()` (called from context managers and, as a last resort, atexit).
"""

from __future__ import annotations

import asyncio
import atexit
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
import ctypes
import json
import os
from pathlib import Path
import select
import signal
import subprocess
import sys
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1
_LIVE: set[subprocess.Popen[bytes]] = set()


def _die_with_parent() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _kill_leftovers() -> None:
    for process in list(_LIVE):
        _terminate(process)


atexit.register(_kill_leftovers)


def _terminate(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    _LIVE.discard(process)


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so every `finally` and context manager runs."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


class Child:
    """A child process with line-based JSON on stdin/stdout (stderr goes to ours)."""

    def __init__(self, argv: Sequence[str], stdout_to: IO[bytes] | None = None) -> None:
        self.process = subprocess.Popen(
            list(argv),
            bufsize=0,  # unbuffered: select() then sees every line
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=stdout_to if stdout_to is not None else subprocess.PIPE,
            stderr=None if stdout_to is None else subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (no threads are forked here)
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        _LIVE.add(self.process)

    @classmethod
    def python(cls, module: str, *args: str) -> Child:
        """`python -m module args...` with this interpreter."""
        return cls([sys.executable, "-m", module, *args])

    def read_json(self, timeout: float = 60.0) -> Any:
        """The next JSON line the child prints (blocking, bounded by timeout)."""
        stdout = self.process.stdout
        assert stdout is not None
        line = _readline(stdout, timeout)
        if not line:
            raise RuntimeError(f"{self.process.args!r} exited with {self.process.poll()}")
        return json.loads(line)

    def send(self, **command: Any) -> None:
        """Write one JSON command line to the child."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(command).encode() + b"\n")
        stdin.flush()

    def request(self, timeout: float = 60.0, **command: Any) -> Any:
        """Send a command and wait for its one-line JSON answer."""
        self.send(**command)
        return self.read_json(timeout)

    async def async_request(self, wait_s: float = 60.0, **command: Any) -> Any:
        """`request` from an event loop: the blocking wait (bounded) runs in a thread."""
        return await asyncio.to_thread(self.request, wait_s, **command)

    def stop(self, grace: float = 3.0) -> None:
        """Close stdin (the child's cue to leave), then terminate if it lingers."""
        stdin = self.process.stdin
        if stdin is not None and not stdin.closed:
            with suppress(OSError):
                stdin.close()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(grace)
        _terminate(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _readline(stream: IO[bytes], timeout: float) -> bytes:
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        raise TimeoutError(f"no answer from the child within {timeout} s")
    return stream.readline()


@contextmanager
def child(module: str, *args: str) -> Iterator[Child]:
    """A `python -m module` child, stopped on exit whatever happens."""
    started = Child.python(module, *args)
    try:
        yield started
    finally:
        started.stop()
