"""What a push terminal's ``rtlog`` and ``rtstate`` uploads mean for its access entities.

Per the Security PUSH specification, unverified on hardware (README). Door 1 only:
- rtlog: granted and denied codes are access attempts (user, credential from the verify
  type, card masked); 200/201 open and close the contact; 202 is the exit button. Alarm
  codes are shown from rtstate instead, which also says when an alarm is over.
- rtstate: the door sensor drives the contact (a terminal reporting "no sensor" never gets
  one); the alarm bits turn the tamper, forced-open and duress sensors on and off.
"""

from collections.abc import Callable
from datetime import tzinfo
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from ..access.feed import AccessCapabilities, AccessFeed
from ..adms.access_logs import (
    DENIED_REASONS,
    DoorAlarm,
    DoorEventClass,
    DoorEventLine,
    DoorSensor,
    DoorStateLine,
)
from ..mqtt_door.access_control import (
    AccessAttempt,
    AccessResult,
    AlarmKind,
    Credential,
    mask_credential,
)
from ..punch import verify_method

# Door events shown from one upload; more (a backlog sent as rtlog) are counted, not fired.
MAX_SHOWN_DOOR_EVENTS: Final = 50
SHOWN_DOOR: Final = 1

PUSH_ACCESS: Final = AccessCapabilities(
    alarms=(AlarmKind.TAMPER, AlarmKind.FORCED_OPEN, AlarmKind.DURESS),
    access_results=(AccessResult.GRANTED, AccessResult.DENIED),
    exit_button=True,
)
_CREDENTIALS: Final = {
    "password": Credential.PIN,
    "fingerprint": Credential.FINGERPRINT,
    "card": Credential.CARD,
    "face": Credential.FACE,
}
_ALARMS: Final = {
    DoorAlarm.TAMPER: AlarmKind.TAMPER,
    DoorAlarm.FORCED_OPEN: AlarmKind.FORCED_OPEN,
    DoorAlarm.DURESS: AlarmKind.DURESS,
}


def push_access_feed(
    hass: HomeAssistant,
    serial_number: str,
    name: str,
    online: Callable[[], bool],
    add_listener: Callable[[CALLBACK_TYPE], CALLBACK_TYPE],
) -> AccessFeed:
    """The feed of a push terminal, available while it polls."""
    return AccessFeed(
        hass,
        serial_number=serial_number,
        name=name,
        capabilities=PUSH_ACCESS,
        available=online,
        add_availability_listener=add_listener,
    )


@callback
def async_show_door_events(
    feed: AccessFeed,
    lines: tuple[DoorEventLine, ...],
    time_zone: tzinfo,
    user_name: Callable[[str], str | None],
) -> int:
    """Show the door events of an upload; returns how many were shown."""
    shown = 0
    for line in lines:
        if line.door != SHOWN_DOOR or shown >= MAX_SHOWN_DOOR_EVENTS:
            continue
        when = line.time.replace(tzinfo=time_zone)
        match line.event_class:
            case DoorEventClass.GRANTED | DoorEventClass.DENIED:
                granted = line.event_class is DoorEventClass.GRANTED
                method = verify_method(line.verify) if line.verify is not None else "other"
                feed.async_report_access(
                    AccessAttempt(
                        result=AccessResult.GRANTED if granted else AccessResult.DENIED,
                        credential=_CREDENTIALS.get(method, Credential.OTHER),
                        user_id=line.user_id,
                        user_name=user_name(line.user_id) if line.user_id else None,
                        credential_id=mask_credential(line.card) if line.card else None,
                        reason=None if granted else DENIED_REASONS.get(line.event),
                        timestamp=when.isoformat(),
                    )
                )
            case DoorEventClass.DOOR_OPENED | DoorEventClass.DOOR_CLOSED:
                feed.async_set_contact(is_open=line.event_class is DoorEventClass.DOOR_OPENED)
            case DoorEventClass.EXIT_BUTTON:
                feed.async_press_exit_button(when)
            case _:
                continue
        shown += 1
    return shown


@callback
def async_show_door_states(
    feed: AccessFeed, lines: tuple[DoorStateLine, ...], time_zone: tzinfo
) -> None:
    """Show the door states of an upload, oldest first."""
    for line in lines:
        if line.sensor is DoorSensor.OPEN or line.sensor is DoorSensor.CLOSED:
            feed.async_set_contact(is_open=line.sensor is DoorSensor.OPEN)
        if line.alarms is not None:
            when = line.time.replace(tzinfo=time_zone)
            for alarm, kind in _ALARMS.items():
                feed.async_set_alarm(kind, active=alarm in line.alarms, when=when)
