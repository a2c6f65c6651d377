"""Made-up activity for the CLI and benchmarks: strangers, punches, data point values.

The door schedules these jobs; they publish through the callables it hands them.
"""

from collections.abc import Callable
import itertools
import random
from typing import Any

from .config import DoorConfig
from .contract import PUNCH_KINDS
from .images import make_picture

_USERS = (("1", "Ada Lovelace"), ("2", "Alan Turing"), ("3", "Grace Hopper"), ("4", "Linus"))

type Job = Callable[[], object]


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


def periodic_jobs(
    config: DoorConfig,
    *,
    heartbeat: Job,
    stranger: Callable[[bytes], object],
    punch: Callable[[str, str, str], object],
    datapoint: Callable[[str, object], object],
    access: Job | None = None,
) -> list[tuple[float, Job]]:
    """(interval, job) pairs for the configured periodic publishing, through the callables."""
    pictures = itertools.count()
    jobs: list[tuple[float, Job]] = []

    def a_stranger() -> None:
        stranger(make_picture(config.image_format, seed=next(pictures)))

    def a_punch() -> None:
        user_id, name = random.choice(_USERS)
        punch(user_id, name, random.choice(PUNCH_KINDS))

    def datapoint_values() -> None:
        for declaration in config.datapoints:
            datapoint(declaration["key"], random_datapoint_value(declaration))

    if config.heartbeat:
        jobs.append((float(config.heartbeat), heartbeat))
    if config.stranger_every and "stranger" in config.features:
        jobs.append((config.stranger_every, a_stranger))
    if config.punch_every and "attendance" in config.features:
        jobs.append((config.punch_every, a_punch))
    if config.datapoint_every and config.datapoints:
        jobs.append((config.datapoint_every, datapoint_values))
    if config.access_every and access is not None:
        jobs.append((config.access_every, access))
    return jobs
