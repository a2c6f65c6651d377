"""Punches at a terminal, as an event entity: one event per punch, exactly once."""

from typing import override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..punch import Punch
from ..shared.event import PunchEventEntity
from .entity import TerminalPunchEntity
from .runtime import TerminalConfigEntry, TerminalRuntime


async def async_setup_event(
    hass: HomeAssistant,
    entry: TerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the punch event entity of a terminal."""
    async_add_entities([TerminalPunchEvent(entry.runtime_data)])


class TerminalPunchEvent(TerminalPunchEntity, PunchEventEntity[TerminalRuntime]):
    """The punch event of one terminal, naming the linked person."""

    def __init__(self, runtime: TerminalRuntime) -> None:
        """The punch event of one terminal."""
        super().__init__(runtime, "punch")

    @callback
    @override
    def _async_punched(self, punch: Punch) -> None:
        self._async_fire_punch(punch)

    @override
    def _person_of(self, user_id: str) -> str | None:
        link = self._runtime.settings.people.get(user_id)
        return None if link is None else link.person
