"""Repair issues of terminals: unreachable for long, a drifting clock, records we cannot read."""

from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..zk.errors import TerminalLayoutUnknown
from .const import (
    CLOCK_DRIFT_LIMIT,
    ISSUE_CLOCK_DRIFT,
    ISSUE_UNKNOWN_LAYOUT,
    ISSUE_UNREACHABLE,
    UNREACHABLE_ISSUE_AFTER,
)

# When each terminal was first found unreachable. Kept outside the entry's runtime data so
# that the time also counts across setup retries, when there is no runtime data.
_UNREACHABLE_SINCE: HassKey[dict[str, datetime]] = HassKey(f"{DOMAIN}_terminal_unreachable_since")


def unreachable_issue_id(entry_id: str) -> str:
    """The issue id of an unreachable terminal."""
    return f"{ISSUE_UNREACHABLE}_{entry_id}"


def clock_drift_issue_id(entry_id: str) -> str:
    """The issue id of a terminal whose clock drifts."""
    return f"{ISSUE_CLOCK_DRIFT}_{entry_id}"


@callback
def async_note_unreachable(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Count how long the terminal has been unreachable; raise an issue after an hour."""
    since = hass.data.setdefault(_UNREACHABLE_SINCE, {}).setdefault(
        entry.entry_id, dt_util.utcnow()
    )
    if dt_util.utcnow() - since < UNREACHABLE_ISSUE_AFTER:
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        unreachable_issue_id(entry.entry_id),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_UNREACHABLE,
        translation_placeholders={
            "name": entry.title,
            "since": dt_util.as_local(since).isoformat(timespec="minutes"),
        },
    )


@callback
def async_note_reachable(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The terminal answered: forget the outage and its issue."""
    hass.data.setdefault(_UNREACHABLE_SINCE, {}).pop(entry.entry_id, None)
    ir.async_delete_issue(hass, DOMAIN, unreachable_issue_id(entry.entry_id))


@callback
def async_check_clock(hass: HomeAssistant, entry: ConfigEntry, offset: timedelta) -> None:
    """Raise a fixable issue while the terminal clock is more than a minute off."""
    issue_id = clock_drift_issue_id(entry.entry_id)
    if abs(offset) <= CLOCK_DRIFT_LIMIT:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        data={"entry_id": entry.entry_id},
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_CLOCK_DRIFT,
        translation_placeholders={
            "name": entry.title,
            "offset": str(round(offset.total_seconds())),
        },
    )


def unknown_layout_issue_id(entry_id: str) -> str:
    """The issue id of a terminal whose records fit no known layout."""
    return f"{ISSUE_UNKNOWN_LAYOUT}_{entry_id}"


@callback
def async_note_unknown_layout(
    hass: HomeAssistant, entry: ConfigEntry, error: TerminalLayoutUnknown
) -> None:
    """Say which firmware sent records of which sizes that nothing here can read."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        unknown_layout_issue_id(entry.entry_id),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_UNKNOWN_LAYOUT,
        translation_placeholders={
            "name": entry.title,
            "dataset": error.dataset,
            "firmware": error.firmware,
            "body_bytes": str(error.body_bytes),
            "count": "?" if error.count is None else str(error.count),
            "sizes": error.sizes_text,
        },
    )


@callback
def async_note_layout_known(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The log was read in a known layout: any issue about it is over."""
    ir.async_delete_issue(hass, DOMAIN, unknown_layout_issue_id(entry.entry_id))


@callback
def async_delete_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove the terminal's issues (it is unloaded)."""
    hass.data.setdefault(_UNREACHABLE_SINCE, {}).pop(entry.entry_id, None)
    ir.async_delete_issue(hass, DOMAIN, unreachable_issue_id(entry.entry_id))
    ir.async_delete_issue(hass, DOMAIN, clock_drift_issue_id(entry.entry_id))
    ir.async_delete_issue(hass, DOMAIN, unknown_layout_issue_id(entry.entry_id))
