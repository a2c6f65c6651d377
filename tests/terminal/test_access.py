"""Access-control events of a terminal, live from the simulator onto the access entities.

Per the protocol manual, unverified on hardware: the simulator sends the manual's layouts.
"""

from datetime import timedelta
from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.const import CONF_LIVE_CAPTURE
from custom_components.devicehub.terminal.diagnostics import async_get_terminal_diagnostics
from custom_components.devicehub.terminal.runtime import TerminalRuntime
from tests.states import StateRecorder, StateValueRecorder
from tools.zksim import TerminalSimulator
from tools.zksim.access_events import (
    EF_ALARM,
    EF_BUTTON,
    EF_VERIFY,
    alarm_payload,
    door_closed_payload,
    duress_payload,
    verify_payload,
)

from .conftest import TITLE, async_setup_entry, async_wait_live

TAMPER = "binary_sensor.front_desk_tamper"
DURESS = "binary_sensor.front_desk_duress"
ACCESS = "event.front_desk_access"
EXIT_BUTTON = "event.front_desk_exit_button"


async def send(hass: HomeAssistant, sim: TerminalSimulator, flag: int, payload: bytes) -> None:
    """The terminal reports an access-control event to its live sessions."""
    assert await hass.async_add_executor_job(sim.inject_access_event, flag, payload) == 1


def value_recorder(hass: HomeAssistant, entity_id: str) -> StateValueRecorder:
    return StateValueRecorder(hass, entity_id)


@pytest.mark.usefixtures("loaded_entry")
async def test_tamper_and_duress_alarms_turn_on_then_off_after_the_hold(
    hass: HomeAssistant, simulator: TerminalSimulator
) -> None:
    """The manual has no "alarm over": each alarm shows for 60 seconds from its last report."""
    await async_wait_live(hass, simulator)
    assert hass.states.get(TAMPER).state == STATE_UNKNOWN  # type: ignore[union-attr]
    tamper = value_recorder(hass, TAMPER)
    duress = value_recorder(hass, DURESS)
    try:
        await send(hass, simulator, EF_ALARM, alarm_payload("tamper"))
        await tamper.wait(1)
        # A repeated alarm holds it on from its last report (events arrive in order).
        await send(hass, simulator, EF_ALARM, alarm_payload("tamper"))
        await send(hass, simulator, EF_ALARM, duress_payload("duress", 1, 1))
        await duress.wait(1)
        assert (tamper.recorded, duress.recorded) == ([STATE_ON], [STATE_ON])
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=59))
        await hass.async_block_till_done()
        assert hass.states.get(TAMPER).state == STATE_ON  # type: ignore[union-attr]
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
        await hass.async_block_till_done()
        assert tamper.recorded == [STATE_ON, STATE_OFF]
        assert duress.recorded == [STATE_ON, STATE_OFF]
    finally:
        tamper.stop()
        duress.stop()


@pytest.mark.usefixtures("loaded_entry")
async def test_denied_verifications_fire_the_access_event(
    hass: HomeAssistant, simulator: TerminalSimulator
) -> None:
    await async_wait_live(hass, simulator)
    # The user list maps the anti-passback alarm's user serial number to the user.
    user = simulator.users[1]
    access = StateRecorder(hass, ACCESS, punches_only=True)
    try:
        await send(hass, simulator, EF_VERIFY, verify_payload(None))
        await access.wait(1)
        await send(hass, simulator, EF_ALARM, duress_payload("passback", user.uid, 1))
        await access.wait(2)
        # A user who verified is a punch, not an access event.
        await send(hass, simulator, EF_VERIFY, verify_payload(user.uid))
        await send(hass, simulator, EF_VERIFY, verify_payload(None))
        await access.wait(3)
    finally:
        access.stop()
    events = access.events()
    assert [(e["event_type"], e["reason"], e["user_id"]) for e in events] == [
        ("denied", "not_identified", None),
        ("denied", "anti_passback", user.user_id),
        ("denied", "not_identified", None),
    ]
    assert events[0]["credential"] == "other"
    assert events[0]["terminal"] == TITLE
    state = hass.states.get(ACCESS)
    assert state is not None
    assert state.attributes["event_types"] == ["denied"]


@pytest.mark.usefixtures("loaded_entry")
async def test_exit_button_fires_its_event(
    hass: HomeAssistant, simulator: TerminalSimulator
) -> None:
    await async_wait_live(hass, simulator)
    pressed = StateRecorder(hass, EXIT_BUTTON, punches_only=True)
    try:
        await send(hass, simulator, EF_ALARM, alarm_payload("exit_button"))
        await pressed.wait(1)
    finally:
        pressed.stop()
    assert [event["event_type"] for event in pressed.events()] == ["pressed"]


async def test_contact_appears_at_the_first_door_state_and_stays(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    unload_at_teardown: None,
) -> None:
    runtime = await async_setup_entry(hass, config_entry)
    await async_wait_live(hass, simulator)
    contact_id = f"{runtime.info.unique_id}_contact"
    assert entity_registry.async_get_entity_id("binary_sensor", DOMAIN, contact_id) is None
    tamper = value_recorder(hass, TAMPER)
    try:
        await send(hass, simulator, EF_ALARM, door_closed_payload())
        # Events arrive in order: once the tamper alarm shows, the door state was shown.
        await send(hass, simulator, EF_ALARM, alarm_payload("tamper"))
        await tamper.wait(1)
    finally:
        tamper.stop()
    entity_id = entity_registry.async_get_entity_id("binary_sensor", DOMAIN, contact_id)
    assert entity_id == "binary_sensor.front_desk_door"
    state = hass.states.get(entity_id)
    assert state is not None
    assert (state.state, state.attributes["device_class"]) == (STATE_OFF, "door")

    # After a reload the contact is there from the start, unknown until the next report.
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_UNKNOWN  # type: ignore[union-attr]


@pytest.mark.usefixtures("loaded_entry")
async def test_bytes_that_fit_no_layout_change_nothing(
    hass: HomeAssistant, simulator: TerminalSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    await async_wait_live(hass, simulator)
    tamper = value_recorder(hass, TAMPER)
    try:
        await send(hass, simulator, EF_BUTTON, b"\x01\x00\x00\x00")
        await send(hass, simulator, EF_ALARM, b"\x99\x00\x00\x00")  # not a manual alarm type
        await send(hass, simulator, EF_ALARM, alarm_payload("tamper"))
        await tamper.wait(1)
    finally:
        tamper.stop()
    runtime: TerminalRuntime = hass.config_entries.async_entries(DOMAIN)[0].runtime_data
    assert runtime.live is not None
    assert runtime.live.unknown_access_events == 2
    diagnostics = await async_get_terminal_diagnostics(hass, runtime.entry)
    assert diagnostics["live_capture"]["unknown_access_events"] == 2
    assert sum("fits no layout" in r.getMessage() for r in caplog.records) == 1
    assert hass.states.get(ACCESS).state == STATE_UNKNOWN  # type: ignore[union-attr]
    assert hass.states.get(EXIT_BUTTON).state == STATE_UNKNOWN  # type: ignore[union-attr]


@pytest.mark.parametrize("entry_options", [{CONF_LIVE_CAPTURE: False}])
async def test_no_access_entities_without_live_capture(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    unload_at_teardown: None,
    entry_options: dict[str, Any],
) -> None:
    """Access-control events come over live capture only."""
    await async_setup_entry(hass, config_entry)
    registered = {
        entry.unique_id.split("_", 1)[1]
        for entry in er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    }
    assert not registered & {"access", "exit_button", "alarm_kind_tamper", "alarm_kind_duress"}
    assert "punch" in registered
