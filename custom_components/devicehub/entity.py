"""Base entity shared by terminals and MQTT doors."""

from homeassistant.helpers.entity import Entity


class DevicehubEntity(Entity):
    """An entity named by its translation key, on its device."""

    _attr_has_entity_name = True
