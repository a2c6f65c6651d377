"""A tiny typed fan-out from a door's runtime to its entities."""

from collections.abc import Callable

from homeassistant.core import CALLBACK_TYPE, callback


class Listeners[T]:
    """Callbacks interested in one kind of door update."""

    def __init__(self) -> None:
        """Start with nobody listening."""
        self._callbacks: list[Callable[[T], None]] = []

    @callback
    def add(self, listener: Callable[[T], None]) -> CALLBACK_TYPE:
        """Listen; return the function that stops listening."""
        self._callbacks.append(listener)

        @callback
        def remove() -> None:
            self._callbacks.remove(listener)

        return remove

    @callback
    def fire(self, value: T) -> None:
        """Tell every listener."""
        for listener in list(self._callbacks):
            listener(value)
