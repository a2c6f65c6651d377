"""A cap on pending door discoveries: anyone on the broker can publish hand_shakes.

Each distinct door id under a prefix opens a discovery flow the user must confirm or ignore.
Without a cap, a flood of made-up ids fills Home Assistant's discovered list and its memory;
with it, what is refused is counted (door diagnostics) and logged once per flood.
"""

from collections import Counter
import logging
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN

_LOGGER = logging.getLogger(__name__)

# Documented in docs/mqtt-contract.md ("Registration").
MAX_PENDING_DISCOVERIES: Final = 20

_REFUSED: HassKey[Counter[str]] = HassKey(f"{DOMAIN}_door_discoveries_refused")


def refused_discoveries(hass: HomeAssistant) -> dict[str, int]:
    """How many discoveries were refused since start-up, per topic prefix."""
    return dict(hass.data.get(_REFUSED, {}))


def count_refused(hass: HomeAssistant, prefix: str) -> None:
    """Count a refused discovery; warn on the first of each flood."""
    refused = hass.data.setdefault(_REFUSED, Counter())
    if refused[prefix] % 100 == 0:
        _LOGGER.warning(
            "More than %s doors wait to be added under %s/; ignoring new ones until the list "
            "is handled (%s refused so far)",
            MAX_PENDING_DISCOVERIES,
            prefix,
            refused[prefix] + 1,
        )
    refused[prefix] += 1
