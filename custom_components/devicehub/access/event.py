"""Access attempts and the exit button of a terminal, as event entities.

The access entity has the MQTT doors' key, event types and data; a family that only hears
of refusals (terminals Home Assistant calls) offers the `denied` type alone.
"""

from typing import Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import AccessEntity
from .feed import EVENT_ACCESS, EVENT_EXIT_BUTTON, EVENT_TYPE_PRESSED, AccessFeed


def async_setup_access_events(
    feed: AccessFeed, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the access event and, if the terminal reports it, the exit button event."""
    async_add_entities(access_events(feed))


def access_events(feed: AccessFeed) -> list[AccessEvent]:
    """The access event and, if the terminal reports it, the exit button event."""
    entities: list[AccessEvent] = [
        AccessEvent(
            feed,
            EventEntityDescription(
                key=EVENT_ACCESS,
                translation_key=EVENT_ACCESS,
                event_types=[result.value for result in feed.capabilities.access_results],
            ),
        )
    ]
    if feed.capabilities.exit_button:
        entities.append(
            AccessEvent(
                feed,
                EventEntityDescription(
                    key=EVENT_EXIT_BUTTON,
                    translation_key=EVENT_EXIT_BUTTON,
                    event_types=[EVENT_TYPE_PRESSED],
                ),
            )
        )
    return entities


class AccessEvent(AccessEntity, EventEntity):
    """Fires each event the feed reports for this entity's key."""

    def __init__(self, feed: AccessFeed, description: EventEntityDescription) -> None:
        """Describe the event entity."""
        self.entity_description = description
        super().__init__(feed, description.key)

    @override
    async def async_added_to_hass(self) -> None:
        """Listen for this entity's events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._feed.async_add_event_listener(self.entity_description.key, self._async_fired)
        )

    @callback
    def _async_fired(self, event_type: str, data: dict[str, Any]) -> None:
        self._trigger_event(event_type, data)
        self.async_write_ha_state()
