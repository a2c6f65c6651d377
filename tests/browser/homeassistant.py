"""A real Home Assistant process, set up the way scripts/develop does it.

Used by the browser test, the shutdown test and the newest-Home-Assistant smoke test
(smoke/, which runs it from its own virtual environment: only the standard library here).
The configuration directory is new for every run: devicehub linked into custom_components,
HTTP bound to 127.0.0.1 on a free port, an MQTT entry for the test broker (unless the run
adds MQTT itself), and the example dashboard from docs/. Home Assistant installs the packages
its built-in integrations need into the virtual environment on its first start (slow once,
then cached by uv), unless started with --skip-pip.
"""

from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import threading
import time
from typing import IO, Any
import urllib.parse
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


def write_config(
    config_dir: Path,
    *,
    http_port: int,
    mqtt_port: int | None,
    configuration_yaml: str = CONFIGURATION_YAML,
    python: str = sys.executable,
) -> None:
    """A new configuration directory like scripts/develop's, with the docs' dashboard.

    mqtt_port None: no MQTT entry (the run adds one through the config flow).
    """
    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / "custom_components" / "devicehub").symlink_to(
        REPO / "custom_components" / "devicehub", target_is_directory=True
    )
    (config_dir / "configuration.yaml").write_text(configuration_yaml, encoding="utf-8")
    shutil.copyfile(REPO / "docs" / "dashboard.yaml", config_dir / "dashboard.yaml")
    # What scripts/develop seeds: loopback HTTP on our port, the MQTT entry for the test broker.
    subprocess.run(
        [
            python,
            str(REPO / "scripts" / "seed_dev_config.py"),
            config_dir,
            "none" if mqtt_port is None else str(mqtt_port),
            str(http_port),
        ],
        check=True,
        timeout=30,
    )


def add_config_entries(config_dir: Path, entries: Sequence[dict[str, Any]]) -> None:
    """Add config entries (domain, title, data, options, unique_id) to a seeded config."""
    path = config_dir / ".storage" / "core.config_entries"
    stored = json.loads(path.read_text(encoding="utf-8"))
    template = stored["data"]["entries"][0]  # the seeded MQTT entry gives every other key
    for index, entry in enumerate(entries):
        stored["data"]["entries"].append(
            template | {"entry_id": f"devicehubtest{index:019d}", "options": {}} | entry
        )
    path.write_text(json.dumps(stored, indent=2), encoding="utf-8")


class HomeAssistantProcess:
    """`python -m homeassistant -c <dir>`; its console output is read as it comes."""

    def __init__(
        self,
        config_dir: Path,
        port: int,
        *,
        python: str = sys.executable,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.config_dir = config_dir
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.started = threading.Event()
        self.exited = threading.Event()
        self.exit_code: int | None = None
        self._python = python
        self._extra_args = tuple(extra_args)
        self._startup_over = threading.Event()  # initialized, or gone
        self._lines: deque[str] = deque(maxlen=5000)
        self._line_added = threading.Condition()
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        """Start Home Assistant; `started` is set once it logs that it is initialized."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        command = [self._python, "-m", "homeassistant", "--config", str(self.config_dir)]
        self._process = subprocess.Popen(
            [*command, *self._extra_args],
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
            with self._line_added:
                self._lines.append(line.rstrip())
                self._line_added.notify_all()
            if STARTED_MARKER in line:
                self.started.set()
                self._startup_over.set()
        self.exited.set()
        self._startup_over.set()
        with self._line_added:
            self._line_added.notify_all()

    def wait_handles_sigterm(self, timeout: float) -> None:
        """Block until Home Assistant has bound SIGTERM (it does once running): a SIGTERM
        before that kills it on the spot instead of stopping it (Linux: /proc status)."""
        assert self._process is not None
        status = Path(f"/proc/{self._process.pid}/status")
        sigterm_bit = 1 << (15 - 1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.exited.is_set():
            caught = next(
                line for line in status.read_text().splitlines() if line.startswith("SigCgt:")
            )
            if int(caught.split()[1], 16) & sigterm_bit:
                return
            self.exited.wait(0.05)
        raise AssertionError(f"Home Assistant did not bind SIGTERM:\n{self.output_tail()}")

    def lines(self) -> list[str]:
        """Everything Home Assistant printed so far (the last 5000 lines)."""
        with self._line_added:
            return list(self._lines)

    def wait_for_line(self, text: str, timeout: float) -> str:
        """Block until Home Assistant prints a line containing text; return that line."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._line_added:
            while True:
                lines = list(self._lines)
                for line in lines[seen:]:
                    if text in line:
                        return line
                seen = len(lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.exited.is_set():
                    tail = "\n".join(lines[-60:])
                    raise AssertionError(f"Home Assistant never printed {text!r}:\n{tail}")
                self._line_added.wait(left)

    def wait_started(self, timeout: float) -> None:
        """Block until Home Assistant is initialized; fail with its output if it is not."""
        self._startup_over.wait(timeout)
        if not self.started.is_set():
            state = "exited" if self.exited.is_set() else f"did not start within {timeout} s"
            raise AssertionError(f"Home Assistant {state}:\n{self.output_tail()}")

    def output_tail(self, lines: int = 60) -> str:
        """The last lines Home Assistant printed."""
        return "\n".join(list(self._lines)[-lines:])

    def stop(self, timeout: float = 30.0) -> float:
        """Stop Home Assistant (SIGTERM, then SIGKILL) and the output reader.

        Return the seconds from SIGTERM until the process exited (0 if it was not running).
        """
        took = 0.0
        if self._process is not None:
            if self._process.poll() is None:
                began = time.monotonic()
                self._process.terminate()
                try:
                    self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout)
                took = time.monotonic() - began
            self.exit_code = self._process.returncode
            self._process = None
        if self._reader is not None:
            self._reader.join(timeout)
            self._reader = None
        return took


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
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {self._token}"} if self._token else {}),
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


def onboard(base_url: str, *, name: str, username: str, password: str) -> str:
    """Onboarding through the REST API, as the frontend does it; return an access token.

    The owner account first (its answer is an authorization code, exchanged for tokens),
    then the remaining steps with their defaults.
    """
    client_id = f"{base_url}/"
    user = {
        "client_id": client_id,
        "name": name,
        "username": username,
        "password": password,
        "language": "en",
    }
    created = RestApi(base_url, token="").request("POST", "/api/onboarding/users", user)
    form = urllib.parse.urlencode(
        {"grant_type": "authorization_code", "code": created["auth_code"], "client_id": client_id}
    ).encode()
    with urllib.request.urlopen(f"{base_url}/auth/token", data=form, timeout=10) as response:
        token: str = json.loads(response.read())["access_token"]
    api = RestApi(base_url, token)
    api.request("POST", "/api/onboarding/core_config")
    api.request("POST", "/api/onboarding/analytics")
    api.request(
        "POST", "/api/onboarding/integration", {"client_id": client_id, "redirect_uri": client_id}
    )
    return token
