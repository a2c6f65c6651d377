"""The latest stranger picture of a door, served by Home Assistant behind its auth."""

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..mqtt_door.models import DoorFeature
from .entity import DoorEntity
from .pictures import Picture
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

    def __init__(self, runtime: DoorRuntime) -> None:
        """Show the picture kept from before a restart, if any."""
        DoorEntity.__init__(self, runtime, STRANGER_PICTURE_DESCRIPTION.key)
        ImageEntity.__init__(self, runtime.hass)
        self.entity_description = STRANGER_PICTURE_DESCRIPTION
        self._show(runtime.pictures.latest)

    def _show(self, picture: Picture | None) -> None:
        if picture is not None:
            self._attr_content_type = picture.content_type
            self._attr_image_last_updated = picture.updated

    async def async_added_to_hass(self) -> None:
        """Follow new pictures."""
        await super().async_added_to_hass()
        self.async_on_remove(self.runtime.pictures.updates.add(self._async_new_picture))

    @callback
    def _async_new_picture(self, picture: Picture) -> None:
        self._show(picture)
        self.async_write_ha_state()

    async def async_image(self) -> bytes | None:
        """Return the picture's bytes."""
        picture = self.runtime.pictures.latest
        return None if picture is None else picture.content
