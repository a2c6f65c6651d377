"""A real `hass` process with devicehub entries already configured, for shutdown runs.

Shared by tests/shutdown and bench/shutdown.py. The entries are written into the
configuration as the config flow leaves them (terminal, MQTT door), so Home Assistant sets
them up while it starts; no onboarding is needed.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
import sys
from typing import Any

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.door.const import (
    CONF_DEVICE_ID,
    CONF_HAND_SHAKE,
    CONF_PREFIX,
    CONF_REGISTERED,
)
from custom_components.devicehub.terminal.const import CONF_UNLOCK_SECONDS
from tests.browser.homeassistant import (
    HOST,
    HomeAssistantProcess,
    add_config_entries,
    write_config,
)
from tools.mqttdoor import DoorConfig
from tools.mqttdoor.broker import free_port

START_TIMEOUT = 100.0  # the first start in a new venv installs HA's own requirements
# What runs once a terminal is loaded: its live capture. Waiting for it means every
# thread and connection of the entry is open when Home Assistant is stopped.
LIVE_CONNECTED = "Live capture of {title} connected: True"
NON_DAEMONIC = "non-daemonic threads"
# Home Assistant handles SIGTERM only once running: the core logs each event it fires at
# debug level, and binds its signal handlers right after firing this one.
RUNNING = "Bus:Handling <Event homeassistant_started"
ENTRY_VERSION = {"version": 1, "minor_version": 1}  # devicehub's config flow's

CONFIGURATION_YAML = """\
# Written by tests/shutdown: only what devicehub and MQTT need.
homeassistant:
  name: devicehub
  time_zone: UTC
  country: GB
logger:
  default: warning
  logs:
    homeassistant.bootstrap: info
    homeassistant.core: debug
    custom_components.devicehub: debug
"""


def terminal_entry(title: str, serial: str, port: int) -> dict[str, Any]:
    """A terminal entry as the config flow makes it, for a zksim on 127.0.0.1:port."""
    return {
        **ENTRY_VERSION,
        "domain": DOMAIN,
        "title": title,
        "unique_id": serial,
        "data": {
            CONF_KIND: DeviceKind.TERMINAL.value,
            "host": HOST,
            "port": port,
            "password": 0,
            "timeout": 5,
        },
        "options": {CONF_UNLOCK_SECONDS: 1},
    }


def door_entry(door: DoorConfig) -> dict[str, Any]:
    """A door entry as discovery and a confirmed flow leave it."""
    declared = door.hand_shake()
    return {
        **ENTRY_VERSION,
        "domain": DOMAIN,
        "title": declared["name"],
        "unique_id": f"{door.prefix}/{door.device_id}",
        "data": {
            CONF_KIND: DeviceKind.MQTT_DOOR.value,
            CONF_PREFIX: door.prefix,
            CONF_DEVICE_ID: door.device_id,
            CONF_HAND_SHAKE: declared,
            CONF_REGISTERED: True,
        },
    }


@contextmanager
def hass_with_entries(
    config_dir: Path, mqtt_port: int, entries: Sequence[dict[str, Any]]
) -> Iterator[HomeAssistantProcess]:
    """Home Assistant started with these devicehub entries (and MQTT); killed on exit."""
    http_port = free_port()
    write_config(
        config_dir, http_port=http_port, mqtt_port=mqtt_port, configuration_yaml=CONFIGURATION_YAML
    )
    add_config_entries(config_dir, entries)
    hass = HomeAssistantProcess(config_dir, http_port, python=sys.executable)
    hass.start()
    try:
        hass.wait_started(START_TIMEOUT)
        hass.wait_for_line(RUNNING, START_TIMEOUT)
        hass.wait_handles_sigterm(START_TIMEOUT)
        yield hass
    finally:
        hass.stop()
