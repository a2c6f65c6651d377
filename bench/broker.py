"""A Mosquitto broker on 127.0.0.1 and a free port, for one benchmark, always stopped after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
import subprocess
import tempfile
import time

from tools.mqttdoor.broker import HOST, broker_answers, find_mosquitto as find_broker, free_port

from .procs import Child

START_TIMEOUT = 10.0


def find_mosquitto() -> str:
    """The broker binary; scripts/setup installs it."""
    found = find_broker()
    if found is None:
        raise RuntimeError("mosquitto is not installed: run scripts/setup")
    return found


def version() -> str:
    """Mosquitto's version, for the report."""
    try:
        out = subprocess.run(
            [find_mosquitto(), "-h"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except OSError, RuntimeError, subprocess.TimeoutExpired:
        return "unknown"
    first = out.splitlines()[0] if out else ""
    return first.split("version")[-1].strip() if "version" in first else "unknown"


@contextmanager
def mosquitto() -> Iterator[int]:
    """Run a broker; yields its port. Its log goes to a temporary file, removed after."""
    with tempfile.TemporaryDirectory(prefix="devicehub-bench-mqtt-") as workdir:
        port = free_port()
        config = Path(workdir) / "mosquitto.conf"
        config.write_text(
            f"listener {port} {HOST}\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 1000000\n"
            # As tools.mqttdoor's broker: Nagle off, so no 40 ms delayed-ACK stalls hide
            # (or add to) the software's own cost.
            "set_tcp_nodelay true\n",
            encoding="ascii",
        )
        with (Path(workdir) / "mosquitto.log").open("wb") as log:
            broker = Child([find_mosquitto(), "-c", str(config)], stdout_to=log)
            try:
                deadline = time.monotonic() + START_TIMEOUT
                while not broker_answers(HOST, port):
                    if broker.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("mosquitto did not start")
                    time.sleep(0.02)
                yield port
            finally:
                broker.stop(grace=0.0)
