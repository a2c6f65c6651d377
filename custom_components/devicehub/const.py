"""Constants shared by every part of devicehub."""

from enum import StrEnum
from typing import Final

DOMAIN: Final = "devicehub"

CONF_KIND: Final = "kind"

EVENT_DEVICE_REGISTERED: Final = "devicehub_device_registered"
EVENT_DEVICE_UNREGISTERED: Final = "devicehub_device_unregistered"


class DeviceKind(StrEnum):
    """The device family a config entry belongs to."""

    TERMINAL = "terminal"
    MQTT_DOOR = "mqtt_door"
    PUSH_TERMINAL = "push_terminal"
