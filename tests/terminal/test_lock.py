"""The door relay as a lock: one pulse per unlock, back to locked when it ends."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from homeassistant.components.lock import (
    DOMAIN as LOCK_DOMAIN,
    SERVICE_LOCK,
    SERVICE_OPEN,
    SERVICE_UNLOCK,
)
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.devicehub.terminal.const import CONF_CODE, CONF_UNLOCK_SECONDS
from tools.zksim import TerminalSimulator

from .conftest import LOCK_ENTITY, PUNCH_ENTITY, StateRecorder, async_wait_live


async def call_lock(hass: HomeAssistant, service: str, **data: Any) -> None:
    """Call a lock action on the terminal's lock and wait for it."""
    await hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: LOCK_ENTITY, **data}, blocking=True
    )


def lock_state(hass: HomeAssistant) -> tuple[str, Any]:
    """The lock's state and who changed it."""
    state = hass.states.get(LOCK_ENTITY)
    assert state is not None
    return state.state, state.attributes.get("changed_by")


@pytest.mark.usefixtures("loaded_entry")
async def test_unlock_pulses_once(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """Unlock pulses the relay for 3 s; more unlocks during the pulse are ignored."""
    assert lock_state(hass) == ("locked", None)

    await call_lock(hass, SERVICE_UNLOCK)
    assert lock_state(hass) == ("unlocked", "Home Assistant")
    await call_lock(hass, SERVICE_UNLOCK)
    await call_lock(hass, SERVICE_OPEN)
    assert [pulse.seconds for pulse in simulator.unlocks] == [3]

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    assert lock_state(hass) == ("locked", "Home Assistant")

    await call_lock(hass, SERVICE_OPEN)
    assert lock_state(hass) == ("open", "Home Assistant")
    assert [pulse.seconds for pulse in simulator.unlocks] == [3, 3]
    # The relay re-locks by itself: locking does nothing, the pulse runs its course.
    await call_lock(hass, SERVICE_LOCK)
    assert lock_state(hass) == ("open", "Home Assistant")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    assert lock_state(hass) == ("locked", "Home Assistant")
    assert len(simulator.unlocks) == 2


@pytest.mark.parametrize("entry_options", [{CONF_UNLOCK_SECONDS: 7, CONF_CODE: "2468"}])
@pytest.mark.usefixtures("loaded_entry")
async def test_unlock_with_code(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """With a code set, only the right code pulses the relay, for the configured time."""
    state = hass.states.get(LOCK_ENTITY)
    assert state is not None
    assert state.attributes["code_format"] == r"^\d+$"

    with pytest.raises(ServiceValidationError):
        await call_lock(hass, SERVICE_UNLOCK)
    with pytest.raises(ServiceValidationError) as error:
        await call_lock(hass, SERVICE_UNLOCK, **{ATTR_CODE: "1357"})
    assert error.value.translation_key == "invalid_code"
    assert simulator.unlocks == []

    await call_lock(hass, SERVICE_UNLOCK, **{ATTR_CODE: "2468"})
    assert [pulse.seconds for pulse in simulator.unlocks] == [7]
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=7))
    await hass.async_block_till_done()
    assert lock_state(hass)[0] == "locked"


@pytest.mark.parametrize("entry_options", [{CONF_CODE: "open sesame"}])
@pytest.mark.usefixtures("loaded_entry")
async def test_text_code(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """A code that is not a number takes any text."""
    state = hass.states.get(LOCK_ENTITY)
    assert state is not None
    assert state.attributes["code_format"] == r"^.+$"
    await call_lock(hass, SERVICE_OPEN, **{ATTR_CODE: "open sesame"})
    assert len(simulator.unlocks) == 1


@pytest.mark.usefixtures("loaded_entry")
async def test_unlock_fails(hass: HomeAssistant, simulator: TerminalSimulator) -> None:
    """A terminal that does not answer fails the unlock; the lock stays locked."""
    simulator.faults.mute = True
    with pytest.raises(HomeAssistantError) as error:
        await call_lock(hass, SERVICE_UNLOCK)
    assert error.value.translation_key == "action_failed"
    assert lock_state(hass) == ("locked", None)

    simulator.faults.reset()
    await call_lock(hass, SERVICE_UNLOCK)
    assert lock_state(hass) == ("unlocked", "Home Assistant")


@pytest.mark.usefixtures("loaded_entry")
async def test_changed_by_last_punch(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    record_states: Callable[[str], StateRecorder],
) -> None:
    """A punch happening now tells who opened the door last; unknown users by their id."""
    punches = record_states(PUNCH_ENTITY)
    await async_wait_live(hass, simulator)
    await hass.async_add_executor_job(simulator.inject_punch, "1003")
    await punches.wait(1)
    assert lock_state(hass) == ("locked", "Grace Hopper")
    await hass.async_add_executor_job(simulator.inject_punch, "4242")
    await punches.wait(2)
    assert lock_state(hass) == ("locked", "4242")
