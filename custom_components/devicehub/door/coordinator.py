"""The hub of a door's pushed state: what the door last said, handed to its entities.

Nothing is polled (no update interval): the door's MQTT messages are parsed by its runtime
and pushed here with async_set_updated_data, and every entity reads its value from `data`.
Each update is a new DoorData, so an entity tells a new punch, stranger, picture or lock
report from an old one by identity.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
import logging
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import DOMAIN
from ..mqtt_door.models import DataPointValue, LockState, Punch, Stranger
from .pictures import Picture

if TYPE_CHECKING:
    from .runtime import DoorConfigEntry

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LockReport:
    """One `state` message: a repeated state is a new report (it confirms a command)."""

    state: LockState


@dataclass(frozen=True, slots=True)
class DoorData:
    """The door's latest values; None until the door has sent one."""

    lock: LockReport | None = None
    datapoints: Mapping[str, DataPointValue] = field(default_factory=dict)
    stranger: Stranger | None = None
    punch: Punch | None = None
    picture: Picture | None = None

    @property
    def lock_state(self) -> LockState | None:
        """The lock's state as the door last reported it."""
        return None if self.lock is None else self.lock.state


class DoorCoordinator(DataUpdateCoordinator[DoorData]):
    """Pushed state of one door (update_interval None: never polls)."""

    config_entry: DoorConfigEntry

    def __init__(self, hass: HomeAssistant, entry: DoorConfigEntry, device_id: str) -> None:
        """Start empty: the door's retained topics and the kept picture fill it in."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} door {device_id}",
            update_interval=None,
            always_update=True,
        )
        self.data = DoorData()

    @callback
    def async_set_lock_state(self, state: LockState) -> None:
        """A `state` message."""
        self.async_set_updated_data(replace(self.data, lock=LockReport(state)))

    @callback
    def async_set_datapoint(self, key: str, value: DataPointValue) -> None:
        """A valid value of a declared data point."""
        datapoints = {**self.data.datapoints, key: value}
        self.async_set_updated_data(replace(self.data, datapoints=datapoints))

    @callback
    def async_set_stranger(self, stranger: Stranger) -> None:
        """A stranger seen by the door."""
        self.async_set_updated_data(replace(self.data, stranger=stranger))

    @callback
    def async_set_punch(self, punch: Punch) -> None:
        """A punch at the door."""
        self.async_set_updated_data(replace(self.data, punch=punch))

    @callback
    def async_set_picture(self, picture: Picture) -> None:
        """A new stranger picture, received or fetched."""
        self.async_set_updated_data(replace(self.data, picture=picture))
