"""Unlock safety: codes checked in constant time, and no pile-up of door pulses.

A terminal's relay pulses for the unlock time whatever is asked meanwhile: many unlocks at once
(a double tap, two dashboards, an automation firing twice) while a pulse runs give one pulse.
"""

import asyncio
from datetime import timedelta
import hmac
from typing import Any
from unittest.mock import patch

from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.door.const import CONF_UNLOCK_CODE
from custom_components.devicehub.terminal.const import CONF_CODE, CONF_UNLOCK_SECONDS
from tests.door.conftest import Fire, fire, run_loop, topic
from tests.terminal.conftest import LOCK_ENTITY, loaded_entry
from tools.zksim import TerminalSimulator

__all__ = ["fire", "loaded_entry"]

CODE = "482916"
FULLWIDTH = "".join(chr(0xFF10 + int(digit)) for digit in CODE)  # looks the same, is not
WRONG_CODES = [
    "",
    "0",
    "48291",
    "4829160",
    "482917",
    " 482916",
    "482916\n",
    FULLWIDTH,
    "x" * 64,
]


async def call(hass: HomeAssistant, service: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


def relock(hass: HomeAssistant, seconds: float) -> None:
    """Let the pulse run its course (Home Assistant's timer)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))


@pytest.fixture
def compare_digest() -> Any:
    """hmac.compare_digest, watched."""
    with patch("hmac.compare_digest", wraps=hmac.compare_digest) as spy:
        yield spy


@pytest.mark.parametrize("entry_options", [{CONF_UNLOCK_SECONDS: 5}])
@pytest.mark.usefixtures("loaded_entry")
async def test_many_unlocks_during_a_pulse_make_one_pulse(
    hass: HomeAssistant, simulator: TerminalSimulator
) -> None:
    """Twelve unlocks and opens at once, the terminal slow to answer: one pulse; again after."""
    simulator.faults.reply_delay = 0.3  # the first is still on its way when the others come
    for round_ in (1, 2):
        await asyncio.gather(
            *(call(hass, ("unlock", "open")[n % 2], LOCK_ENTITY) for n in range(12))
        )
        assert len(simulator.unlocks) == round_
        assert hass.states.get(LOCK_ENTITY).state in ("unlocked", "open")
        for _ in range(5):  # and more while the pulse runs
            await call(hass, "unlock", LOCK_ENTITY)
        assert len(simulator.unlocks) == round_
        relock(hass, 5)
        await hass.async_block_till_done()
        assert hass.states.get(LOCK_ENTITY).state == "locked"
    assert [pulse.seconds for pulse in simulator.unlocks] == [5, 5]


@pytest.mark.parametrize("entry_options", [{CONF_CODE: CODE}])
@pytest.mark.usefixtures("loaded_entry")
async def test_terminal_code(
    hass: HomeAssistant, simulator: TerminalSimulator, compare_digest: Any
) -> None:
    """Only the exact code pulses the relay, checked with hmac.compare_digest."""
    state = hass.states.get(LOCK_ENTITY)
    assert state is not None
    assert state.attributes["code_format"] == r"^\d+$"
    for wrong in WRONG_CODES:
        with pytest.raises(ServiceValidationError) as refused:
            await call(hass, "unlock", LOCK_ENTITY, **{ATTR_CODE: wrong})
        # Home Assistant refuses what does not match the code format; devicehub the rest.
        assert refused.value.translation_key in (
            "invalid_code",
            "invalid_code_format",
            "add_default_code",
        )
    with pytest.raises(ServiceValidationError):
        await call(hass, "open", LOCK_ENTITY)  # no code at all
    assert simulator.unlocks == []
    checked = len(compare_digest.call_args_list)
    assert checked >= 4  # the codes the format let through were compared in constant time
    await asyncio.gather(*(call(hass, "open", LOCK_ENTITY, code=CODE) for _ in range(5)))
    assert len(simulator.unlocks) == 1
    assert compare_digest.call_args_list[checked].args == (CODE.encode(), CODE.encode())


@pytest.mark.parametrize("door_options", [{CONF_UNLOCK_CODE: CODE}])
async def test_door_code(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    compare_digest: Any,
) -> None:
    """An MQTT door's unlock code: wrong ones never reach the broker; compared in constant time."""
    for wrong in WRONG_CODES:
        with pytest.raises(ServiceValidationError):
            await call(hass, "unlock", "lock.front_door", **{ATTR_CODE: wrong})
    with pytest.raises(ServiceValidationError):
        await call(hass, "open", "lock.front_door")
    assert mqtt_mock.async_publish.call_count == 0
    assert len(compare_digest.call_args_list) >= 4
    assert all(isinstance(arg, bytes) for c in compare_digest.call_args_list for arg in c.args)


def door_call(hass: HomeAssistant, service: str) -> asyncio.Task[Any]:
    """A lock action on the MQTT door, as a task (it waits for the door to confirm)."""
    return asyncio.create_task(call(hass, service, "lock.front_door"))


@pytest.mark.parametrize("confirms", [True, False])
async def test_repeated_door_commands_do_not_pile_up(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    fire: Fire,
    confirms: bool,
) -> None:
    """Opens asked while one is on its way join it: one command, however many taps.

    They used to queue behind one another and go out one by one, each after the previous
    one was confirmed or timed out: a silent door got opens ten and twenty seconds after the
    user had been told the first one failed.
    """
    fire("state", "locked")
    await hass.async_block_till_done()
    tasks = [door_call(hass, "open") for _ in range(4)]
    await run_loop()
    assert [c.args[:2] for c in mqtt_mock.async_publish.call_args_list] == [
        (topic("command"), "open")
    ]
    if confirms:
        fire("state", "open")
    for seconds in (11, 22, 33):  # the command timeout, several times over
        relock(hass, seconds)
        await run_loop()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert mqtt_mock.async_publish.call_count == 1
    if confirms:
        assert results == [None] * 4
    else:
        assert [getattr(r, "translation_key", r) for r in results] == ["command_not_confirmed"] * 4
    # A different command still waits its turn, then goes out: taps are not lost either.
    mqtt_mock.async_publish.reset_mock()
    opening = door_call(hass, "open")
    await run_loop()
    locking = door_call(hass, "lock")
    await run_loop()
    fire("state", "open")
    await run_loop()
    fire("state", "locked")
    await run_loop()
    assert await asyncio.gather(opening, locking) == [None, None]
    assert [c.args[1] for c in mqtt_mock.async_publish.call_args_list] == ["open", "lock"]
