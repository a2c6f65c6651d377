"""Crash soak on a real Home Assistant process: punches keep coming while it is SIGKILLed.

Not the test harness: a Home Assistant process (tests/reliability/soak_hass.py: HA's own
entry point without the default integrations the soak does not use) with devicehub linked in,
a terminal simulator (tools.zksim), a simulated MQTT door (tools.mqttdoor, contract 1.1
event ids) on a Mosquitto broker and a simulated push terminal (tools.admssim, calling Home
Assistant's HTTP server as a terminal does; soak_push.py), all on loopback, configured by
soak_config.py. Punches are made on all three all the time; Home Assistant is killed with
SIGKILL at random moments (during start-up, catch-up or calm) and started again each time.
What Home Assistant announced is counted from a recorder that survives the kills: a
test-only component (tests/reliability/punch_recorder) whose @callback state listener
appends and fsyncs each punch in the event-loop step that announces it.

At the end every punch made after the terminal's cursor started must be in that file
exactly once. Right after each kill, before the restart, what devicehub's storage counts as
delivered is compared with that file (soak_ledger.py), so each loss and duplicate is tied to
the kill that made it, or shown as tied to none. Used by tests/reliability/test_crash_soak.py
(the default suite) and bench/crash_soak.py.
"""

from contextlib import suppress
from dataclasses import dataclass, field
import itertools
import os
from pathlib import Path
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from tools.mqttdoor import DoorConfig, SimulatedDoor
from tools.mqttdoor.broker import HOST
from tools.zksim import DeviceBusyError, TerminalSimulator

from .soak_config import DOOR_ID, ENTITY_STARTS, PUSH_SERIAL, write_config
from .soak_ledger import PUNCH_LOG, Ledger, Tally, recorded
from .soak_push import PushTerminalThread

SOAK_HASS = Path(__file__).resolve().parent / "soak_hass.py"
# Shared by soaks of this user: Python replaces .pyc files atomically and checks each against
# its source, so only the first soak on a machine compiles Home Assistant.
PYCACHE = Path(tempfile.gettempdir()) / f"devicehub-crash-soak-pycache-{os.getuid()}"
STARTED_MARKER = "Home Assistant initialized in"


class HomeAssistantProcess:
    """One Home Assistant process at a time, forked by soak_hass.py; output kept in a file.

    Compiled bytecode goes to a cache of the soaks' own (pycache), written by the first start
    even where PYTHONDONTWRITEBYTECODE is set. soak_hass.py and its Home Assistant die with
    the soak's process, so a failed or interrupted soak leaves none behind.
    """

    def __init__(self, config_dir: Path, pycache: Path) -> None:
        self.config_dir = config_dir
        self._output = config_dir / "hass-output.log"
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PYTHONUNBUFFERED": "1", "PYTHONPYCACHEPREFIX": str(pycache)}
        self._parent = subprocess.Popen(
            [
                sys.executable,
                str(SOAK_HASS),
                str(self._output),
                "--",
                "--config",
                str(config_dir),
                "--skip-pip",
            ],
            cwd=config_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        self._running = False
        self.started_at = 0.0
        self._ask(None, "ready")

    def _ask(self, command: str | None, expected: str | None = None) -> str:
        """Send a command line to soak_hass.py; its answer line."""
        assert self._parent.stdin is not None and self._parent.stdout is not None
        if command is not None:
            self._parent.stdin.write(f"{command}\n")
            self._parent.stdin.flush()
        answer = self._parent.stdout.readline().strip()
        if not answer or (expected is not None and answer != expected):
            raise AssertionError(f"soak_hass.py answered {answer!r} to {command!r}")
        return answer

    def start(self) -> None:
        self._ask("start")
        self._running = True
        self.started_at = time.monotonic()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final writes."""
        assert self._running
        self._ask("kill", "ended")
        self._running = False

    def stop(self) -> None:
        """A clean stop (SIGTERM, or a kill if it hangs), and the end of soak_hass.py."""
        try:
            if self._running and self._parent.poll() is None:
                self._ask("stop", "ended")
        finally:
            self._running = False
            if self._parent.poll() is None:
                self._parent.kill()  # its Home Assistant, if any, dies with it
            self._parent.wait(30)

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
    """Punches on the terminal, the door and the push terminal from a thread, each with a
    unique user id."""

    terminal: TerminalSimulator
    door: SimulatedDoor
    push: PushTerminalThread | None  # None: no push terminal punches
    every: float
    terminal_punches: list[str] = field(default_factory=list)
    door_punches: list[str] = field(default_factory=list)
    push_punches: list[str] = field(default_factory=list)
    door_users: dict[str, str] = field(default_factory=dict)  # event id -> user id
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
            event = self.door.publish_punch(door_user)
            self.door_users[event["id"]] = door_user
            self.door_punches.append(door_user)
            if self.push is not None:
                push_user = str(next(numbers))
                self.push.inject_punch(push_user)
                self.push_punches.append(push_user)


@dataclass(frozen=True)
class SoakResult:
    """The figures of a crash soak."""

    kills: int
    startup_kills: int  # of which before Home Assistant said it was initialized
    seconds: float
    median_start_seconds: float  # process start to "initialized", over the starts completed
    terminal: Tally
    door: Tally
    door_resent: int
    push: Tally
    push_unanswered: int  # uploads not answered OK, their punches sent again

    def as_text(self) -> str:
        return (
            f"crash soak: {self.kills} kills ({self.startup_kills} during start-up) in "
            f"{self.seconds:.0f} s, start-up {self.median_start_seconds:.1f} s (median)\n"
            f"  terminal: {self.terminal.as_text()}\n"
            f"  door ({self.door_resent} resends): {self.door.as_text()}\n"
            f"  push ({self.push_unanswered} uploads not answered OK): {self.push.as_text()}"
        )


def _wait(predicate: Any, timeout: float, what: str, hass: HomeAssistantProcess) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s:\n{hass.output_tail()}")
        time.sleep(0.05)


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
    push_terminal: bool = True,
) -> SoakResult:
    """Kill Home Assistant `kills` times while punches keep coming; then let it catch up
    and count.

    Two kills in three come a random time in `up_for` after Home Assistant is initialized
    (catching up what came while it was down, live punches, resends); the third a random
    time within the shortest start-up seen, from the process start. Without push_terminal
    the push terminal is configured but never punches (the suite's run: see
    test_crash_soak.py).
    """
    rng = random.Random(seed)
    config = write_config(config_dir, terminal=terminal, mqtt_port=mqtt_port)
    cursor = config_dir / ".storage" / f"devicehub.terminal_cursor.{config.terminal_entry}"
    log = config_dir / PUNCH_LOG
    door = SimulatedDoor(
        DoorConfig(DOOR_ID, port=mqtt_port, event_ids=True, resend_after=1.0, heartbeat=None)
    )
    door.start()
    began = time.monotonic()
    try:
        hass = HomeAssistantProcess(config_dir, PYCACHE)
    except BaseException:
        door.stop()
        raise
    push = PushTerminalThread(f"http://{HOST}:{config.http_port}", PUSH_SERIAL)
    puncher = Puncher(terminal, door, push if push_terminal else None, punch_every)
    ledger = Ledger(
        config_dir,
        config.terminal_entry,
        config.door_entry,
        config.push_entry,
        terminal,
        puncher.door_users,
        lambda: door.outbox.pending,
        push.pending,
        ENTITY_STARTS,
    )
    start_ups: list[float] = []
    startup_kills = 0

    def wait_started(done: int) -> None:
        """Wait for the running process to be initialized; note how long it took."""
        if hass.starts_completed() > done:
            return  # measured already
        _wait(lambda: hass.starts_completed() > done, 180, "Home Assistant did not start", hass)
        start_ups.append(time.monotonic() - hass.started_at)

    try:
        # The first start (bytecode compiled, not counted in start-ups) places the cursor:
        # punches before it are the terminal's history.
        hass.start()
        _wait(cursor.exists, 300, "the terminal's cursor was not placed", hass)
        done = 0  # starts completed before the running process's
        wait_started(done)
        ledger.note_history()
        if push_terminal:
            push.start()
        puncher.start()
        for kill in range(kills):
            if kill % 3 == 2:
                # The running process was started just now: kill it within the shortest
                # start-up seen (imports, set-up, the first catch-up, subscriptions).
                time.sleep(rng.uniform(0.0, min(start_ups)))
            else:
                wait_started(done)
                time.sleep(rng.uniform(*up_for))
            hass.kill()
            during_startup = hass.starts_completed() == done
            startup_kills += during_startup
            # Dead, not restarted: what it stored and announced is final.
            ledger.after_kill(kill + 1, during_startup)
            done = hass.starts_completed()
            hass.start()
        wait_started(done)
        puncher.stop()
        # The last start runs until every punch has arrived (or the time is up).
        expected = {*puncher.terminal_punches, *puncher.door_punches, *puncher.push_punches}

        def all_fired() -> bool:
            fired = recorded(log, ENTITY_STARTS)
            # What a kill left stored and unannounced never comes: no use waiting for it.
            came = set().union(*fired.values()) | ledger.lost_at_kills()
            return expected <= came

        with suppress(AssertionError):  # what never came is counted as losses below
            _wait(all_fired, settle_timeout, "not every punch was fired", hass)
        time.sleep(2)  # resends in flight would show as duplicates now
    finally:
        puncher.stop()
        push.stop()
        hass.stop()
        door.stop()
    tallies = ledger.tally(
        {
            "terminal": puncher.terminal_punches,
            "door": puncher.door_punches,
            "push": puncher.push_punches,
        }
    )
    return SoakResult(
        kills=kills,
        startup_kills=startup_kills,
        seconds=time.monotonic() - began,
        median_start_seconds=statistics.median(start_ups) if start_ups else 0.0,
        terminal=tallies["terminal"],
        door=tallies["door"],
        door_resent=door.outbox.resent,
        push=tallies["push"],
        push_unanswered=push.unanswered,
    )
