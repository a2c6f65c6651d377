"""Punches at a push terminal, as an event entity: the same events as pull terminals."""

from typing import override

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..shared.event import PunchEventEntity
from .entity import PushOnlineEntity
from .runtime import PushConfigEntry, PushRuntime


async def async_setup_event(
    hass: HomeAssistant,
    entry: PushConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the punch event entity of a push terminal."""
    async_add_entities([PushPunchEvent(entry.runtime_data)])


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
