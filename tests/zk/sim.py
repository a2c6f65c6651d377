"""A simulated terminal on loopback for these tests, built from tools.zksim's pieces."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
import random
from typing import Any

from custom_components.devicehub.zk import TerminalConfig
from tools.zksim.config import SimulatorConfig
from tools.zksim.datagen import generate_attendance, generate_users
from tools.zksim.device import Device
from tools.zksim.faults import Faults
from tools.zksim.records import AttendanceRecord
from tools.zksim.server import SimulatorServer
from tools.zksim.session import SessionRegistry


@dataclass
class Simulator:
    """A running simulated terminal and its switches."""

    config: SimulatorConfig
    device: Device
    faults: Faults
    registry: SessionRegistry
    server: SimulatorServer
    port: int

    def terminal(self, **overrides: Any) -> TerminalConfig:
        """Client settings that reach this terminal."""
        settings: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "password": self.config.password,
            "timeout": 1.0,
            "encoding": self.config.encoding,
        }
        settings.update(overrides)
        return TerminalConfig(**settings)

    def punch(self, user_id: str, when: datetime, verify: int = 15, punch: int = 0) -> int:
        """A person punches: logged, and sent to live listeners. Returns listeners reached."""
        user = self.device.user_by_pin(user_id)
        record = AttendanceRecord(
            uid=user.uid if user else 0,
            user_id=user_id,
            timestamp=when,
            verify=verify,
            punch=punch,
        )
        self.device.append_record(record)
        return self.registry.broadcast(record)

    def wait_for_listeners(self, count: int, timeout: float = 5.0) -> bool:
        """Block until count sessions registered for events."""
        return self.registry.wait_for_listeners(count, timeout)

    def reboot(self, down_for: float) -> None:
        """Drop every session silently and refuse connections for a while."""
        self.server.reboot(down_for)


@contextmanager
def simulator(**settings: Any) -> Iterator[Simulator]:
    """Start a simulated terminal with generated users and punches; stop it afterwards."""
    config = SimulatorConfig(**settings)
    config.validate()
    rng = random.Random(config.seed)
    device = Device(config)
    users = generate_users(rng, config.users, encoding=config.encoding)
    device.put_users(users)
    if config.records:
        device.add_records(
            generate_attendance(
                rng, users, config.records, config.records_last_day or date(2024, 5, 6)
            )
        )
    faults = Faults()
    registry = SessionRegistry(rng)
    server = SimulatorServer(config, device, faults, registry, rng)
    port = server.start()
    try:
        yield Simulator(config, device, faults, registry, server, port)
    finally:
        server.stop()
