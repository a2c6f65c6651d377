"""A simulated MQTT door following the devicehub contract (paho-mqtt, no Home Assistant)."""

from .broker import MosquittoBroker, find_mosquitto
from .calls import CallError, CallHandler
from .config import DoorConfig, DoorMode
from .contract import DEFAULT_PREFIX, DoorCommand, DoorTopics, LockState, is_valid_device_id
from .door import SimulatedDoor, encode_datapoint
from .fleet import DoorFleet
from .images import make_jpeg, make_picture, make_png
from .scheduler import Scheduler

__all__ = [
    "DEFAULT_PREFIX",
    "CallError",
    "CallHandler",
    "DoorCommand",
    "DoorConfig",
    "DoorFleet",
    "DoorMode",
    "DoorTopics",
    "LockState",
    "MosquittoBroker",
    "Scheduler",
    "SimulatedDoor",
    "encode_datapoint",
    "find_mosquitto",
    "is_valid_device_id",
    "make_jpeg",
    "make_picture",
    "make_png",
]
