"""A cap on pending door discoveries: anyone on the broker can publish hand_shakes.

Each distinct door id under a prefix opens a discovery flow the user must confirm or ignore.
Without a cap, a flood of made-up ids fills Home Assistant's discovered list and its memory;
with it, what is refused is counted (door diagnostics) and logged once per flood, and the
latest refused hand_shakes wait (a bounded list) to be offered as the user handles the
offered ones: Home Assistant's MQTT integration never hands the same retained hand_shake
over again, so a door refused once would otherwise wait for a restart.
"""

from collections import Counter
import logging
from typing import Final

from homeassistant.config_entries import SOURCE_MQTT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN

_LOGGER = logging.getLogger(__name__)

# Documented in docs/mqtt-contract.md ("Registration").
MAX_PENDING_DISCOVERIES: Final = 20

# Refused hand_shakes kept to be offered later, newest kept when more are refused.
MAX_WAITING_DISCOVERIES: Final = 100

_REFUSED: HassKey[Counter[str]] = HassKey(f"{DOMAIN}_door_discoveries_refused")
# By topic, oldest first.
_WAITING: HassKey[dict[str, MqttServiceInfo]] = HassKey(f"{DOMAIN}_door_discoveries_waiting")


def refused_discoveries(hass: HomeAssistant) -> dict[str, int]:
    """How many discoveries were refused since start-up, per topic prefix."""
    return dict(hass.data.get(_REFUSED, {}))


def count_refused(hass: HomeAssistant, prefix: str) -> None:
    """Count a refused discovery; warn on the first of each flood."""
    refused = hass.data.setdefault(_REFUSED, Counter())
    if refused[prefix] % 100 == 0:
        _LOGGER.warning(
            "More than %s doors wait to be added under %s/; offering new ones as the list "
            "is handled (%s refused so far)",
            MAX_PENDING_DISCOVERIES,
            prefix,
            refused[prefix] + 1,
        )
    refused[prefix] += 1


@callback
def async_hold_refused(hass: HomeAssistant, info: MqttServiceInfo) -> None:
    """Keep a refused hand_shake to offer later; the oldest goes when the list is full."""
    waiting = hass.data.setdefault(_WAITING, {})
    waiting.pop(info.topic, None)
    if len(waiting) >= MAX_WAITING_DISCOVERIES:
        del waiting[next(iter(waiting))]
    waiting[info.topic] = info


def waiting_discoveries(hass: HomeAssistant) -> int:
    """How many refused hand_shakes wait to be offered."""
    return len(hass.data.get(_WAITING, {}))


@callback
def async_offer_next(hass: HomeAssistant) -> None:
    """An offered door was handled: offer the longest waiting refused one, if any."""
    waiting = hass.data.get(_WAITING)
    if not waiting:
        return
    topic = next(iter(waiting))
    info = waiting.pop(topic)
    discovery_flow.async_create_flow(
        hass,
        DOMAIN,
        {"source": SOURCE_MQTT},
        info,
        discovery_key=discovery_flow.DiscoveryKey(domain="mqtt", key=topic, version=1),
    )
