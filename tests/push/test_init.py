"""Setup, unload, removal and diagnostics of push terminal entries."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.diagnostics import async_get_config_entry_diagnostics
from custom_components.devicehub.push.const import CONF_CODE, HISTORY_MARGIN
from tests.journals import journal_file
from tools.admssim import PushTerminalSimulator

from .conftest import SERIAL, runtime_of


async def test_diagnostics(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Counters keyed by serial, last contact, command results; the code redacted."""
    hass.config_entries.async_update_entry(loaded_entry, options={CONF_CODE: "9999"})
    sim.inject_punch("1001")
    await sim.flush()
    await sim.poll_once()
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    assert diagnostics["entry"]["options"][CONF_CODE] == "**REDACTED**"
    counters = diagnostics["counters"][SERIAL]
    assert counters["punches_delivered"] == 1
    assert counters["requests_handshake"] == 1
    assert counters["requests_poll"] == 1
    assert diagnostics["contact"]["online"] is True
    assert diagnostics["contact"]["last_contact"] is not None
    assert diagnostics["ledger"]["remembered_keys"] == 1
    assert diagnostics["ledger"]["stamps"] == {"ATTLOG": "1"}
    assert diagnostics["commands"]["last_results"] == []
    assert diagnostics["refused"] == {SERIAL: {}}


async def test_remove_entry_forgets_ledger(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry, hass_storage
) -> None:
    """Deleting the entry deletes its stored punch ledger and its journal (both kept on
    unload); the terminal is then unknown."""
    sim.inject_punch("1001")
    await sim.flush()
    key = f"{DOMAIN}.push.{loaded_entry.entry_id}"
    journal = journal_file(hass, f"push_journal.{loaded_entry.entry_id}")
    assert key in hass_storage
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert key in hass_storage
    assert await hass.async_add_executor_job(journal.exists)
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
    assert not await hass.async_add_executor_job(journal.exists)
    assert not await sim.handshake()


async def test_stale_device_removal(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client
) -> None:
    """The terminal's own device cannot be removed; another device of the entry can."""
    from custom_components.devicehub import async_remove_config_entry_device

    registry = dr.async_get(hass)
    own = registry.async_get_device_by_identifier((DOMAIN, SERIAL), loaded_entry.entry_id)
    assert own is not None
    assert not await async_remove_config_entry_device(hass, loaded_entry, own)
    other = registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={(DOMAIN, "OLD")}
    )
    assert await async_remove_config_entry_device(hass, loaded_entry, other)


async def test_corrupt_ledger_starts_afresh(
    hass: HomeAssistant, hass_storage, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """An unreadable stored ledger is replaced by an empty one, with a warning, whose time
    cursor is placed like a new terminal's: the terminal's history is not replayed."""
    from .conftest import push_entry

    entry = push_entry()
    entry.add_to_hass(hass)
    hass_storage[f"{DOMAIN}.push.{entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.push.{entry.entry_id}",
        "data": {"floor": None, "recent": ["no tabs here"]},
    }
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    runtime = runtime_of(entry)
    assert runtime.ledger.remembered == 0
    created = entry.created_at.astimezone(runtime.settings.time_zone)
    assert runtime.ledger.floor == created.replace(microsecond=0, tzinfo=None) - HISTORY_MARGIN
