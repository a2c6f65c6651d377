"""What a process reading the files after a kill would find of a journaled Store."""

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.devicehub.journal import read_journal


def journal_file(hass: HomeAssistant, name: str) -> Path:
    """A journal of the test's Home Assistant, by name (`door_journal.<entry id>`)."""
    return Path(hass.config.path(".storage", f"devicehub.{name}"))


def journaled_since_save(hass: HomeAssistant, name: str, stored: dict[str, Any]) -> list[str]:
    """The journal's entries the Store's data does not hold yet, oldest first.

    Reads the file: meant for the instant of an announcement, in a listener.
    """
    saved = stored.get("journal_seq", 0)
    return [
        payload.decode() for seq, payload in read_journal(journal_file(hass, name)) if seq > saved
    ]


def durable(hass: HomeAssistant, name: str, stored: dict[str, Any], field: str) -> list[str]:
    """What survives a kill now: the Store's `field` (a list of keys or ids), then the
    journal's entries past its last save.
    """
    return [*stored.get(field, []), *journaled_since_save(hass, name, stored)]
