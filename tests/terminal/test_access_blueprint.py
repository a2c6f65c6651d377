"""The repeated-denied-access blueprint, run on a terminal's access event (live capture)."""

from pathlib import Path

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from tests.states import ServiceCalls, StateRecorder, async_wait_for_state
from tests.test_blueprints import async_use_blueprint
from tools.zksim import TerminalSimulator
from tools.zksim.access_events import EF_VERIFY, verify_payload

from .conftest import async_wait_live

ACCESS = "event.front_desk_access"
AUTOMATION = "automation.denied_access_alert"


@pytest.mark.usefixtures("loaded_entry")
async def test_three_refused_verifications_notify(
    hass: HomeAssistant, simulator: TerminalSimulator, tmp_path: Path
) -> None:
    await async_wait_live(hass, simulator)
    async_mock_service(hass, "notify", "mobile_app_phone")
    notifications = ServiceCalls(hass, "notify")
    denied = StateRecorder(hass, ACCESS, punches_only=True)
    try:
        await async_use_blueprint(
            hass,
            tmp_path,
            "denied_access_alert",
            {"access_event": ACCESS, "notify_action": "notify.mobile_app_phone"},
        )
        for count in range(1, 4):
            sent = await hass.async_add_executor_job(
                simulator.inject_access_event, EF_VERIFY, verify_payload(None)
            )
            assert sent == 1
            await denied.wait(count)
            if count < 3:
                # The first refusal starts the run that counts the next ones (block_till_done
                # would wait for the run's whole window instead); the third ends it.
                await async_wait_for_state(
                    hass, AUTOMATION, lambda state: state.attributes.get("current") == 1
                )
        [call] = await notifications.wait(1)
    finally:
        notifications.stop()
        denied.stop()
    assert call["title"] == "Repeated denied access"
    assert call["message"] == "Front desk refused access 3 times within 60 seconds."
