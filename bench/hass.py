"""The benchmarks' Home Assistant: in this process, devicehub loadable, MQTT on a real broker.

Built on pytest-homeassistant-custom-component's `async_test_home_assistant` (registries in
memory, a temporary config directory), on Home Assistant's own event loop and executor
(`homeassistant.runner.create_event_loop`: 64 workers, as in production). HTTP binds to
127.0.0.1 only. Everything set up is unloaded and stopped on exit, whatever happened.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
import logging
from pathlib import Path
import tempfile
import time
from typing import Any

from homeassistant import loader
from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.runner import create_event_loop
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.door.const import (
    CONF_DEVICE_ID,
    CONF_HAND_SHAKE,
    CONF_PREFIX,
    CONF_REGISTERED,
)
from custom_components.devicehub.terminal.const import CONF_UNLOCK_SECONDS
from tests.mosquitto import async_setup_mqtt_entry
from tools.mqttdoor import DoorConfig
from tools.mqttdoor.broker import HOST, free_port

from .report import Figures, json_line

TIMEOUT = 60.0
# Entities whose state is a value the device reports: "ready" waits for them to have one
# (but a terminal's last punch sensor has none until someone punches).
VALUE_DOMAINS = ("lock", "sensor")
NO_VALUE_YET = "_last_punch"


def run[T](main: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on Home Assistant's production event loop configuration."""
    return asyncio.run(main, loop_factory=create_event_loop)


def run_alone(name: str, description: str, run_bench: Callable[[bool], Figures]) -> None:
    """`python -m bench.<name> [--quick]`: run one benchmark alone, print its JSON line."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    quiet_logs()
    print(json_line(name, run_bench(quick)), flush=True)


def quiet_logs() -> None:
    """Warnings and errors only: a benchmark's output is its figures."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in (
        "homeassistant.components.mqtt",
        "homeassistant.setup",
        "homeassistant.loader",
        "aiohttp_fast_zlib",
    ):
        logging.getLogger(noisy).setLevel(logging.ERROR)


@asynccontextmanager
async def home_assistant(
    broker_port: int | None = None, configuration_yaml: str = ""
) -> AsyncIterator[HomeAssistant]:
    """A running Home Assistant; with broker_port, its MQTT integration connected to it."""
    with tempfile.TemporaryDirectory(prefix="devicehub-bench-ha-") as config_dir:
        config = Path(config_dir, "configuration.yaml")
        await asyncio.to_thread(config.write_text, configuration_yaml, encoding="utf-8")
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # load custom_components/
            await hass.config.async_set_time_zone("UTC")
            try:
                http = {"server_host": [HOST], "server_port": free_port()}
                assert await async_setup_component(hass, "http", {"http": http})
                if broker_port is not None:
                    await async_setup_mqtt_entry(hass, HOST, broker_port, TIMEOUT)
                yield hass
            finally:
                await async_unload_all(hass)
                await hass.async_stop(force=True)


async def async_unload_all(hass: HomeAssistant) -> None:
    """Unload devicehub entries (their threads and sockets), then MQTT's."""
    for domain in (DOMAIN, mqtt.DOMAIN):
        loaded = [
            entry.entry_id
            for entry in hass.config_entries.async_entries(domain)
            if entry.state is ConfigEntryState.LOADED
        ]
        await asyncio.gather(*(hass.config_entries.async_unload(i) for i in loaded))
    await hass.async_block_till_done()


def terminal_entry(
    port: int, serial: str, title: str, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """A terminal entry as the config flow makes it, for a simulator on 127.0.0.1."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=serial,
        data={
            CONF_KIND: DeviceKind.TERMINAL,
            "host": HOST,
            "port": port,
            "password": 0,
            "timeout": 5,
        },
        options={CONF_UNLOCK_SECONDS: 1, **(options or {})},
    )


def door_entry(prefix: str, device_id: str, **config: Any) -> MockConfigEntry:
    """A door entry, as left by discovery and a confirmed flow, for a tools.mqttdoor door
    (config: the door's DoorConfig fields beyond the defaults)."""
    declared = DoorConfig(device_id, prefix=prefix, **config).hand_shake()
    return MockConfigEntry(
        domain=DOMAIN,
        title=declared["name"],
        unique_id=f"{prefix}/{device_id}",
        data={
            CONF_KIND: DeviceKind.MQTT_DOOR.value,
            CONF_PREFIX: prefix,
            CONF_DEVICE_ID: device_id,
            CONF_HAND_SHAKE: declared,
            CONF_REGISTERED: True,
        },
    )


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
                flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
                pending = [flow for flow in flows if flow["step_id"] == "door_confirm"]
                for flow in pending:
                    await hass.config_entries.flow.async_configure(flow["flow_id"], {})
                    confirmed += 1
                if not pending:
                    await added.wait()
    finally:
        unsubscribe()


def add_entries(hass: HomeAssistant, entries: Iterable[MockConfigEntry]) -> list[ConfigEntry]:
    """Add entries without setting them up."""
    added: list[ConfigEntry] = []
    for entry in entries:
        entry.add_to_hass(hass)
        added.append(entry)
    return added


def entry_entity_ids(hass: HomeAssistant, entries: list[ConfigEntry]) -> list[str] | None:
    """The enabled entities of entries; None until every entry is loaded."""
    if any(entry.state is not ConfigEntryState.LOADED for entry in entries):
        return None
    registry = er.async_get(hass)
    return [
        entity.entity_id
        for entry in entries
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
        if entity.disabled_by is None
    ]


def mqtt_entity_ids(hass: HomeAssistant, unique_ids: dict[str, list[str]]) -> list[str] | None:
    """Entity ids of MQTT entities by platform -> unique ids; None until all exist."""
    registry = er.async_get(hass)
    found = []
    for platform, ids in unique_ids.items():
        for unique_id in ids:
            entity_id = registry.async_get_entity_id(platform, mqtt.DOMAIN, unique_id)
            if entity_id is None:
                return None
            found.append(entity_id)
    return found


def _ready(hass: HomeAssistant, entity_id: str, values: bool) -> bool:
    state = hass.states.get(entity_id)
    if state is None or state.state == STATE_UNAVAILABLE:
        return False
    if not values or state.state != STATE_UNKNOWN or entity_id.endswith(NO_VALUE_YET):
        return True
    return state.domain not in VALUE_DOMAINS


async def async_wait_ready(
    hass: HomeAssistant,
    entity_ids: Callable[[], list[str] | None],
    *,
    values: bool,
    timeout: float = TIMEOUT,  # noqa: ASYNC109 (a bound on polling)
    interval: float = 0.02,
) -> float:
    """Poll until the entities exist and are available (with values: locks and sensors
    hold a value); return the monotonic time that was first seen."""
    deadline = time.monotonic() + timeout
    ids: list[str] | None = None
    waiting: list[str] = []
    while time.monotonic() < deadline:
        if ids is None:
            ids = entity_ids()
        if ids is not None:
            waiting = [i for i in waiting or ids if not _ready(hass, i, values)]
            if not waiting:
                return time.monotonic()
        await asyncio.sleep(interval)
    raise TimeoutError(f"not ready after {timeout} s: {len(waiting)} entities, e.g. {waiting[:3]}")
