"""The hub of a door's pushed state: what the door last said, handed to its entities.

Nothing is polled (no update interval): the door's MQTT messages are parsed by its runtime
and pushed here with async_set_updated_data, and every entity reads its value from `data`.
Each update is a new DoorData, so an entity tells a new punch, stranger, picture or lock
report from an old one by identity. An update of one field is handed only to the entities
that follow that field (their coordinator context names it): a lock report costs the lock's
state write, not a look from every sensor of the door. Anything else (the door's availability)
reaches them all.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
import logging
from typing import TYPE_CHECKING, Any, Literal, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import DOMAIN
from ..mqtt_door.access_control import (
    AccessAttempt,
    AlarmKind,
    AlarmReport,
    ContactReport,
    RelayReport,
    Ring,
)
from ..mqtt_door.models import DataPointValue, LockState, Punch, Stranger
from .pictures import Picture

if TYPE_CHECKING:
    from .runtime import DoorConfigEntry

_LOGGER = logging.getLogger(__name__)


# A field of DoorData: what an entity follows and an update changes.
type DoorField = Literal[
    "lock",
    "datapoints",
    "stranger",
    "punch",
    "picture",
    "contact",
    "ring",
    "access",
    "alarms",
    "relays",
]


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
    # Contract 1.1, access control.
    contact: ContactReport | None = None
    ring: Ring | None = None
    access: AccessAttempt | None = None
    alarms: Mapping[AlarmKind, AlarmReport] = field(default_factory=dict)
    relays: Mapping[str, RelayReport] = field(default_factory=dict)

    @property
    def lock_state(self) -> LockState | None:
        """The lock's state as the door last reported it."""
        return None if self.lock is None else self.lock.state

    def with_field(self, name: DoorField, value: object) -> DoorData:
        """A copy with one field changed.

        dataclasses.replace reads every field's definition again on each call: it took a
        tenth of a door message's handling, three times this copy.
        """
        values: dict[str, Any] = {field_name: getattr(self, field_name) for field_name in _FIELDS}
        values[name] = value
        return DoorData(**values)


_FIELDS: tuple[str, ...] = tuple(door_field.name for door_field in fields(DoorData))


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
        # The DoorData field an update in progress changed; None: anything may have.
        self._changed: DoorField | None = None

    @callback
    def _async_set_field(self, changed: DoorField, value: object) -> None:
        """New data differing from the last in the field `changed` only."""
        self._changed = changed
        try:
            self.async_set_updated_data(self.data.with_field(changed, value))
        finally:
            self._changed = None

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Call the listeners following the field that changed, or all of them."""
        changed = self._changed
        if changed is None:
            super().async_update_listeners()
            return
        for update_callback, follows in list(self._listeners.values()):
            if follows is None or follows == changed:
                update_callback()

    @callback
    def async_set_lock_state(self, state: LockState) -> None:
        """A `state` message."""
        self._async_set_field("lock", LockReport(state))

    @callback
    def async_set_datapoint(self, key: str, value: DataPointValue) -> None:
        """A valid value of a declared data point."""
        datapoints = {**self.data.datapoints, key: value}
        self._async_set_field("datapoints", datapoints)

    @callback
    def async_set_stranger(self, stranger: Stranger) -> None:
        """A stranger seen by the door."""
        self._async_set_field("stranger", stranger)

    @callback
    def async_set_punch(self, punch: Punch) -> None:
        """A punch at the door."""
        self._async_set_field("punch", punch)

    @callback
    def async_set_picture(self, picture: Picture) -> None:
        """A new stranger picture, received or fetched."""
        self._async_set_field("picture", picture)

    # Contract 1.1, access control.

    @callback
    def async_set_contact(self, contact: ContactReport) -> None:
        """The door opened or closed."""
        self._async_set_field("contact", contact)

    @callback
    def async_set_ring(self, ring: Ring) -> None:
        """The doorbell was pressed."""
        self._async_set_field("ring", ring)

    @callback
    def async_set_access(self, attempt: AccessAttempt) -> None:
        """Someone was let in or refused."""
        self._async_set_field("access", attempt)

    @callback
    def async_set_alarm(self, report: AlarmReport) -> None:
        """An alarm went on or off."""
        alarms = {**self.data.alarms, report.kind: report}
        self._async_set_field("alarms", alarms)

    @callback
    def async_set_relay(self, report: RelayReport) -> None:
        """The door confirmed an output's state."""
        relays = {**self.data.relays, report.key: report}
        self._async_set_field("relays", relays)
