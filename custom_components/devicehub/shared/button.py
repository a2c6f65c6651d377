"""The maintenance buttons every terminal has: restart it, set its clock."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory


@dataclass(frozen=True, kw_only=True)
class RuntimeButtonEntityDescription[RuntimeT](ButtonEntityDescription):
    """A button that runs one operation on a terminal's runtime."""

    press_fn: Callable[[RuntimeT], Awaitable[Any]]


def maintenance_buttons[RuntimeT](
    *,
    restart: Callable[[RuntimeT], Awaitable[Any]],
    sync_clock: Callable[[RuntimeT], Awaitable[Any]],
) -> tuple[RuntimeButtonEntityDescription[RuntimeT], ...]:
    """The restart and clock buttons, run by the family's own operations."""
    return (
        RuntimeButtonEntityDescription(
            key="restart",
            device_class=ButtonDeviceClass.RESTART,
            entity_category=EntityCategory.CONFIG,
            press_fn=restart,
        ),
        RuntimeButtonEntityDescription(
            key="sync_clock",
            translation_key="sync_clock",
            entity_category=EntityCategory.CONFIG,
            press_fn=sync_clock,
        ),
    )
