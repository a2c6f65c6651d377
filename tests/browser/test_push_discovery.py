"""A ZKTeco push terminal calling in, discovered and added in Home Assistant's own UI.

The simulated push terminal (tools/admssim) runs in a thread with its own event loop and
calls the real Home Assistant process over loopback HTTP, as a terminal on the network does.
"""

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
import threading
from typing import Any

from playwright.sync_api import Page, expect
import pytest

from tests.mosquitto import MosquittoBroker
from tools.admssim import PushTerminalSimulator, SimulatorConfig, SimUser
from tools.mqttdoor.broker import free_port

from .conftest import Screenshots, failed
from .homeassistant import HomeAssistantProcess, RestApi, running_home_assistant
from .test_user_journey import (
    access_token,
    devicehub_entries,
    onboard,
    wait_for_state,
)

SERIAL = "PUSHB0000001"
NAME = "Gate"
SIM_TIMEOUT = 20.0
# Home Assistant's first start on a busy machine (two cores shared) can take minutes.
START_TIMEOUT = 240.0


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
def hass_server(
    request: pytest.FixtureRequest, tmp_path: Path, mosquitto_broker: MosquittoBroker
) -> Iterator[HomeAssistantProcess]:
    """Home Assistant on a free loopback port, set up as for the user journey."""
    with running_home_assistant(
        tmp_path / "config",
        http_port=free_port(),
        mqtt_port=mosquitto_broker.port,
        start_timeout=START_TIMEOUT,
    ) as hass:
        yield hass
        if failed(request):
            print(f"Home Assistant's last output:\n{hass.output_tail()}")


@pytest.fixture
def push_terminal(hass_server: HomeAssistantProcess) -> Iterator[SimulatorThread]:
    """A push terminal calling the Home Assistant under test every 2 seconds."""
    terminal = SimulatorThread(
        SimulatorConfig(
            server=hass_server.url, serial=SERIAL, delay=2, error_delay=2, request_timeout=10
        )
    )
    yield terminal
    terminal.stop()


@pytest.mark.timeout(420)
def test_push_terminal_discovered_and_added(
    page: Page,
    screenshots: Screenshots,
    hass_server: HomeAssistantProcess,
    push_terminal: SimulatorThread,
) -> None:
    url = hass_server.url
    onboard(page, url)
    api = RestApi(url, access_token(page))

    # The terminal calls in: refused, and offered under Discovered.
    page.goto(f"{url}/config/integrations/dashboard")
    page.get_by_placeholder("Search integrations").fill("devicehub")
    discovered = page.locator("ha-config-flow-card").filter(has_text=f"SN {SERIAL}")
    expect(discovered).to_be_visible()
    screenshots.take("push-discovered")
    assert devicehub_entries(api) == {}
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
    assert devicehub_entries(api) == {NAME: "loaded"}

    # Served from its next call: online, and its punches arrive.
    wait_for_state(page, "binary_sensor.gate_connectivity", "on")
    push_terminal.punch("7")
    wait_for_state(page, "sensor.gate_last_punch", "7")
    punch = api.state("event.gate_punch")["attributes"]
    assert (punch["event_type"], punch["user_id"], punch["late"]) == ("check_in", "7", False)
    assert punch["serial_number"] == SERIAL
    wait_for_state(page, "lock.gate", "locked")
    assert screenshots.taken == ["push-discovered", "push-confirm"]
