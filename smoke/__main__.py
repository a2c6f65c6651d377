"""The smoke test: devicehub in a real `hass` of the newest release, driven as a user would.

    .venv-newest/bin/python -m smoke      (scripts/smoke sets it up and runs it)

Home Assistant runs as its own process (`--skip-pip`: everything comes from
smoke/requirements.lock) on a new configuration, with a simulated ZKTeco terminal
(tools/zksim) and a simulated MQTT door (tools/mqttdoor) on a local Mosquitto, all on
127.0.0.1. Each check is named; the first that fails stops the run, and its name, the error
and Home Assistant's relevant log lines are printed. The last line is "smoke: N passed,
N failed".
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

from tests.browser.homeassistant import HomeAssistantProcess, onboard, write_config
from tools.mqttdoor import DoorConfig, SimulatedDoor
from tools.mqttdoor.broker import MosquittoBroker, free_port
from tools.zksim import SimulatorConfig, TerminalSimulator

from .client import HassClient, form_defaults

START_TIMEOUT = 120.0
TIMEOUT = 30.0  # seconds for anything a device or Home Assistant must do
TERMINAL_NAME = "Front door"
DOOR_ID = "back_door"
DOOR_NAME = "Back door"
TERMINAL_LOCK = "lock.front_door"
TERMINAL_PUNCH = "event.front_door_punch"
DOOR_LOCK = "lock.back_door"
LOG_WORDS = ("devicehub", "ERROR", "Traceback", "Error", "exception")

CONFIGURATION_YAML = """\
# Written by the smoke test: what a user's configuration needs for devicehub, no more.
homeassistant:
  name: devicehub smoke
  unit_system: metric
  time_zone: UTC
  country: GB
  currency: EUR
api:
config:
onboarding:
websocket_api:
logger:
  default: warning
  logs:
    homeassistant.bootstrap: info
    custom_components.devicehub: debug
"""


@dataclass
class Smoke:
    """The devices, Home Assistant and what the checks learned on the way."""

    terminal: TerminalSimulator
    door: SimulatedDoor
    broker: MosquittoBroker
    hass: HomeAssistantProcess
    client: HassClient | None = None
    found: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> HassClient:
        assert self.client is not None, "onboarding did not give a token"
        return self.client


async def check_onboarding(smoke: Smoke) -> None:
    token = await asyncio.to_thread(
        onboard, smoke.hass.url, name="Ada Lovelace", username="ada", password="smoke-test-pw"
    )
    smoke.client = HassClient(smoke.hass.url, token)
    await smoke.client.connect()
    done = await smoke.api.get("/api/onboarding")
    assert all(step["done"] for step in done), done


async def check_mqtt_entry(smoke: Smoke) -> None:
    """MQTT first, through its config flow: the door is discovered through it."""
    result = await smoke.api.flow_start("mqtt")
    assert result["step_id"] == "broker", result
    result = await smoke.api.flow_step(
        result["flow_id"],
        form_defaults(result["data_schema"])
        | {"broker": smoke.broker.host, "port": smoke.broker.port},
    )
    assert result["type"] == "create_entry", result
    await smoke.api.wait_entry_loaded("mqtt", TIMEOUT)


async def check_add_terminal(smoke: Smoke) -> None:
    result = await smoke.api.flow_start("devicehub")
    assert result["type"] == "menu" and "terminal" in result["menu_options"], result
    result = await smoke.api.flow_step(result["flow_id"], {"next_step_id": "terminal"})
    assert result["step_id"] == "terminal", result
    result = await smoke.api.flow_step(
        result["flow_id"],
        {
            "host": smoke.terminal.host,
            "port": smoke.terminal.port,
            "password": "0",
            "timeout": 5,
            "name": TERMINAL_NAME,
        },
    )
    assert result["type"] == "create_entry", result
    assert result["title"] == TERMINAL_NAME, result
    await smoke.api.wait_entry_loaded("devicehub", TIMEOUT, title=TERMINAL_NAME)
    await smoke.api.wait_state(TERMINAL_LOCK, "locked", TIMEOUT)


async def check_confirm_discovered_door(smoke: Smoke) -> None:
    flow = await smoke.api.wait_discovered_flow("devicehub", "door_confirm", TIMEOUT)
    result = await smoke.api.flow_step(flow["flow_id"], {})
    assert result["type"] == "create_entry", result
    assert result["title"] == DOOR_NAME, result
    await smoke.api.wait_entry_loaded("devicehub", TIMEOUT, title=DOOR_NAME)
    await smoke.api.wait_state(DOOR_LOCK, "locked", TIMEOUT)


async def check_unlock_terminal(smoke: Smoke) -> None:
    before = len(smoke.terminal.unlocks)
    await smoke.api.call_service("lock", "unlock", {"entity_id": TERMINAL_LOCK})
    deadline = time.monotonic() + TIMEOUT
    while len(smoke.terminal.unlocks) == before:
        assert time.monotonic() < deadline, "the terminal was never told to unlock"
        await asyncio.sleep(0.05)


async def check_unlock_door(smoke: Smoke) -> None:
    await smoke.api.call_service("lock", "unlock", {"entity_id": DOOR_LOCK})
    assert await asyncio.to_thread(smoke.door.wait_for_command, "unlock", TIMEOUT)
    await smoke.api.wait_state(DOOR_LOCK, "unlocked", TIMEOUT)


async def check_live_punch(smoke: Smoke) -> None:
    """A punch at the terminal changes the punch event entity, pushed on the websocket."""
    assert await asyncio.to_thread(smoke.terminal.wait_for_listeners, 1, TIMEOUT)
    user = smoke.terminal.users[1]
    async with smoke.api.state_changes(TERMINAL_PUNCH) as changes:
        record = smoke.terminal.inject_punch(user.user_id, punch=0, verify=15)
        state = await asyncio.wait_for(changes.get(), TIMEOUT)
    attributes = state["attributes"]
    assert attributes["event_type"] == "check_in", attributes
    assert (attributes["user_id"], attributes["user_name"]) == (user.user_id, user.name)
    smoke.found["punch"] = record


async def check_get_attendance(smoke: Smoke) -> None:
    """devicehub.get_attendance answers with the terminal's log, the live punch included."""
    record = smoke.found["punch"]
    response = await smoke.api.call_service(
        "devicehub",
        "get_attendance",
        {"config_entry_id": await smoke.api.entry_id("devicehub", TERMINAL_NAME)},
        return_response=True,
    )
    records = response["records"]
    assert len(records) == smoke.terminal.record_count, (len(records), smoke.terminal.record_count)
    last = records[-1]
    assert (last["user_id"], last["punch"]) == (record.user_id, "check_in"), last
    assert response["invalid_records"] == 0, response


CHECKS: list[tuple[str, Callable[[Smoke], Awaitable[None]]]] = [
    ("onboarding", check_onboarding),
    ("MQTT entry through its config flow", check_mqtt_entry),
    ("add the terminal through the config flow", check_add_terminal),
    ("confirm the discovered door", check_confirm_discovered_door),
    ("unlock the terminal's door", check_unlock_terminal),
    ("unlock the MQTT door", check_unlock_door),
    ("live punch reaches the event entity", check_live_punch),
    ("devicehub.get_attendance answers", check_get_attendance),
]


def relevant_log(lines: list[str], limit: int = 60) -> str:
    """Home Assistant's lines about devicehub and errors (with their tracebacks)."""
    picked = [line for line in lines if any(word in line for word in LOG_WORDS)]
    return "\n".join(picked[-limit:]) or "\n".join(lines[-limit:])


async def run_checks(smoke: Smoke) -> tuple[int, str | None]:
    """Run the checks in order; stop at the first failure. (passed, failed check)."""
    passed = 0
    try:
        for name, check in CHECKS:
            began = time.monotonic()
            try:
                await asyncio.wait_for(check(smoke), TIMEOUT * 2)
            except Exception as err:
                print(f"FAILED check: {name}: {type(err).__name__}: {err}", flush=True)
                return passed, name
            print(f"ok  {name} ({time.monotonic() - began:.1f} s)", flush=True)
            passed += 1
        return passed, None
    finally:
        if smoke.client is not None:
            await smoke.client.close()


def main() -> int:
    from homeassistant.const import __version__ as ha_version

    print(f"==> smoke test on Home Assistant {ha_version}", flush=True)
    with tempfile.TemporaryDirectory(prefix="devicehub-smoke-") as scratch:
        workdir = Path(scratch)
        broker = MosquittoBroker(workdir=workdir)
        broker.start()
        terminal = TerminalSimulator(SimulatorConfig(users=5, records=20, seed=7)).start()
        door = SimulatedDoor(
            DoorConfig(DOOR_ID, host=broker.host, port=broker.port, name=DOOR_NAME, heartbeat=None)
        )
        http_port = free_port()
        write_config(
            workdir / "config",
            http_port=http_port,
            mqtt_port=None,
            configuration_yaml=CONFIGURATION_YAML,
        )
        hass = HomeAssistantProcess(workdir / "config", http_port, extra_args=["--skip-pip"])
        try:
            door.start()
            hass.start()
            hass.wait_started(START_TIMEOUT)
            passed, failed = asyncio.run(run_checks(Smoke(terminal, door, broker, hass)))
        finally:
            hass.stop()
            door.stop()
            terminal.stop()
            broker.stop()
        if failed is not None:
            print(
                f"--- Home Assistant's log (devicehub and errors) ---\n{relevant_log(hass.lines())}"
            )
    total_failed = 0 if failed is None else 1
    print(f"smoke: {passed} passed, {total_failed} failed", flush=True)
    return total_failed


if __name__ == "__main__":
    sys.exit(main())
