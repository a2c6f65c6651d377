"""A door's registration as the rest of Home Assistant sees it: bus events and a repair."""

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from ..const import (
    DOMAIN,
    EVENT_DEVICE_REGISTERED,
    EVENT_DEVICE_UNREGISTERED,
    DeviceKind,
)
from .const import ATTR_DOOR_ID, ATTR_ENTRY_ID, ISSUE_UNREGISTERED


def issue_id(entry_id: str) -> str:
    """Return the id of the repair issue of an unregistered door."""
    return f"{ISSUE_UNREGISTERED}_{entry_id}"


class DoorRegistration:
    """Fires devicehub_device_(un)registered and raises/clears the repair issue."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, door_id: str) -> None:
        """Remember which door and entry the events speak of."""
        self._hass = hass
        self._entry = entry
        self._door_id = door_id

    def _event_data(self) -> dict[str, str | None]:
        device = dr.async_get(self._hass).async_get_device_by_identifier(
            (DOMAIN, self._door_id), self._entry.entry_id
        )
        return {
            "device_id": device.id if device else None,
            ATTR_ENTRY_ID: self._entry.entry_id,
            ATTR_DOOR_ID: self._door_id,
            "kind": DeviceKind.MQTT_DOOR.value,
        }

    @callback
    def async_fire_registered(self, name: str) -> None:
        """Tell the bus the door registered (hand_shake)."""
        self._hass.bus.async_fire(EVENT_DEVICE_REGISTERED, {**self._event_data(), "name": name})

    @callback
    def async_fire_unregistered(self, name: str) -> None:
        """Tell the bus the door unregistered (empty hand_shake)."""
        self._hass.bus.async_fire(EVENT_DEVICE_UNREGISTERED, {**self._event_data(), "name": name})

    @callback
    def async_raise_issue(self, name: str) -> None:
        """Ask the user whether to remove the door, which unregistered itself."""
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(self._entry.entry_id),
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_UNREGISTERED,
            translation_placeholders={"name": name, "door_id": self._door_id},
            data={ATTR_ENTRY_ID: self._entry.entry_id},
        )

    @callback
    def async_clear_issue(self) -> None:
        """The door registered again: nothing to repair."""
        ir.async_delete_issue(self._hass, DOMAIN, issue_id(self._entry.entry_id))
