"""Constants of the MQTT door family."""

from typing import Final

# Config entry data.
CONF_DEVICE_ID: Final = "device_id"
CONF_PREFIX: Final = "prefix"
CONF_HAND_SHAKE: Final = "hand_shake"  # the last accepted declaration, in contract form
CONF_REGISTERED: Final = "registered"  # False after an empty hand_shake

# Manual step fields.
CONF_NAME: Final = "name"
CONF_FEATURES: Final = "features"

# Options.
CONF_UNLOCK_CODE: Final = "unlock_code"
CONF_COMMAND_TIMEOUT: Final = "command_timeout"
# Local hosts and networks stranger pictures may be fetched from (public ones always may).
CONF_PICTURE_HOSTS: Final = "picture_hosts"
DEFAULT_COMMAND_TIMEOUT: Final = 10
MAX_COMMAND_TIMEOUT: Final = 120

# The model id of every door's device: what action pickers filter doors by (a terminal's
# is its platform). Doors declare their model, not a model id.
DOOR_MODEL_ID: Final = "mqtt_door"

# A door with a heartbeat is unavailable after twice its period plus this grace.
HEARTBEAT_GRACE: Final = 5

# Fetching a stranger picture from the door's picture_url.
PICTURE_FETCH_TIMEOUT: Final = 10

# `devicehub.call`
SERVICE_CALL: Final = "call"
ATTR_COMMAND: Final = "command"
ATTR_ARGS: Final = "args"
ATTR_TIMEOUT: Final = "timeout"
DEFAULT_CALL_TIMEOUT: Final = 10
MAX_CALL_TIMEOUT: Final = 300

# Repair issue raised when a door unregisters (empty retained hand_shake).
ISSUE_UNREGISTERED: Final = "door_unregistered"

# Stranger event entity.
EVENT_TYPE_STRANGER: Final = "stranger"
ATTR_PICTURE_URL: Final = "picture_url"
ATTR_TS: Final = "ts"
ATTR_EVENT_ID: Final = "event_id"

# Registration bus events.
ATTR_ENTRY_ID: Final = "entry_id"
ATTR_DOOR_ID: Final = "door_id"
