"""Liveness: last will, heartbeat window and logging of availability changes."""

from collections.abc import Callable
from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.event import async_call_later
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from .conftest import HAND_SHAKE, Fire

LOCK = "lock.front_door"
SENSOR = "sensor.front_door_temperature"


@pytest.fixture
def later(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> Callable[[float], None]:
    """Move the clock (and the loop's timers) forward by some seconds."""

    def move(seconds: float) -> None:
        freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(hass)

    return move


async def test_last_will(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire, caplog: pytest.LogCaptureFixture
) -> None:
    """offline makes every entity unavailable, online brings them back; logged once each."""
    fire("availability", "offline", retain=True)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNAVAILABLE
    assert hass.states.get(SENSOR).state == STATE_UNAVAILABLE
    fire("availability", "offline")
    await hass.async_block_till_done()
    assert caplog.text.count("Door door1 is unavailable") == 1
    fire("availability", "online")
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNKNOWN
    assert caplog.text.count("Door door1 is available again") == 1
    fire("availability", "maybe")
    await hass.async_block_till_done()
    assert setup_door.runtime_data.drops.by_reason == {"unknown_state": 1}


async def test_heartbeat_window(
    hass: HomeAssistant, later: Callable[[float], None], setup_door: MockConfigEntry, fire: Fire
) -> None:
    """With a 30 s heartbeat the door is unavailable after 65 s of silence."""
    later(60)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNKNOWN
    fire("datapoint/temperature", "20")  # any message counts
    later(60)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNKNOWN
    later(6)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNAVAILABLE
    assert setup_door.runtime_data.liveness.heartbeat_missed
    fire("state", "locked")
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"


async def test_invalid_messages_count_as_heartbeats(
    hass: HomeAssistant, later: Callable[[float], None], setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Even a message that is dropped shows the door is alive."""
    later(60)
    fire("state", "???")
    later(60)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNKNOWN


@pytest.mark.parametrize("hand_shake", [HAND_SHAKE | {"heartbeat": None}])
async def test_no_heartbeat(
    hass: HomeAssistant, later: Callable[[float], None], setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A door without a heartbeat is never timed out, until it declares one."""
    later(10_000)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNKNOWN
    fire("hand_shake", HAND_SHAKE | {"heartbeat": 10})
    await hass.async_block_till_done()
    later(20)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNKNOWN
    later(6)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNAVAILABLE


async def test_own_messages_are_not_heartbeats(
    hass: HomeAssistant, later: Callable[[float], None], setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Our own command echoes do not keep a silent door alive; foreign topics are counted."""
    later(60)
    fire("command", "lock")
    fire("hand_shake/ack", '{"accepted": true}')
    fire("call", "{}")
    fire("nonsense/topic", "1")
    later(6)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == STATE_UNAVAILABLE
    assert setup_door.runtime_data.drops.by_reason == {"unknown_topic": 1}


async def test_messages_do_not_recreate_the_heartbeat_timer(
    hass: HomeAssistant, later: Callable[[float], None], setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Messages only note when they came; the one timer re-arms for the rest of the window.

    With a 30 s heartbeat the window is 65 s (twice the heartbeat plus 5 s of grace): a door
    that last spoke at 60 s is still available at 124 s and unavailable from 125 s.
    """
    with patch(
        "custom_components.devicehub.door.liveness.async_call_later", wraps=async_call_later
    ) as timers:
        later(30)
        for value in range(200):
            fire("datapoint/temperature", str(value))
        later(30)
        fire("state", "locked")
        await hass.async_block_till_done()
        assert timers.call_count == 0, "no timer per message"
        later(5)  # the first window (armed at setup) ends at 65 s: re-armed for the rest
        await hass.async_block_till_done()
        assert timers.call_count == 1
        assert timers.call_args.args[1] == pytest.approx(60, abs=1)
        assert hass.states.get(LOCK).state == "locked"
        later(59)  # 124 s: 64 s of silence
        await hass.async_block_till_done()
        assert hass.states.get(LOCK).state == "locked"
        later(1)  # 125 s: 65 s of silence
        await hass.async_block_till_done()
        assert hass.states.get(LOCK).state == STATE_UNAVAILABLE
        # Re-armed only when a window ended (HA's test clock fires timers up to 0.5 s early,
        # so the last re-arm may take a second step): never once per message.
        assert timers.call_count <= 2
        armed = timers.call_count
        later(600)
        await hass.async_block_till_done()
        assert timers.call_count == armed, "a missed heartbeat arms nothing until it speaks"
        fire("state", "unlocked")
        await hass.async_block_till_done()
        assert hass.states.get(LOCK).state == "unlocked"
        assert timers.call_count == armed + 1, "speaking again arms one whole window"
        assert timers.call_args.args[1] == 65
