"""Many simulated doors at once, for benchmarks and the CLI."""

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
import time
from typing import Any

from .config import DoorConfig
from .contract import DEFAULT_PREFIX
from .door import SimulatedDoor
from .scheduler import Scheduler


class DoorFleet:
    """N doors, each with its own paho client and last will, sharing one scheduler thread.

    One client per door is what real doors do (each has its own LWT); a shared client could
    not say which door died. On 2 cores, 200 clients cost 200 mostly idle network threads.
    """

    def __init__(self, configs: Iterable[DoorConfig]) -> None:
        self.scheduler = Scheduler("mqttdoor-fleet")
        self.doors = [SimulatedDoor(config, self.scheduler) for config in configs]
        self._by_id = {door.config.device_id: door for door in self.doors}

    @classmethod
    def numbered(
        cls,
        count: int,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        prefix: str = DEFAULT_PREFIX,
        id_format: str = "door{:03d}",
        **overrides: Any,
    ) -> DoorFleet:
        """`count` doors with ids id_format.format(1..count) and the same settings."""
        return cls(
            DoorConfig(id_format.format(number), host=host, port=port, prefix=prefix, **overrides)
            for number in range(1, count + 1)
        )

    def start(self, timeout: float = 30.0) -> None:
        """Connect every door at once; raise TimeoutError naming those that did not make it."""
        self.scheduler.start()
        for door in self.doors:
            door.begin_start()
        deadline = time.monotonic() + timeout
        late = [
            door.config.device_id
            for door in self.doors
            if not door.wait_started(max(0.0, deadline - time.monotonic()))
        ]
        if late:
            self.stop(clean=False)
            msg = f"{len(late)} doors not connected within {timeout} s: {late[:5]}..."
            raise TimeoutError(msg)

    def stop(self, clean: bool = True) -> None:
        """Stop every door (in parallel: each clean stop waits for a broker acknowledgement)."""
        with ThreadPoolExecutor(max_workers=16, thread_name_prefix="mqttdoor-stop") as pool:
            list(pool.map(lambda door: door.stop(clean=clean), self.doors))
        self.scheduler.stop()

    def flush(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        return all(door.flush(max(0.0, deadline - time.monotonic())) for door in self.doors)

    def __enter__(self) -> DoorFleet:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __len__(self) -> int:
        return len(self.doors)

    def __iter__(self) -> Iterator[SimulatedDoor]:
        return iter(self.doors)

    def __getitem__(self, device_id: str) -> SimulatedDoor:
        return self._by_id[device_id]
