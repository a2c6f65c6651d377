"""Base of the door's binary sensors whose state waits out a delay (left open, thresholds)."""

from abc import abstractmethod
from datetime import datetime
from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later

from .entity import DoorEntity
from .runtime import DoorRuntime


class TimedBinarySensor(DoorEntity, BinarySensorEntity):
    """Weighs the door's data at each update; a pending delay runs on one timer."""

    def __init__(self, runtime: DoorRuntime, key: str) -> None:
        """Start with no timer."""
        super().__init__(runtime, key)
        self._cancel_timer: CALLBACK_TYPE | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Start from the data already received (a retained report may start a delay now)."""
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel)
        self._evaluate()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._evaluate()
        super()._handle_coordinator_update()

    @abstractmethod
    def _evaluate(self) -> None:
        """Weigh the door's data again: set the state, or start or cancel the timer."""

    @abstractmethod
    def _async_elapsed(self, _now: datetime) -> None:
        """The delay ran out."""

    def _start_timer(self, delay: float) -> None:
        self._cancel_timer = async_call_later(self.hass, delay, self._async_elapsed)

    @callback
    def _cancel(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
