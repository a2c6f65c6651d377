"""The terminal comm password never shows: not in logs, diagnostics, events or exceptions.

A terminal with a distinctive password goes through its flows (add, a wrong password, import,
reauthentication), set-up, failures (a changed password, a hung terminal), actions and
diagnostics, with every logger at DEBUG. Then every captured log line (tracebacks included),
the diagnostics, the data of every event on the bus and every exception raised is searched.
"""

from dataclasses import replace
from datetime import timedelta
import json
import logging
import re
import traceback
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.devicehub.const import DOMAIN
from tests.terminal.conftest import async_wait_live, ha_wall_clock_offset
from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import TerminalSimulator, User

PASSWORD = 918273
WRONG = 564738
SECRETS = (PASSWORD, WRONG)
SERIAL = "ZKSECRET0001"


def leaks(text: str) -> list[str]:
    """The secrets found in text as numbers (not inside longer numbers or microseconds)."""
    return [str(s) for s in SECRETS if re.search(rf"(?<![\d.]){s}(?!\d)", text)]


def exception_text(err: BaseException) -> str:
    """Everything an exception could show: message, repr, placeholders, its whole chain."""
    parts = ["".join(traceback.format_exception(err))]
    seen: BaseException | None = err
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args)]
        if isinstance(seen, HomeAssistantError):
            parts.append(repr(seen.translation_placeholders))
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


async def flow(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def test_password_never_shows(
    hass: HomeAssistant,
    zk_simulator: SimulatorFactory,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    unload_at_teardown: None,
) -> None:
    """Flows, set-up, failures, actions and diagnostics, searched for the password."""
    for name in (None, "homeassistant", "custom_components.devicehub", "zk", "tools"):
        caplog.set_level(logging.DEBUG, logger=name)
    sim: TerminalSimulator = zk_simulator(users=0, serial=SERIAL, password=PASSWORD)
    sim.add_users([User(uid=1, user_id="1001", name="Ada Lovelace")])
    sim.clock.offset = ha_wall_clock_offset()
    events: list[str] = []
    errors: list[BaseException] = []

    @callback
    def record(event: Event) -> None:
        events.append(f"{event.event_type} {event.data!r}")

    hass.bus.async_listen(MATCH_ALL, record)

    async def expect_error(call: Any) -> None:
        try:
            await call
        except HomeAssistantError as err:
            errors.append(err)
        else:
            pytest.fail("the call should have failed")

    # Add the terminal: a wrong password first, then the right one.
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow(hass, result["flow_id"], {"next_step_id": "terminal"})
    form = {"host": sim.host, "port": float(sim.port), "timeout": 1.0}
    result = await flow(hass, result["flow_id"], {**form, CONF_PASSWORD: str(WRONG)})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await flow(hass, result["flow_id"], {**form, CONF_PASSWORD: str(PASSWORD)})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data[CONF_PASSWORD] == PASSWORD  # stored, as it must be, but nowhere else
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await async_wait_live(hass, sim)

    # The old server's devices.json, passwords and all; a broken one is refused quietly.
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow(hass, result["flow_id"], {"next_step_id": "import_devices"})
    devices = {"1": {"name": "Same", "ip": sim.host, "port": sim.port, "password": PASSWORD}}
    broken = json.dumps(devices)[:-3]
    result = await flow(hass, result["flow_id"], {"devices_json": broken})
    assert result["errors"] == {"devices_json": "invalid_devices_json"}
    result = await flow(hass, result["flow_id"], {"devices_json": json.dumps(devices)})
    assert result["type"] is FlowResultType.ABORT

    # Actions and diagnostics.
    device = {"config_entry_id": entry.entry_id}
    for service, data in (
        ("get_users", {}),
        ("get_attendance", {}),
        ("set_user", {"user_id": "1002", "name": "Alan Turing", "password": "1234"}),
        ("sync_time", {}),
    ):
        await hass.services.async_call(
            DOMAIN, service, {**device, **data}, blocking=True, return_response=True
        )
    await hass.services.async_call("lock", "unlock", {"entity_id": "lock.k40"}, blocking=True)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    # The terminal's password changes: actions fail, set-up fails, reauthentication.
    sim._device.config = replace(sim._device.config, password=WRONG)
    await hass.async_add_executor_job(sim.reboot, 0)
    for _ in range(2):  # the forgotten session first, then a new one the terminal refuses
        await expect_error(
            hass.services.async_call(
                DOMAIN, "get_users", device, blocking=True, return_response=True
            )
        )
    await hass.config_entries.async_reload(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    for reason in (entry.reason, repr(entry.error_reason_translation_placeholders)):
        assert not leaks(str(reason))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    reauth = next(f for f in flows if f["context"]["source"] == "reauth")
    result = await flow(hass, reauth["flow_id"], {CONF_PASSWORD: str(PASSWORD)})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await flow(hass, reauth["flow_id"], {CONF_PASSWORD: str(WRONG)})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    # A hung terminal: an unlock fails, then polls.
    sim.faults.mute = True
    await expect_error(
        hass.services.async_call("lock", "unlock", {"entity_id": "lock.k40"}, blocking=True)
    )
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("lock.k40").state == "unavailable"
    sim.faults.mute = False
    assert await hass.config_entries.async_unload(entry.entry_id)

    assert len(errors) == 3
    found = {
        "logs": leaks(
            "\n".join(logging.Formatter().format(r) for r in caplog.records) + caplog.text
        ),
        "stdout/stderr": leaks("".join(capsys.readouterr())),
        "diagnostics": leaks(json.dumps(diagnostics)),
        "events": leaks("\n".join(events)),
        "exceptions": leaks("\n".join(exception_text(err) for err in errors)),
    }
    assert found == {key: [] for key in found}
    # Not vacuous: the searches covered the actions, the failures and the flows.
    assert "devicehub.get_users" in caplog.text or "get_users" in "\n".join(events)
    assert any("invalid_auth" in exception_text(err) for err in errors)
    assert any(
        r.levelno == logging.DEBUG and r.name.startswith("custom_components.devicehub")
        for r in caplog.records
    )
    assert leaks(f"comm key {PASSWORD}, at 12:00:00.{PASSWORD}") == [str(PASSWORD)]
