"""The baseline: Home Assistant's own MQTT platforms configured (YAML) for the same doors.

What a user would write to get, from HA's MQTT integration alone, the entities devicehub
gives a tools.mqttdoor door: a lock (state + command), a sensor per data point (the object
one as a field count with its fields as attributes, like devicehub's), the overheat alarm as
a binary sensor, the stranger and attendance events and the stranger picture; all with the
door's availability topic. YAML is a superset of JSON, so the configuration is JSON text.
"""

from __future__ import annotations

import json
from typing import Any

from tools.mqttdoor.contract import DEFAULT_DATAPOINTS, PUNCH_KINDS, DoorTopics

BASELINE_PREFIX = "mqttbench"


def unique_id(prefix: str, device_id: str, key: str) -> str:
    """The unique id the baseline gives one entity of a door."""
    return f"{prefix}_{device_id}_{key}"


def _common(topics: DoorTopics, key: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "unique_id": unique_id(topics.prefix, topics.device_id, key),
        "availability_topic": topics.availability,
        "qos": 1,
        "device": {
            "identifiers": [f"{topics.prefix}_{topics.device_id}"],
            "name": f"Door {topics.device_id}",
        },
    }


def _sensor(topics: DoorTopics, point: dict[str, Any]) -> dict[str, Any]:
    key = str(point["key"])
    sensor = _common(topics, f"datapoint_{key}", key)
    sensor["state_topic"] = topics.datapoint(key)
    if point["type"] == "number":
        sensor["unit_of_measurement"] = point.get("unit")
        sensor["device_class"] = point.get("device_class")
        sensor["value_template"] = "{{ value | float }}"
    elif point["type"] == "object":
        sensor["value_template"] = "{{ value_json | length }}"
        sensor["json_attributes_topic"] = topics.datapoint(key)
    return {k: v for k, v in sensor.items() if v is not None}


def door_entities(prefix: str, device_id: str) -> dict[str, list[dict[str, Any]]]:
    """The MQTT platform entries for one door, by platform."""
    topics = DoorTopics(prefix, device_id)
    lock = _common(topics, "lock", "Lock") | {
        "command_topic": topics.command,
        "state_topic": topics.state,
        "payload_lock": "lock",
        "payload_unlock": "unlock",
        "payload_open": "open",
        "state_locked": "locked",
        "state_unlocked": "unlocked",
        "state_locking": "locking",
        "state_unlocking": "unlocking",
        "state_jammed": "jammed",
        "state_open": "open",
        "state_opening": "opening",
    }
    alarm = _common(topics, "alarm_overheat", "Overheat") | {
        "state_topic": topics.datapoint("temperature"),
        "device_class": "problem",
        "value_template": "{{ 'ON' if value | float(0) > 50 else 'OFF' }}",
    }
    stranger = _common(topics, "stranger", "Stranger") | {
        "state_topic": topics.stranger,
        "event_types": ["stranger"],
        "value_template": '{"event_type": "stranger"}',
    }
    attendance = _common(topics, "attendance", "Attendance") | {
        "state_topic": topics.attendance,
        "event_types": list(PUNCH_KINDS),
        "value_template": '{"event_type": "{{ value_json.punch }}"}',
    }
    picture = _common(topics, "stranger_picture", "Stranger picture") | {
        "image_topic": topics.stranger_image,
        "content_type": "image/jpeg",
    }
    return {
        "lock": [lock],
        "sensor": [_sensor(topics, point) for point in DEFAULT_DATAPOINTS],
        "binary_sensor": [alarm],
        "event": [stranger, attendance],
        "image": [picture],
    }


def mqtt_configuration(prefix: str, device_ids: list[str]) -> str:
    """configuration.yaml text with the MQTT entities of every door."""
    platforms: dict[str, list[dict[str, Any]]] = {}
    for device_id in device_ids:
        for platform, entities in door_entities(prefix, device_id).items():
            platforms.setdefault(platform, []).extend(entities)
    return json.dumps({"mqtt": platforms}, indent=1) + "\n"


def load_unique_ids(prefix: str, device_id: str) -> list[str]:
    """Unique ids of the entities a state or data point update changes (lock, sensors)."""
    keys = ["lock", *(f"datapoint_{point['key']}" for point in DEFAULT_DATAPOINTS)]
    return [unique_id(prefix, device_id, key) for key in keys]
