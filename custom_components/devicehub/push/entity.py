"""Base entity of a push terminal: named by translation key, on the terminal's device."""

from typing import override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo

from ..const import DOMAIN
from ..entity import DevicehubEntity
from .const import MANUFACTURER
from .runtime import FACT_FIRMWARE, FACT_MODEL, FACT_PLATFORM, PushRuntime


def push_device_info(runtime: PushRuntime) -> DeviceInfo:
    """The device of a push terminal, with what it told about itself so far."""
    facts = runtime.facts
    return DeviceInfo(
        identifiers={(DOMAIN, runtime.serial_number)},
        serial_number=runtime.serial_number,
        manufacturer=MANUFACTURER,
        model=facts.get(FACT_MODEL) or None,
        model_id=facts.get(FACT_PLATFORM) or None,
        name=runtime.entry.title,
        sw_version=facts.get(FACT_FIRMWARE) or None,
    )


class PushEntity(DevicehubEntity):
    """An entity of one push terminal; it updates when the terminal comes, goes or reports."""

    _attr_should_poll = False

    def __init__(self, runtime: PushRuntime, key: str) -> None:
        """Identify the entity by the terminal's serial number and its own key."""
        self._runtime = runtime
        self._attr_unique_id = f"{runtime.serial_number}_{key}"
        self._attr_device_info = push_device_info(runtime)

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the terminal's state."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.async_add_listener(self._async_terminal_changed))

    @callback
    def _async_terminal_changed(self) -> None:
        self.async_write_ha_state()


class PushOnlineEntity(PushEntity):
    """An entity of what the terminal does and holds: available while the terminal polls.

    A command reaches the terminal only then, and what it reports is current only then (as a
    pull terminal's entities are available while it answers). Punches made meanwhile arrive
    as a backlog once it calls again.
    """

    @property
    @override
    def available(self) -> bool:
        """Whether the terminal's requests arrive within the poll window."""
        return self._runtime.liveness.online
