"""ZKTeco push terminals in Home Assistant's own UI: the first added by its serial number,
the next one discovered when it calls in and confirmed.

The simulated push terminal (tools/admssim) runs in a thread with its own event loop and
calls the real Home Assistant process over loopback HTTP, as a terminal on the network does.
"""

import asyncio
from collections.abc import Callable, Coroutine, Iterator
import threading
import time
from typing import Any

from playwright.sync_api import Page, expect
import pytest

from tools.admssim import PushTerminalSimulator, SimulatorConfig, SimUser

from .conftest import Screenshots
from .homeassistant import HomeAssistantProcess, RestApi
from .test_user_journey import (
    access_token,
    devicehub_entries,
    onboard,
    open_add_device_menu,
    wait_for_state,
)

FIRST_SERIAL = "PUSHA0000001"
FIRST_NAME = "Gate"
SERIAL = "PUSHB0000001"
NAME = "Lobby"
SIM_TIMEOUT = 20.0
DISCOVERY_TIMEOUT = 60.0


class SimulatorThread:
    """A push terminal simulator looping in a thread of its own."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Start the thread and the terminal's own loop (handshake, uploads, polls)."""
        self.loop = asyncio.new_event_loop()
        self.sim = PushTerminalSimulator(config)
        self.sim.add_users([SimUser(user_id="7", name="Grace Hopper")])
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        await self.sim.__aenter__()
        self.sim.start()

    def run[T](self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the simulator's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(SIM_TIMEOUT)

    def punch(self, user_id: str) -> None:
        """Someone punches at the terminal."""
        self.loop.call_soon_threadsafe(self.sim.inject_punch, user_id)

    def stop(self) -> None:
        """Close the terminal and its loop."""
        self.run(self.sim.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(SIM_TIMEOUT)
        self.loop.close()


@pytest.fixture
def push_terminal_factory(
    hass_server: HomeAssistantProcess,
) -> Iterator[Callable[[str], SimulatorThread]]:
    """Starts push terminals calling the Home Assistant under test every 2 seconds."""
    terminals: list[SimulatorThread] = []

    def start(serial: str) -> SimulatorThread:
        terminal = SimulatorThread(
            SimulatorConfig(
                server=hass_server.url, serial=serial, delay=2, error_delay=2, request_timeout=10
            )
        )
        terminals.append(terminal)
        return terminal

    yield start
    for terminal in terminals:
        terminal.stop()


FLOWS_IN_PROGRESS = """() => document.querySelector('home-assistant').hass.connection
  .sendMessagePromise({type: 'config_entries/flow/progress'})"""


def wait_for_discovery(page: Page, terminal: SimulatorThread) -> None:
    """Wait until Home Assistant has a discovery flow for the terminal's serial number."""
    serial = terminal.sim.serial
    deadline = time.monotonic() + DISCOVERY_TIMEOUT
    while time.monotonic() < deadline:
        flows = page.evaluate(FLOWS_IN_PROGRESS)
        if any(flow["context"].get("unique_id") == serial for flow in flows):
            return
        page.wait_for_timeout(500)
    exchanges = list(terminal.sim.exchanges)[-5:]
    raise AssertionError(f"no discovery flow; the terminal's last exchanges: {exchanges}")


@pytest.mark.timeout(420)
def test_push_terminals_added_by_hand_and_by_discovery(
    page: Page,
    screenshots: Screenshots,
    hass_server: HomeAssistantProcess,
    push_terminal_factory: Callable[[str], SimulatorThread],
) -> None:
    url = hass_server.url
    onboard(page, url)
    api = RestApi(url, access_token(page))

    # The first push terminal, by its serial number: Home Assistant loads devicehub (and so
    # serves /iclock/) once it has a devicehub entry.
    flow = open_add_device_menu(page, url)
    flow.get_by_text("ZKTeco push terminal").click()
    flow.locator("input[name='serial_number']").fill(FIRST_SERIAL)
    flow.locator("input[name='name']").fill(FIRST_NAME)
    screenshots.take("push-form")
    flow.get_by_role("button", name="Submit").click()
    expect(flow.locator("step-flow-create-entry")).to_be_visible()
    flow.get_by_role("button", name="Skip and finish").click()
    expect(flow).to_be_hidden()
    assert devicehub_entries(api) == {FIRST_NAME: "loaded"}

    # It calls in: online, and its punches arrive.
    first = push_terminal_factory(FIRST_SERIAL)
    wait_for_state(page, "binary_sensor.gate_connectivity", "on")
    first.punch("7")
    wait_for_state(page, "sensor.gate_last_punch", "7")
    punch = api.state("event.gate_punch")["attributes"]
    assert (punch["event_type"], punch["user_id"], punch["late"]) == ("check_in", "7", False)
    assert punch["serial_number"] == FIRST_SERIAL
    wait_for_state(page, "lock.gate", "locked")

    # A second terminal calls in: refused, and offered under Discovered.
    second = push_terminal_factory(SERIAL)
    wait_for_discovery(page, second)
    page.goto(f"{url}/config/integrations/dashboard")
    page.get_by_placeholder("Search integrations").fill("devicehub")
    discovered = page.locator("ha-config-flow-card").filter(has_text=f"SN {SERIAL}")
    expect(discovered).to_be_visible()
    screenshots.take("push-discovered")
    discovered.get_by_role("button", name="Add").click()
    flow = page.locator("dialog-data-entry-flow")
    question = f"A ZKTeco push terminal SN {SERIAL} is calling in from 127.0.0.1: add it?"
    expect(flow.get_by_text(question)).to_be_visible()
    flow.locator("input[name='name']").fill(NAME)
    screenshots.take("push-confirm")
    flow.get_by_role("button", name="Submit").click()
    expect(flow.locator("step-flow-create-entry")).to_be_visible()
    flow.get_by_role("button", name="Skip and finish").click()
    expect(flow).to_be_hidden()
    assert devicehub_entries(api) == {FIRST_NAME: "loaded", NAME: "loaded"}

    # Served from its next call.
    wait_for_state(page, "binary_sensor.lobby_connectivity", "on")
    second.punch("7")
    wait_for_state(page, "sensor.lobby_last_punch", "7")
    assert screenshots.taken == ["push-form", "push-discovered", "push-confirm"]
