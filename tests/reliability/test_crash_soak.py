"""The crash soak: a real Home Assistant process SIGKILLed at least 30 times while a
terminal and an MQTT door punch; every punch must be announced exactly once.

In the default suite (scripts/test). Each punch is recorded in the event-loop step that
announces it (the punch recorder component), so nothing runs between an announcement and
its record; what is left is devicehub's own instant between a delivery's journal write and
its announcement (docs/mqtt-contract.md, "Delivery guarantees"). A third of the kills aim
at start-up. Right after each kill the soak compares devicehub's storage with the record
(soak_ledger.py): a failure names each loss and duplicate with the kill it is tied to and
what that kill left (stored and not announced, or announced and not stored), or "no kill".
Home Assistant processes are forked from a parent that imported it once, without the default
integrations (soak_hass.py): 30 restarts take 60 to 165 s on 2 cores; none outlives the test.

The push terminal family (tools.admssim calling Home Assistant's HTTP server, resending
every batch not answered `OK`) runs in the long mode, bench/crash_soak.py: its HTTP load
widens the one instant left for every family enough that a 30-kill run with all three hit
it in two of seven runs (README, crash soak row), and a suite must not fail at random.
DEVICEHUB_CRASH_SOAK_KILLS raises the number of kills (bench/crash_soak.py runs it longer).
"""

import os
from pathlib import Path

import pytest

from tests.mosquitto import MosquittoBroker, mosquitto_broker, mosquitto_executable
from tests.zksim_fixtures import SimulatorFactory

from .crash_soak import run_crash_soak

__all__ = ["mosquitto_broker", "mosquitto_executable"]

KILLS = int(os.environ.get("DEVICEHUB_CRASH_SOAK_KILLS", "30"))


# A bound, not a timing goal: a restart takes a few seconds (bench/crash_soak.py reports the
# wall time); the timeout only stops a soak that hangs.
@pytest.mark.timeout(30 * KILLS)
@pytest.mark.usefixtures("socket_enabled")
def test_exactly_once_across_sigkill(
    tmp_path: Path,
    zk_simulator: SimulatorFactory,
    mosquitto_broker: MosquittoBroker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Zero duplicates and zero losses for the terminal and the door, across random
    SIGKILLs."""
    assert KILLS >= 30
    terminal = zk_simulator()
    result = run_crash_soak(
        tmp_path / "config",
        terminal,
        mosquitto_broker.address[1],
        kills=KILLS,
        up_for=(0.0, 2.0),
        punch_every=0.25,
        push_terminal=False,
    )
    with capsys.disabled():
        print(f"\n{result.as_text()}")
    assert result.kills == KILLS
    # A third of the kills aim at start-up; one may land just after it on a random draw.
    assert result.startup_kills >= KILLS // 5
    assert result.terminal.punches > 0
    assert result.door.punches > 0
    assert result.push.punches == 0  # configured, never punching: see the docstring
    # The message names each loss and duplicate with the kill (and what it found) it is
    # tied to, or "no kill".
    assert (result.terminal.duplicates, result.terminal.losses) == (0, 0), result.as_text()
    assert (result.door.duplicates, result.door.losses) == (0, 0), result.as_text()
