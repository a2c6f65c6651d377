"""The one place, per Home Assistant, where push terminals' requests arrive.

Only serial numbers of loaded entries are served. An unknown serial number starts a
discovery flow (one per serial, a few at a time); everything refused is counted per serial
number and logged once per serial and reason, never with what the terminal sent.
"""

from collections import Counter
from time import monotonic
from typing import Any

from homeassistant.config_entries import SOURCE_IGNORE, SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery_flow
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from .const import LOGGER, MAX_COUNTED_SERIALS, MAX_PENDING_DISCOVERIES, OTHER_SERIALS
from .runtime import PushRuntime

GATEWAY: HassKey[PushGateway] = HassKey(f"{DOMAIN}_push_gateway")

# Refusal reasons besides the protocol's own (adms.RefusalReason).
REFUSED_UNKNOWN_SERIAL = "unknown_serial"
REFUSED_NOT_LOADED = "not_loaded"
REFUSED_IGNORED = "ignored"
REFUSED_DISCOVERY_CAP = "discovery_cap"
REFUSED_METHOD = "method_not_allowed"
REFUSED_STORAGE = "storage_failed"
INVALID_SERIAL = "invalid"
# Seconds a started discovery flow counts as pending before Home Assistant lists it.
DISCOVERY_START_GRACE = 30.0


class PushGateway:
    """Serves the configured push terminals; counts and logs what it refuses."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with no terminal served."""
        self._hass = hass
        self._terminals: dict[str, PushRuntime] = {}
        self.refused: dict[str, Counter[str]] = {}
        self._logged: set[tuple[str, str]] = set()
        self.discoveries_started = 0
        self._offered: dict[str, float] = {}

    @callback
    def async_add(self, runtime: PushRuntime) -> None:
        """Serve a terminal (its entry is loaded)."""
        self._terminals[runtime.serial_number] = runtime

    @callback
    def async_remove(self, runtime: PushRuntime) -> None:
        """Stop serving a terminal (its entry unloads)."""
        if self._terminals.get(runtime.serial_number) is runtime:
            del self._terminals[runtime.serial_number]

    def runtime(self, serial: str) -> PushRuntime | None:
        """The runtime serving a serial number, if its entry is loaded."""
        return self._terminals.get(serial)

    @callback
    def async_refuse(self, serial: str | None, reason: str, detail: str = "") -> None:
        """Count a refused request, and log it the first time for this serial and reason."""
        key = serial or INVALID_SERIAL
        if key not in self.refused and len(self.refused) >= MAX_COUNTED_SERIALS:
            key = OTHER_SERIALS
        self.refused.setdefault(key, Counter())[reason] += 1
        if (key, reason) in self._logged or len(self._logged) >= 4 * MAX_COUNTED_SERIALS:
            return
        self._logged.add((key, reason))
        # Only the reason and a short detail: never the body or query the terminal sent.
        LOGGER.warning(
            "Refused a push terminal request (serial %s): %s%s",
            key,
            reason,
            f" ({detail})" if detail else "",
        )

    @callback
    def async_refuse_unserved(self, serial: str, host: str | None) -> None:
        """A valid serial number that is not served: offer it, unless known or too many."""
        entry = self._hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, serial)
        if entry is not None:
            reason = REFUSED_IGNORED if entry.source == SOURCE_IGNORE else REFUSED_NOT_LOADED
            self.async_refuse(serial, reason)
            return
        self.async_refuse(serial, REFUSED_UNKNOWN_SERIAL)
        pending = self._pending_discoveries()
        if serial in pending:
            return
        if len(pending) >= MAX_PENDING_DISCOVERIES:
            self.async_refuse(serial, REFUSED_DISCOVERY_CAP)
            return
        self._offered[serial] = monotonic()
        self.discoveries_started += 1
        data: dict[str, Any] = {"serial_number": serial, "host": host or ""}
        discovery_flow.async_create_flow(
            self._hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY, "unique_id": serial},
            data=data,
            discovery_key=discovery_flow.DiscoveryKey(domain=DOMAIN, key=serial, version=1),
        )

    def _pending_discoveries(self) -> set[str]:
        """Serial numbers with a discovery flow open, or started moments ago (a flow starts
        in the background, so a burst of calls must not see it missing)."""
        flows = self._hass.config_entries.flow.async_progress_by_handler(
            DOMAIN,
            include_uninitialized=True,
            match_context={"source": SOURCE_INTEGRATION_DISCOVERY},
        )
        now = monotonic()
        self._offered = {
            serial: started
            for serial, started in self._offered.items()
            if now - started < DISCOVERY_START_GRACE
        }
        return {str(flow["context"].get("unique_id")) for flow in flows} | set(self._offered)

    def as_dict(self) -> dict[str, Any]:
        """The refusal counters, for diagnostics."""
        return {
            "served_serials": sorted(self._terminals),
            "refused": {serial: dict(counts) for serial, counts in self.refused.items()},
            "discoveries_started": self.discoveries_started,
        }


@callback
def async_get_gateway(hass: HomeAssistant) -> PushGateway:
    """The gateway of this Home Assistant, created on first use."""
    if (gateway := hass.data.get(GATEWAY)) is None:
        gateway = hass.data[GATEWAY] = PushGateway(hass)
    return gateway
