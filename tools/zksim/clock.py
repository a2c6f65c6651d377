"""The terminal's wall clock: host local time plus an offset that clients and tests can move."""

from __future__ import annotations

from datetime import datetime, timedelta
import threading


class DeviceClock:
    """Naive local device time, whole seconds, thread-safe."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._lock = threading.Lock()
        self._offset = offset

    def now(self) -> datetime:
        """Current device time."""
        with self._lock:
            offset = self._offset
        return (datetime.now() + offset).replace(microsecond=0)

    def set(self, moment: datetime) -> None:
        """Make the device clock read moment now (what CMD_SET_TIME does)."""
        with self._lock:
            self._offset = moment.replace(tzinfo=None) - datetime.now()

    def jump(self, delta: timedelta | float) -> None:
        """Move the clock by delta (seconds or timedelta), as a flat battery or NTP step would."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            self._offset += step

    @property
    def offset(self) -> timedelta:
        """Device time minus host local time."""
        with self._lock:
            return self._offset

    @offset.setter
    def offset(self, value: timedelta) -> None:
        with self._lock:
            self._offset = value
