"""A Mosquitto broker on 127.0.0.1 and a free port, for one benchmark, always stopped after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import shutil
import socket
import subprocess
import tempfile
import time

from .procs import Child

HOST = "127.0.0.1"
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
_PROBE_CONNECT = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"
_CONNACK_ACCEPTED = b"\x20\x02\x00\x00"
_DISCONNECT = b"\xe0\x00"
START_TIMEOUT = 10.0


def find_mosquitto() -> str:
    """The broker binary; scripts/setup installs it."""
    found = shutil.which("mosquitto", path=_SEARCH_PATH)
    if found is None:
        raise RuntimeError("mosquitto is not installed: run scripts/setup")
    return found


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def answers(port: int) -> bool:
    """True when an MQTT broker accepts a CONNECT on 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as connection:
            connection.sendall(_PROBE_CONNECT)
            reply = connection.recv(4)
            connection.sendall(_DISCONNECT)
    except OSError:
        return False
    return reply == _CONNACK_ACCEPTED


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
                while not answers(port):
                    if broker.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("mosquitto did not start")
                    time.sleep(0.02)
                yield port
            finally:
                broker.stop(grace=0.0)
