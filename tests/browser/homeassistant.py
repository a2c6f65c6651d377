"""A real Home Assistant process for browser tests, set up the way scripts/develop does it.

The configuration directory is new for every test: devicehub linked into custom_components,
HTTP bound to 127.0.0.1 on a free port, an MQTT entry for the test broker, and the example
dashboard from docs/. Home Assistant installs the packages its built-in integrations need
into the project's virtual environment on its first start (slow once, then cached by uv).
"""

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import threading
from typing import IO, Any
import urllib.request

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
STARTED_MARKER = "Home Assistant initialized in"
DASHBOARD_URL_PATH = "devicehub-example"

CONFIGURATION_YAML = f"""\
# Written by tests/browser: the development configuration, on a private port.
homeassistant:
  name: devicehub
  unit_system: metric
  time_zone: UTC
  country: GB

frontend:
config:

lovelace:
  dashboards:
    {DASHBOARD_URL_PATH}:
      mode: yaml
      filename: dashboard.yaml
      title: Doors
      icon: mdi:door
      show_in_sidebar: true

logger:
  default: warning
  logs:
    homeassistant.bootstrap: info
    custom_components.devicehub: debug
"""


def write_config(config_dir: Path, *, http_port: int, mqtt_port: int) -> None:
    """A new configuration directory like scripts/develop's, with the docs' dashboard."""
    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / "custom_components" / "devicehub").symlink_to(
        REPO / "custom_components" / "devicehub", target_is_directory=True
    )
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    shutil.copyfile(REPO / "docs" / "dashboard.yaml", config_dir / "dashboard.yaml")
    # What scripts/develop seeds: loopback HTTP on our port, the MQTT entry for the test broker.
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "seed_dev_config.py"),
            config_dir,
            str(mqtt_port),
            str(http_port),
        ],
        check=True,
        timeout=30,
    )


class HomeAssistantProcess:
    """`python -m homeassistant -c <dir>`; its console output is read as it comes."""

    def __init__(self, config_dir: Path, port: int) -> None:
        self.config_dir = config_dir
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.started = threading.Event()
        self.exited = threading.Event()
        self._startup_over = threading.Event()  # initialized, or gone
        self._lines: deque[str] = deque(maxlen=200)
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        """Start Home Assistant; `started` is set once it logs that it is initialized."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "homeassistant", "--config", str(self.config_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
        )
        assert self._process.stdout is not None
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), name="hass-output", daemon=True
        )
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.append(line.rstrip())
            if STARTED_MARKER in line:
                self.started.set()
                self._startup_over.set()
        self.exited.set()
        self._startup_over.set()

    def wait_started(self, timeout: float) -> None:
        """Block until Home Assistant is initialized; fail with its output if it is not."""
        self._startup_over.wait(timeout)
        if not self.started.is_set():
            state = "exited" if self.exited.is_set() else f"did not start within {timeout} s"
            raise AssertionError(f"Home Assistant {state}:\n{self.output_tail()}")

    def output_tail(self, lines: int = 60) -> str:
        """The last lines Home Assistant printed."""
        return "\n".join(list(self._lines)[-lines:])

    def stop(self, timeout: float = 30.0) -> None:
        """Stop Home Assistant (SIGTERM, then SIGKILL) and the output reader."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout)
            self._process = None
        if self._reader is not None:
            self._reader.join(timeout)
            self._reader = None


@contextmanager
def running_home_assistant(
    config_dir: Path, *, http_port: int, mqtt_port: int, start_timeout: float
) -> Iterator[HomeAssistantProcess]:
    """A Home Assistant started on a new configuration, stopped on exit."""
    write_config(config_dir, http_port=http_port, mqtt_port=mqtt_port)
    hass = HomeAssistantProcess(config_dir, http_port)
    hass.start()
    try:
        hass.wait_started(start_timeout)
        yield hass
    finally:
        hass.stop()


class RestApi:
    """Home Assistant's REST API with a user's access token (loopback only)."""

    def __init__(self, base_url: str, token: str) -> None:
        self._base_url = base_url
        self._token = token

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Send a request; return the decoded JSON answer (None when empty)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self._base_url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def get(self, path: str) -> Any:
        """GET a path."""
        return self.request("GET", path)

    def state(self, entity_id: str) -> dict[str, Any]:
        """The state object of an entity."""
        result: dict[str, Any] = self.get(f"/api/states/{entity_id}")
        return result
