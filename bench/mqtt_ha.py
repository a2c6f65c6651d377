"""A real Home Assistant core in this process for the MQTT benchmarks.

Not the pytest harness (no mocks): HA's core with a temporary config dir, HA's real MQTT
integration connected to a loopback Mosquitto, and devicehub loaded from the repository's
custom_components (the repository root is on sys.path with `python -m bench...`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time
from types import MappingProxyType
from typing import Any

from homeassistant import bootstrap, core_config, loader
from homeassistant.components import mqtt
from homeassistant.config_entries import SOURCE_USER, ConfigEntries, ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0


@asynccontextmanager
async def home_assistant(configuration_yaml: str = "") -> AsyncIterator[HomeAssistant]:
    """A running Home Assistant core with only what the benchmark sets up; stopped on exit.

    Lighter than a full bootstrap (no frontend, backup, analytics...): the same core, event
    loop and MQTT integration, without unrelated background work muddying the figures.
    `configuration_yaml` becomes configuration.yaml (HA's MQTT reads its `mqtt:` from there).
    """
    loop = asyncio.get_running_loop()
    config_dir = await loop.run_in_executor(None, _make_config_dir, configuration_yaml)
    hass = HomeAssistant(config_dir)
    loader.async_setup(hass)
    hass.config.skip_pip = True
    # What bootstrap.async_from_config_dict does before setting up integrations.
    hass.config_entries = ConfigEntries(hass, {})
    assert await bootstrap.async_load_base_functionality(hass)
    await core_config.async_process_ha_core_config(hass, {"time_zone": "UTC"})
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.async_start()
    try:
        yield hass
    finally:
        await hass.async_stop()
        await loop.run_in_executor(None, shutil.rmtree, config_dir)


def _make_config_dir(configuration_yaml: str) -> str:
    config_dir = tempfile.mkdtemp(prefix="devicehub-bench-ha-")
    Path(config_dir, "configuration.yaml").write_text(configuration_yaml)
    return config_dir


async def async_connect_mqtt(hass: HomeAssistant, host: str, port: int) -> ConfigEntry:
    """Add HA's MQTT integration for the broker and wait until it is connected."""
    entry = ConfigEntry(
        data={"broker": host, "port": port, "protocol": "5"},
        discovery_keys=MappingProxyType({}),
        domain=mqtt.DOMAIN,
        minor_version=1,
        options={},
        source=SOURCE_USER,
        subentries_data=None,
        title=f"{host}:{port}",
        unique_id=None,
        version=2,
    )
    connected = hass.loop.create_future()

    @callback
    def connection_changed(is_connected: bool) -> None:
        if is_connected and not connected.done():
            connected.set_result(None)

    unsubscribe = mqtt.async_subscribe_connection_status(hass, connection_changed)
    try:
        await hass.config_entries.async_add(entry)
        async with asyncio.timeout(TIMEOUT):
            await connected
    finally:
        unsubscribe()
    return entry


async def async_wait_for_state(
    hass: HomeAssistant,
    entity_id: str,
    matches: Callable[[State], bool],
    timeout: float = TIMEOUT,  # noqa: ASYNC109 - applied with asyncio.timeout
) -> State:
    """The entity's state once `matches` holds."""
    if (state := hass.states.get(entity_id)) is not None and matches(state):
        return state
    reached: asyncio.Future[State] = hass.loop.create_future()

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        if new_state is not None and matches(new_state) and not reached.done():
            reached.set_result(new_state)

    unsubscribe = async_track_state_change_event(hass, entity_id, changed)
    try:
        async with asyncio.timeout(timeout):
            return await reached
    except TimeoutError as err:
        msg = f"{entity_id} stayed {hass.states.get(entity_id)}"
        raise TimeoutError(msg) from err
    finally:
        unsubscribe()


async def async_confirm_discovered_doors(hass: HomeAssistant, count: int) -> None:
    """Confirm `count` devicehub discovery flows as they appear (doors publish hand_shakes)."""
    added = asyncio.Event()

    @callback
    def flow_changed(change: str, flow_id: str) -> None:
        if change == "added":
            added.set()

    unsubscribe = hass.config_entries.flow.async_subscribe_flow(flow_changed)
    confirmed = 0
    try:
        async with asyncio.timeout(TIMEOUT + count * 0.5):
            while confirmed < count:
                added.clear()  # before looking, so a flow added meanwhile wakes us up
                flows = hass.config_entries.flow.async_progress_by_handler("devicehub")
                pending = [flow for flow in flows if flow["step_id"] == "door_confirm"]
                for flow in pending:
                    await hass.config_entries.flow.async_configure(flow["flow_id"], {})
                    confirmed += 1
                if not pending:
                    await added.wait()
    finally:
        unsubscribe()


class LoopLagProbe:
    """Measures how late the event loop runs a 10 ms timer: its responsiveness under load."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.lags.clear()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.lags.append(time.perf_counter() - before - self.interval)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def spawn(module: str, *args: str) -> subprocess.Popen[str]:
    """A Python child (e.g. the doors) whose CPU time is not this process's."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def stop_child(process: subprocess.Popen[Any], *, close_stdin: bool = False) -> None:
    """End a child: by closing its stdin (children that stop cleanly on EOF) or SIGTERM."""
    if close_stdin and process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
        with suppress(subprocess.TimeoutExpired):
            process.wait(60)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
