"""What each device family (terminals, MQTT doors) gives the shared integration code."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

type PlatformSetup = Callable[[HomeAssistant, Any, AddConfigEntryEntitiesCallback], Awaitable[None]]


async def _allow_device_removal(hass: HomeAssistant, entry: Any, device: dr.DeviceEntry) -> bool:
    """Let the user remove a device unless a family says otherwise."""
    return True


async def _nothing_to_remove(hass: HomeAssistant, entry: Any) -> None:
    """A family that keeps nothing outside its entry has nothing to delete."""


@dataclass(frozen=True, slots=True)
class DeviceFamily:
    """The hooks a device family plugs into setup, platforms and diagnostics."""

    # Platform -> coroutine adding that platform's entities for one entry.
    platforms: Mapping[Platform, PlatformSetup]
    # Connects, sets entry.runtime_data; raises ConfigEntryNotReady/ConfigEntryAuthFailed.
    async_setup_entry: Callable[[HomeAssistant, Any], Awaitable[None]]
    # Releases what setup took, after the platforms unloaded.
    async_unload_entry: Callable[[HomeAssistant, Any], Awaitable[None]]
    async_get_diagnostics: Callable[[HomeAssistant, Any], Awaitable[dict[str, Any]]]
    async_remove_device: Callable[[HomeAssistant, Any, dr.DeviceEntry], Awaitable[bool]] = (
        _allow_device_removal
    )
    # Deletes what the entry kept in storage, once the user removed the entry.
    async_remove_entry: Callable[[HomeAssistant, Any], Awaitable[None]] = _nothing_to_remove
