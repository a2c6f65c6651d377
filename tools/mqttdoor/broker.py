"""Debian's Mosquitto on loopback, started and stopped from Python (tests, benchmarks, demo)."""

import os
from pathlib import Path
import shutil
import socket
import subprocess
import tempfile
import time
from typing import IO

HOST = "127.0.0.1"
# Debian installs the broker in /usr/sbin, which is not on every user's PATH.
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
# The smallest MQTT 3.1.1 CONNECT (clean session, empty client id) and the CONNACK it earns.
_PROBE_CONNECT = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"
_CONNACK_ACCEPTED = b"\x20\x02\x00\x00"
_DISCONNECT = b"\xe0\x00"


def find_mosquitto() -> str | None:
    return shutil.which("mosquitto", path=_SEARCH_PATH)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def broker_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when an MQTT broker (not just any listener) accepts a CONNECT on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(_PROBE_CONNECT)
            answer = connection.recv(4)
            connection.sendall(_DISCONNECT)
    except OSError:
        return False
    return answer == _CONNACK_ACCEPTED


class MosquittoBroker:
    """One mosquitto process on 127.0.0.1; stop() and start() again keep the same port."""

    host = HOST

    def __init__(
        self,
        executable: str | None = None,
        workdir: Path | None = None,
        port: int | None = None,
        extra_config: tuple[str, ...] = (),
    ) -> None:
        found = executable or find_mosquitto()
        if found is None:
            msg = "mosquitto is not installed (apt-get install mosquitto)"
            raise FileNotFoundError(msg)
        self.executable = found
        self.port = port or free_port()
        # Without a workdir the broker owns a temporary one, removed by close().
        self._own_workdir = workdir is None
        self._workdir = workdir or Path(tempfile.mkdtemp(prefix="devicehub-mosquitto-"))
        self._extra_config = extra_config
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def log_path(self) -> Path:
        return self._workdir / f"mosquitto-{self.port}.log"

    def start(self, timeout: float = 10.0) -> None:
        """Start the broker and return once it answers an MQTT CONNECT."""
        if self.running:
            return
        config = self._workdir / f"mosquitto-{self.port}.conf"
        config.write_text(
            "\n".join(
                [
                    f"listener {self.port} {self.host}",
                    "allow_anonymous true",
                    "persistence false",  # a restart loses retained messages, like a real crash
                    # Nagle + delayed ACKs would add ~40 ms to every small publish after another.
                    "set_tcp_nodelay true",
                    *self._extra_config,
                    "",
                ]
            )
        )
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - our broker binary, fixed arguments
            [self.executable, "-c", str(config)], stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_until_answering(timeout)

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not broker_answers(self.host, self.port):
            if not self.running:
                self.stop()
                msg = f"mosquitto exited at start:\n{self.log_path.read_text(errors='replace')}"
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                self.stop()
                msg = f"mosquitto not answering on {self.host}:{self.port} after {timeout} s"
                raise TimeoutError(msg)
            time.sleep(0.01)  # poll interval between connection attempts

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the broker; every client sees its connection drop."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self, timeout: float = 10.0) -> None:
        self.stop()
        self.start(timeout)

    def close(self) -> None:
        """Stop, and remove the temporary directory if the broker made it."""
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> MosquittoBroker:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
