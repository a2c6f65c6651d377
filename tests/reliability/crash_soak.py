"""Crash soak on a real Home Assistant process: punches keep coming while it is SIGKILLed.

Not the test harness: `python -m homeassistant -c <dir>` with devicehub linked in, a
terminal simulator (tools.zksim) and a simulated MQTT door (tools.mqttdoor, contract 1.1
event ids) on a Mosquitto broker, all on loopback. Punches are made on both all the time;
Home Assistant is killed with SIGKILL at random moments (during start-up, catch-up or calm)
and started again each time. What Home Assistant fired is counted from a recorder that
survives the kills: an automation that appends every punch event to a file through the
`file` integration's notify entity (plain Python file writes, no process spawned).

At the end every punch made after the terminal's cursor started must be in that file
exactly once. Used by tests/reliability/test_crash_soak.py (CI) and bench/crash_soak.py.
"""

from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
import itertools
import json
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
import threading
import time
from typing import Any
import uuid

from tools.mqttdoor import DoorConfig, SimulatedDoor
from tools.zksim import DeviceBusyError, TerminalSimulator

REPO = Path(__file__).resolve().parents[2]
STARTED_MARKER = "Home Assistant initialized in"
TERMINAL_TITLE = "Soak terminal"
DOOR_ID = "soak_door"
LOG_NAME = "punch_log"
# An automation per punch: trigger on the state change of any punch event entity.
AUTOMATIONS = """\
- id: devicehub_crash_soak_punch_log
  alias: Punch log
  mode: parallel
  max: 10000
  triggers:
    - trigger: event
      event_type: state_changed
  conditions:
    - condition: template
      value_template: >-
        {{ trigger.event.data.entity_id.startswith('event.')
           and trigger.event.data.entity_id.endswith('_punch')
           and trigger.event.data.old_state is not none
           and trigger.event.data.old_state.state != 'unavailable'
           and trigger.event.data.new_state is not none
           and trigger.event.data.new_state.state not in ['unavailable', 'unknown'] }}
  actions:
    - action: notify.send_message
      target:
        entity_id: notify.punch_log
      data:
        message: >-
          {{ trigger.event.data.entity_id }}|{{ trigger.event.data.new_state.attributes.user_id }}
"""


def _entry(domain: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    entry: dict[str, Any] = {
        "created_at": now,
        "data": data,
        "discovery_keys": {},
        "disabled_by": None,
        "domain": domain,
        "entry_id": uuid.uuid4().hex,
        "minor_version": 1,
        "modified_at": now,
        "options": {},
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": domain,
        "unique_id": None,
        "version": 1,
    }
    entry.update(extra)
    return entry


def write_config(config_dir: Path, *, terminal: TerminalSimulator, mqtt_port: int) -> str:
    """A configuration with the terminal, the door, MQTT and the punch log; the terminal's
    entry id is returned (its cursor Store is named after it).
    """
    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / "custom_components" / "devicehub").symlink_to(
        REPO / "custom_components" / "devicehub", target_is_directory=True
    )
    (config_dir / "configuration.yaml").write_text(
        "homeassistant:\n"
        "  name: soak\n  time_zone: UTC\n  unit_system: metric\n  country: GB\n"
        f"  allowlist_external_dirs: ['{config_dir}']\n"
        "automation: !include automations.yaml\n"
        "logger:\n  default: warning\n  logs:\n    homeassistant.bootstrap: info\n"
        "    custom_components.devicehub: info\n",
        encoding="utf-8",
    )
    (config_dir / "automations.yaml").write_text(AUTOMATIONS, encoding="utf-8")
    door = DoorConfig(DOOR_ID).hand_shake()
    terminal_entry = _entry(
        "devicehub",
        {"kind": "terminal", "host": "127.0.0.1", "port": terminal.port, "password": 0},
        title=TERMINAL_TITLE,
        unique_id=terminal.config.serial_number(),
        options={"unlock_seconds": 1},
    )
    entries = [
        _entry("mqtt", {"broker": "127.0.0.1", "port": mqtt_port}, version=2, title="MQTT"),
        _entry(
            "file",
            {"platform": "notify", "file_path": str(config_dir / "punches.log")},
            version=2,
            options={"name": LOG_NAME, "timestamp": False},
            title="Punch log",
        ),
        terminal_entry,
        _entry(
            "devicehub",
            {
                "kind": "mqtt_door",
                "prefix": "devicehub",
                "device_id": DOOR_ID,
                "hand_shake": door,
                "registered": True,
            },
            title=door["name"],
            unique_id=DOOR_ID,
        ),
    ]
    storage = config_dir / ".storage"
    storage.mkdir()
    (storage / "core.config_entries").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 5,
                "key": "core.config_entries",
                "data": {"entries": entries},
            }
        ),
        encoding="utf-8",
    )
    return str(terminal_entry["entry_id"])


class HomeAssistantProcess:
    """One `python -m homeassistant` run; output kept in a file for failures."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = config_dir
        self._process: subprocess.Popen[bytes] | None = None
        self._output = config_dir / "hass-output.log"

    def start(self) -> None:
        with self._output.open("ab") as output:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "homeassistant", "--config", str(self.config_dir)],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final writes."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(30)
        self._process = None

    def stop(self) -> None:
        """A clean stop (SIGTERM), or a kill if it hangs."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(30)
        self._process = None

    def starts_completed(self) -> int:
        """How many times Home Assistant said it was initialized, in all runs so far."""
        if not self._output.exists():
            return 0
        return self._output.read_text(encoding="utf-8", errors="replace").count(STARTED_MARKER)

    def output_tail(self, lines: int = 40) -> str:
        text = self._output.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Puncher:
    """Punches on the terminal and the door from a thread, each with a unique user id."""

    terminal: TerminalSimulator
    door: SimulatedDoor
    every: float
    terminal_punches: list[str] = field(default_factory=list)
    door_punches: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="soak-puncher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        numbers = itertools.count(100001)
        while not self._stop.wait(self.every):
            user_id = str(next(numbers))
            try:
                self.terminal.inject_punch(user_id)
            except DeviceBusyError:
                pass  # a real terminal shows "busy" too; this user simply did not punch
            else:
                self.terminal_punches.append(user_id)
            door_user = str(next(numbers))
            self.door.publish_punch(door_user)
            self.door_punches.append(door_user)


@dataclass(frozen=True)
class Tally:
    """What one family's punches came to."""

    punches: int
    fired: int
    duplicates: int
    losses: int


@dataclass(frozen=True)
class SoakResult:
    """The figures of a crash soak."""

    kills: int
    seconds: float
    terminal: Tally
    door: Tally
    door_resent: int

    def as_text(self) -> str:
        return (
            f"crash soak: {self.kills} kills in {self.seconds:.0f} s; "
            f"terminal {self.terminal.punches} punches, {self.terminal.duplicates} duplicates, "
            f"{self.terminal.losses} losses; door {self.door.punches} punches, "
            f"{self.door.duplicates} duplicates, {self.door.losses} losses "
            f"({self.door_resent} resends)"
        )


def _fired(log: Path) -> dict[str, Counter[str]]:
    """User ids fired per family (terminal, door), counted from the punch log."""
    fired: dict[str, Counter[str]] = {"terminal": Counter(), "door": Counter()}
    if not log.exists():
        return fired
    for line in log.read_text(encoding="utf-8").splitlines():
        entity_id, sep, user_id = line.partition("|")
        if not sep:
            continue  # the file's own header
        family = "terminal" if entity_id.startswith("event.soak_terminal") else "door"
        fired[family][user_id] += 1
    return fired


def _tally(punches: list[str], fired: Counter[str]) -> Tally:
    return Tally(
        punches=len(punches),
        fired=sum(fired.values()),
        duplicates=sum(count - 1 for count in fired.values() if count > 1),
        losses=sum(1 for user_id in punches if fired[user_id] == 0),
    )


def _wait(predicate: Any, timeout: float, what: str, hass: HomeAssistantProcess) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s:\n{hass.output_tail()}")
        time.sleep(0.2)


def run_crash_soak(
    config_dir: Path,
    terminal: TerminalSimulator,
    mqtt_port: int,
    *,
    kills: int,
    up_for: tuple[float, float],
    punch_every: float,
    seed: int | None = None,
    settle_timeout: float = 120.0,
    startup_kill_within: float = 4.0,
) -> SoakResult:
    """Kill Home Assistant `kills` times while punches keep coming; then let it catch up
    and count. Three kills in four come a random time in `up_for` after Home Assistant is
    initialized, the fourth a random time within `startup_kill_within` of its start.
    """
    rng = random.Random(seed)
    entry_id = write_config(config_dir, terminal=terminal, mqtt_port=mqtt_port)
    cursor = config_dir / ".storage" / f"devicehub.terminal_cursor.{entry_id}"
    log = config_dir / "punches.log"
    door = SimulatedDoor(
        DoorConfig(DOOR_ID, port=mqtt_port, event_ids=True, resend_after=1.0, heartbeat=None)
    )
    door.start()
    hass = HomeAssistantProcess(config_dir)
    puncher = Puncher(terminal, door, punch_every)
    began = time.monotonic()
    try:
        # The first start places the cursor: punches before it are the terminal's history.
        hass.start()
        _wait(cursor.exists, 180, "the terminal's cursor was not placed", hass)
        puncher.start()
        before = 0  # starts completed before the running one was launched
        for kill in range(kills):
            if kill % 4 == 3:
                # During start-up: set-up, the first catch-up, subscriptions.
                time.sleep(rng.uniform(0.5, startup_kill_within))
            else:
                # Running: catching up what came while it was down, live punches, resends.
                _wait(lambda done=before: hass.starts_completed() > done, 180, "no start", hass)
                time.sleep(rng.uniform(*up_for))
            hass.kill()
            before = hass.starts_completed()
            hass.start()
        puncher.stop()
        # The last start runs until every punch has arrived (or the time is up).
        expected = set(puncher.terminal_punches) | set(puncher.door_punches)

        def all_fired() -> bool:
            fired = _fired(log)
            return expected <= set(fired["terminal"]) | set(fired["door"])

        with suppress(AssertionError):  # what never came is counted as losses below
            _wait(all_fired, settle_timeout, "not every punch was fired", hass)
        time.sleep(2)  # resends in flight would show as duplicates now
    finally:
        puncher.stop()
        hass.stop()
        door.stop()
    fired = _fired(log)
    return SoakResult(
        kills=kills,
        seconds=time.monotonic() - began,
        terminal=_tally(puncher.terminal_punches, fired["terminal"]),
        door=_tally(puncher.door_punches, fired["door"]),
        door_resent=door.outbox.resent,
    )
