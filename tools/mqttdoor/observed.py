"""What a simulated door heard and did, and thread-safe ways for tests to wait on it."""

from collections.abc import Callable
import threading
from typing import Any

from .contract import LockState


class DoorObservations:
    """Records guarded by one Condition, notified whenever anything is recorded."""

    def __init__(self, initial_state: LockState) -> None:
        self.state = initial_state
        self.received_commands: list[str] = []
        # Commands that arrived after their deadline (contract 1.1) and were not carried out.
        self.expired_commands: list[str] = []
        self.received_calls: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []
        self.published_states: list[str] = []
        self.connect_count = 0
        self.connected = threading.Event()
        self._changed = threading.Condition()

    def _record(self, change: Callable[[], object]) -> None:
        with self._changed:
            change()
            self._changed.notify_all()

    def _record_connected(self, connected: bool) -> None:
        with self._changed:
            if connected:
                self.connect_count += 1
                self.connected.set()
            else:
                self.connected.clear()
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until `predicate()` holds; re-checked whenever the door records something."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def wait_for_command(self, command: str, timeout: float = 5.0, count: int = 1) -> bool:
        return self.wait_for(lambda: self.received_commands.count(command) >= count, timeout)

    def wait_for_state(self, state: LockState | str, timeout: float = 5.0) -> bool:
        return self.wait_for(lambda: self.state == state, timeout)

    def wait_for_call(self, command: str, timeout: float = 5.0) -> dict[str, Any] | None:
        def matching() -> dict[str, Any] | None:
            return next((c for c in self.received_calls if c.get("command") == command), None)

        return matching() if self.wait_for(lambda: matching() is not None, timeout) else None

    def wait_for_ack(self, timeout: float = 5.0) -> dict[str, Any] | None:
        return self.acks[-1] if self.wait_for(lambda: bool(self.acks), timeout) else None

    def wait_for_connect_count(self, count: int, timeout: float = 10.0) -> bool:
        """E.g. count=2 after a broker restart: the door reconnected and re-published."""
        return self.wait_for(
            lambda: self.connect_count >= count and self.connected.is_set(), timeout
        )
