"""What a terminal's access-control events mean for its access entities.

Per the protocol manual, unverified on hardware (README): EF_ALARM tamper and duress turn
their problem sensors on (the manual has no "alarm over" layout, so each turns off again
after ALARM_HOLD_SECONDS); EF_ALARM "door closed" is the only door state the manual defines;
EF_VERIFY with no user identified, and the anti-passback alarm, are denied attempts; the
exit button fires its event. Misoperation and successful verifications (the punch tells
those) are not shown.
"""

from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..access.feed import AccessCapabilities, AccessFeed
from ..mqtt_door.access_control import AccessAttempt, AccessResult, AlarmKind, Credential
from ..zk.access_events import AccessEventKind, TerminalAccessEvent
from .const import LOGGER
from .coordinator import TerminalCoordinator
from .users import UserDirectory

# How long a tamper or duress alarm shows when the terminal never says it is over.
ALARM_HOLD_SECONDS: Final = 60.0
REASON_NOT_IDENTIFIED: Final = "not_identified"
REASON_ANTI_PASSBACK: Final = "anti_passback"

TERMINAL_ACCESS: Final = AccessCapabilities(
    alarms=(AlarmKind.TAMPER, AlarmKind.DURESS),
    access_results=(AccessResult.DENIED,),
    exit_button=True,
    alarm_hold=ALARM_HOLD_SECONDS,
)
_ALARMS: Final = {
    AccessEventKind.TAMPER: AlarmKind.TAMPER,
    AccessEventKind.DURESS: AlarmKind.DURESS,
}


def terminal_access_feed(
    hass: HomeAssistant, serial_number: str, name: str, coordinator: TerminalCoordinator
) -> AccessFeed:
    """The feed of a terminal, available like its punch entities: while the terminal
    answers polls (live capture then reconnects) or live capture holds its link."""
    return AccessFeed(
        hass,
        serial_number=serial_number,
        name=name,
        capabilities=TERMINAL_ACCESS,
        available=lambda: coordinator.last_update_success or coordinator.live_connected,
        add_availability_listener=coordinator.async_add_listener,
    )


@callback
def async_show_access_event(
    feed: AccessFeed, users: UserDirectory, event: TerminalAccessEvent
) -> None:
    """Show one decoded access-control event (called in the event loop)."""
    now = dt_util.now()
    if (alarm := _ALARMS.get(event.kind)) is not None:
        feed.async_raise_alarm(alarm, now)
    elif event.kind is AccessEventKind.DOOR_CLOSED:
        feed.async_set_contact(is_open=False)
    elif event.kind is AccessEventKind.EXIT_BUTTON:
        feed.async_press_exit_button(now)
    elif event.kind is AccessEventKind.VERIFY_FAILED:
        feed.async_report_access(
            AccessAttempt(
                result=AccessResult.DENIED,
                credential=Credential.OTHER,
                reason=REASON_NOT_IDENTIFIED,
                timestamp=now.isoformat(),
            )
        )
    elif event.kind is AccessEventKind.PASSBACK:
        user_id = users.user_id(event.user_sn) if event.user_sn is not None else None
        feed.async_report_access(
            AccessAttempt(
                result=AccessResult.DENIED,
                credential=Credential.OTHER,
                user_id=user_id,
                user_name=users.name(user_id) if user_id else None,
                reason=REASON_ANTI_PASSBACK,
                timestamp=now.isoformat(),
            )
        )
    else:
        LOGGER.debug("%s: access event %s not shown", feed.name, event.kind)
