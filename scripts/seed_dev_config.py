"""Prepares a new development configuration for Home Assistant.

- HTTP on loopback only, stored as already confirmed. Since 2026.10 an `http:` block in
  YAML is only a trial that reverts to every interface unless confirmed in the UI within
  five minutes, so the development server would end up listening on all interfaces.
- An MQTT entry for the local broker, so simulated doors are discovered without clicks
  (none when the port is given as "none": a test then adds MQTT through its config flow).
- The UI's empty automations.yaml and scripts.yaml.

Existing files are left alone, so the user's changes survive a second run.
"""

from datetime import UTC, datetime
import json
from pathlib import Path
import sys
from typing import Any
import uuid

from homeassistant.components.http.config import (
    HTTP_STORAGE_SCHEMA,
    STORAGE_KEY as HTTP_STORAGE_KEY,
    STORAGE_MINOR_VERSION as HTTP_STORAGE_MINOR_VERSION,
    STORAGE_VERSION as HTTP_STORAGE_VERSION,
)

LOOPBACK = "127.0.0.1"


def _http_settings(port: int) -> dict[str, Any]:
    """Loopback only, stored as the confirmed ("stable") settings so they are used as is."""
    stable = dict(HTTP_STORAGE_SCHEMA({"server_host": [LOOPBACK], "server_port": port}))
    stable.update(created_at=datetime.now(UTC).isoformat(), error=None, error_message=None)
    return {
        "version": HTTP_STORAGE_VERSION,
        "minor_version": HTTP_STORAGE_MINOR_VERSION,
        "key": HTTP_STORAGE_KEY,
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }


def config_entry(domain: str, data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A config entry record as core.config_entries stores it; fields override the defaults
    (title, version, options, unique_id, ...). Also used by the crash soak's configuration.
    """
    now = datetime.now(UTC).isoformat()
    return {
        "created_at": now,
        "data": data,
        "discovery_keys": {},
        "disabled_by": None,
        "domain": domain,
        "entry_id": uuid.uuid4().hex,
        "minor_version": 1,
        "modified_at": now,
        "options": {},
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": domain,
        "unique_id": None,
        "version": 1,
    } | fields


def _mqtt_entry(port: int) -> dict[str, Any]:
    return config_entry("mqtt", {"broker": LOOPBACK, "port": port}, title=LOOPBACK, version=2)


def _write_once(path: Path, content: str) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def main(config_dir: Path, mqtt_port: int | None, http_port: int) -> None:
    """Write whatever of the development configuration is missing."""
    _write_once(config_dir / "automations.yaml", "[]\n")
    _write_once(config_dir / "scripts.yaml", "{}\n")
    storage = config_dir / ".storage"
    _write_once(storage / HTTP_STORAGE_KEY, json.dumps(_http_settings(http_port), indent=2))
    entries = {
        "version": 1,
        "minor_version": 5,
        "key": "core.config_entries",
        "data": {"entries": [] if mqtt_port is None else [_mqtt_entry(mqtt_port)]},
    }
    _write_once(storage / "core.config_entries", json.dumps(entries, indent=2))


if __name__ == "__main__":
    mqtt = None if sys.argv[2] == "none" else int(sys.argv[2])
    main(Path(sys.argv[1]), mqtt, int(sys.argv[3]) if len(sys.argv) > 3 else 8123)
