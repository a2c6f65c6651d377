"""Images: the latest stranger picture of an MQTT door."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .door.image import async_setup_image as async_setup_door_images
from .door.runtime import DoorConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DoorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the image entities of a devicehub entry."""
    # Only doors forward this platform.
    await async_setup_door_images(hass, entry, async_add_entities)
