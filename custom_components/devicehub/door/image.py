"""The latest stranger picture of a door, served by Home Assistant behind its auth."""

from typing import override

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..mqtt_door.models import DoorFeature
from .entity import DoorEntity
from .runtime import DoorConfigEntry, DoorRuntime

STRANGER_PICTURE_DESCRIPTION = ImageEntityDescription(
    key="stranger_picture", translation_key="stranger_picture"
)


async def async_setup_image(
    hass: HomeAssistant, entry: DoorConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the picture of a door that declares strangers."""
    runtime = entry.runtime_data
    if DoorFeature.STRANGER in runtime.hand_shake.features:
        async_add_entities([StrangerPicture(runtime)])


class StrangerPicture(DoorEntity, ImageEntity):
    """The last stranger picture the door sent or pointed to."""

    _follows = "picture"

    def __init__(self, runtime: DoorRuntime) -> None:
        """Show the picture kept from before a restart, if any."""
        DoorEntity.__init__(self, runtime, STRANGER_PICTURE_DESCRIPTION.key)
        ImageEntity.__init__(self, runtime.hass)
        self.entity_description = STRANGER_PICTURE_DESCRIPTION
        self._show()

    def _show(self) -> None:
        if (picture := self.coordinator.data.picture) is not None:
            self._attr_content_type = picture.content_type
            self._attr_image_last_updated = picture.updated

    @override
    def _shown_data(self) -> object:
        return self.coordinator.data.picture

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Show a new picture."""
        self._show()
        super()._handle_coordinator_update()

    @override
    async def async_image(self) -> bytes | None:
        """Return the picture's bytes."""
        picture = self.coordinator.data.picture
        return None if picture is None else picture.content
