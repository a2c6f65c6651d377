"""Made-up activity for the CLI and benchmarks: strangers, punches, data point values."""

from collections.abc import Callable
import itertools
import random
from typing import TYPE_CHECKING, Any

from .contract import PUNCH_KINDS
from .images import make_picture

if TYPE_CHECKING:
    from .door import SimulatedDoor

_USERS = (("1", "Ada Lovelace"), ("2", "Alan Turing"), ("3", "Grace Hopper"), ("4", "Linus"))


def random_datapoint_value(declaration: dict[str, Any]) -> object:
    """A plausible value for a declared data point."""
    match declaration.get("type"):
        case "number":
            low = float(declaration.get("min", 15))
            high = float(declaration.get("max", 30))
            return round(random.uniform(low, (low + high) / 2), 1)
        case "string":
            return random.choice(("auto", "manual", "away"))
        case "bytes":
            return random.randbytes(8)
        case _:
            return {"level": random.randint(5, 100), "voltage": round(random.uniform(3.3, 4.2), 2)}


def periodic_jobs(door: SimulatedDoor) -> list[tuple[float, Callable[[], object]]]:
    """(interval, job) pairs for the door's configured periodic publishing."""
    config = door.config
    pictures = itertools.count()
    jobs: list[tuple[float, Callable[[], object]]] = []

    def stranger() -> None:
        door.publish_stranger(make_picture(config.image_format, seed=next(pictures)))

    def punch() -> None:
        user_id, name = random.choice(_USERS)
        door.publish_punch(user_id, name, random.choice(PUNCH_KINDS))

    def datapoints() -> None:
        for declaration in config.datapoints:
            door.publish_datapoint(declaration["key"], random_datapoint_value(declaration))

    if config.heartbeat:
        jobs.append((float(config.heartbeat), door.publish_heartbeat))
    if config.stranger_every and "stranger" in config.features:
        jobs.append((config.stranger_every, stranger))
    if config.punch_every and "attendance" in config.features:
        jobs.append((config.punch_every, punch))
    if config.datapoint_every and config.datapoints:
        jobs.append((config.datapoint_every, datapoints))
    return jobs
