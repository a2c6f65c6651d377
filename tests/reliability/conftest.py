"""Fixtures shared by the reliability and security tests.

The terminal and door fixtures of the family test folders are reused, not copied.
"""

from tests.door.conftest import door_entry, door_options, hand_shake, setup_door
from tests.terminal.conftest import (
    config_entry,
    entry_options,
    entry_timeout,
    firmware,
    simulator,
    unload_at_teardown,
    zk_simulator,
)

__all__ = [
    "config_entry",
    "door_entry",
    "door_options",
    "entry_options",
    "entry_timeout",
    "firmware",
    "hand_shake",
    "setup_door",
    "simulator",
    "unload_at_teardown",
    "zk_simulator",
]
