"""The crash soak's configuration: Home Assistant's files, written before its first start.

configuration.yaml (HTTP on a loopback port of its own, the punch recorder, logging) and
the config entries: MQTT, and devicehub's three families, a terminal (tools.zksim), an MQTT
door (tools.mqttdoor) and a push terminal (tools.admssim), each named so its punch event
entity is known in advance.
"""

from dataclasses import dataclass
import json
from pathlib import Path

from scripts.seed_dev_config import config_entry
from tools.mqttdoor import DoorConfig
from tools.mqttdoor.broker import HOST, free_port
from tools.zksim import TerminalSimulator

REPO = Path(__file__).resolve().parents[2]
RECORDER = Path(__file__).resolve().parent / "punch_recorder"
TERMINAL_TITLE = "Soak terminal"
TERMINAL_ENTITY = "event.soak_terminal"  # its punch event entity
DOOR_ID = "soak_door"
PUSH_TITLE = "Soak push"
PUSH_ENTITY = "event.soak_push"  # its punch event entity
PUSH_SERIAL = "SOAK0PUSH0001"
# The push terminal's poll delay (the entry's option; 2 s is the least it takes): after the
# last punch it sends what is still unanswered at least this often.
PUSH_DELAY = 2
# The recorder's lines by family: the punch entity ids they start with (the door: the rest).
ENTITY_STARTS = {"terminal": TERMINAL_ENTITY, "push": PUSH_ENTITY}


@dataclass(frozen=True)
class SoakConfig:
    """What write_config set up: the entry ids (their Stores are named after them) and the
    port of Home Assistant's HTTP server (the push terminal calls it)."""

    terminal_entry: str
    door_entry: str
    push_entry: str
    http_port: int


def write_config(config_dir: Path, *, terminal: TerminalSimulator, mqtt_port: int) -> SoakConfig:
    """A configuration with the terminal, the door, the push terminal, MQTT and the punch
    recorder.
    """
    http_port = free_port()
    components = config_dir / "custom_components"
    components.mkdir(parents=True)
    (components / "devicehub").symlink_to(
        REPO / "custom_components" / "devicehub", target_is_directory=True
    )
    (components / "punch_recorder").symlink_to(RECORDER, target_is_directory=True)
    (config_dir / "configuration.yaml").write_text(
        "homeassistant:\n"
        "  name: soak\n  time_zone: UTC\n  unit_system: metric\n  country: GB\n"
        # devicehub depends on http: on loopback, on a port of its own (soaks may run side
        # by side on one machine).
        f"http:\n  server_host: {HOST}\n  server_port: {http_port}\n"
        "punch_recorder:\n"
        "logger:\n  default: warning\n  logs:\n    homeassistant.bootstrap: info\n"
        "    custom_components.devicehub: info\n",
        encoding="utf-8",
    )
    door = DoorConfig(DOOR_ID).hand_shake()
    terminal_entry = config_entry(
        "devicehub",
        {"kind": "terminal", "host": "127.0.0.1", "port": terminal.port, "password": 0},
        title=TERMINAL_TITLE,
        unique_id=terminal.config.serial_number(),
        options={"unlock_seconds": 1},
    )
    door_entry = config_entry(
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
    )
    # Added now: its punches from now on are news (HISTORY_MARGIN before is history).
    push_entry = config_entry(
        "devicehub",
        {"kind": "push_terminal", "serial_number": PUSH_SERIAL, "time_zone": "UTC"},
        title=PUSH_TITLE,
        unique_id=PUSH_SERIAL,
        options={"delay": PUSH_DELAY},
    )
    entries = [
        config_entry("mqtt", {"broker": "127.0.0.1", "port": mqtt_port}, version=2, title="MQTT"),
        terminal_entry,
        door_entry,
        push_entry,
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
    return SoakConfig(
        str(terminal_entry["entry_id"]),
        str(door_entry["entry_id"]),
        str(push_entry["entry_id"]),
        http_port,
    )
