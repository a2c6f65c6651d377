"""Punches at a push terminal, as an event entity: the same events as pull terminals."""

from typing import override

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_current_platform,
)

from ..access.event import access_events
from ..shared.event import PunchEventEntity
from .entity import PushOnlineEntity
from .runtime import PushConfigEntry, PushRuntime


async def async_setup_event(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the punch event entity of a push terminal, and its access events once it shows
    it is an access model (awaited, so the door log that shows it is not missed)."""
    runtime = entry.runtime_data
    async_add_entities([PushPunchEvent(runtime)])
    platform = async_get_current_platform()

    async def _async_add_access_events() -> None:
        await platform.async_add_entities(access_events(runtime.access))

    await runtime.async_add_access_entities(_async_add_access_events)


class PushPunchEvent(PushOnlineEntity, PunchEventEntity[PushRuntime]):
    """The punch event of one push terminal; late for backlog uploads."""

    def __init__(self, runtime: PushRuntime) -> None:
        """The punch event of one push terminal."""
        super().__init__(runtime, "punch")

    @override
    async def async_added_to_hass(self) -> None:
        """Receive every delivered punch."""
        await super().async_added_to_hass()
        self.async_on_remove(self._runtime.punches.async_add_listener(self._async_fire_punch))
