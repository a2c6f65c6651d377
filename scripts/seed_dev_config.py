"""Prepares a new development configuration: an MQTT entry for the local broker.

With it, simulated doors are discovered without any clicks. An existing storage
file is left alone, so the user's changes survive a second run.
"""

from datetime import UTC, datetime
import json
from pathlib import Path
import sys
import uuid


def _mqtt_entry(port: int) -> dict[str, object]:
    now = datetime.now(UTC).isoformat()
    return {
        "created_at": now,
        "data": {"broker": "127.0.0.1", "port": port},
        "discovery_keys": {},
        "disabled_by": None,
        "domain": "mqtt",
        "entry_id": uuid.uuid4().hex,
        "minor_version": 1,
        "modified_at": now,
        "options": {},
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": "127.0.0.1",
        "unique_id": None,
        "version": 2,
    }


def main(config_dir: Path, mqtt_port: int) -> None:
    """Write the MQTT entry if HA has no config entries yet, and the UI's YAML files."""
    for ui_file in ("automations.yaml", "scripts.yaml"):
        if not (config_dir / ui_file).exists():
            (config_dir / ui_file).write_text("[]\n" if ui_file == "automations.yaml" else "{}\n")
    entries = config_dir / ".storage" / "core.config_entries"
    if not entries.exists():
        entries.parent.mkdir(parents=True, exist_ok=True)
        storage = {
            "version": 1,
            "minor_version": 5,
            "key": "core.config_entries",
            "data": {"entries": [_mqtt_entry(mqtt_port)]},
        }
        entries.write_text(json.dumps(storage, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
