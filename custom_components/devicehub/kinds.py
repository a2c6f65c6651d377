"""The kinds of device a devicehub entry can hold, and how to tell them apart.

Home Assistant hands every platform and hook the same entry type; these guards narrow it to
the family's own typed entry, so each family's code sees its runtime data fully typed.
"""

from typing import TYPE_CHECKING, TypeIs

from .const import CONF_KIND, DeviceKind

if TYPE_CHECKING:
    from .door.runtime import DoorConfigEntry
    from .push.runtime import PushConfigEntry
    from .terminal.runtime import TerminalConfigEntry

type DevicehubConfigEntry = TerminalConfigEntry | DoorConfigEntry | PushConfigEntry


def is_terminal_entry(entry: DevicehubConfigEntry) -> TypeIs[TerminalConfigEntry]:
    """Tell whether the entry is a ZKTeco terminal that Home Assistant calls."""
    return entry.data.get(CONF_KIND) == DeviceKind.TERMINAL


def is_door_entry(entry: DevicehubConfigEntry) -> TypeIs[DoorConfigEntry]:
    """Tell whether the entry is an MQTT door."""
    return entry.data.get(CONF_KIND) == DeviceKind.MQTT_DOOR


def is_push_entry(entry: DevicehubConfigEntry) -> TypeIs[PushConfigEntry]:
    """Tell whether the entry is a ZKTeco push terminal, which calls Home Assistant."""
    return entry.data.get(CONF_KIND) == DeviceKind.PUSH_TERMINAL
