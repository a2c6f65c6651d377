"""Reads the devices.json of the old multi-device server into terminal connection data."""

from dataclasses import dataclass
import json
from typing import Any

from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_TIMEOUT

from ..schema import vol
from .const import DEFAULT_PASSWORD, DEFAULT_PORT, DEFAULT_TIMEOUT, MAX_COMM_KEY


class LegacyImportError(ValueError):
    """The pasted text is not a devices.json the old server could have written."""


# One device of the old server: {id, name, ip, port, password, timeout}.
_DEVICE_SCHEMA = vol.Schema(
    {
        vol.Optional("id"): vol.Any(str, int),
        vol.Optional("name"): vol.Any(str, None),
        vol.Required("ip"): vol.All(str, vol.Length(min=1)),
        vol.Optional("port", default=DEFAULT_PORT): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=65535)
        ),
        vol.Optional("password", default=DEFAULT_PASSWORD): vol.All(
            vol.Coerce(int), vol.Range(min=0, max=MAX_COMM_KEY)
        ),
        vol.Optional("timeout", default=DEFAULT_TIMEOUT): vol.All(
            vol.Coerce(float), vol.Range(min=1, max=60)
        ),
    },
    extra=vol.REMOVE_EXTRA,
)


@dataclass(frozen=True, slots=True)
class LegacyTerminal:
    """A terminal as the old server knew it."""

    name: str
    host: str
    port: int
    password: int
    timeout: float

    def as_import_data(self) -> dict[str, Any]:
        """The data an import flow takes."""
        return {
            CONF_NAME: self.name,
            CONF_HOST: self.host,
            CONF_PORT: self.port,
            CONF_PASSWORD: self.password,
            CONF_TIMEOUT: self.timeout,
        }


def parse_devices_json(text: str) -> list[LegacyTerminal]:
    """Parse devices.json: a list of devices, or an object of devices keyed by id.

    Errors never quote the input: it holds passwords.
    """
    try:
        document = json.loads(text)
    except ValueError as err:
        raise LegacyImportError("not JSON") from err
    if isinstance(document, dict):
        if "ip" in document:
            document = [document]
        elif isinstance(document.get("devices"), list):
            document = document["devices"]
        else:
            document = [
                {"id": key, **value} if isinstance(value, dict) else value
                for key, value in document.items()
            ]
    if not isinstance(document, list) or not document:
        raise LegacyImportError("no devices")
    terminals = []
    for position, raw in enumerate(document, start=1):
        try:
            device = _DEVICE_SCHEMA(raw)
        except vol.Invalid as err:
            raise LegacyImportError(f"device {position} is not valid") from err
        terminals.append(
            LegacyTerminal(
                name=device.get("name") or str(device.get("id") or device["ip"]),
                host=device["ip"],
                port=device["port"],
                password=device["password"],
                timeout=device["timeout"],
            )
        )
    return terminals
