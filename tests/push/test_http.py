"""The endpoints: unknown serials discovered (once, a few at a time), everything refused
counted and logged once without the body, oversized bodies refused before parsing."""

import logging
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import SOURCE_IGNORE, SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.adms import MAX_BODY_BYTES, MAX_LINES
from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.push.const import MAX_COUNTED_SERIALS, MAX_PENDING_DISCOVERIES
from custom_components.devicehub.push.gateway import async_get_gateway
from tools.admssim import PushTerminalSimulator, UploadResult

from .conftest import SERIAL, SimFactory, push_entry, runtime_of


def _discoveries(hass: HomeAssistant) -> list[Any]:
    return hass.config_entries.flow.async_progress_by_handler(
        DOMAIN, match_context={"source": SOURCE_INTEGRATION_DISCOVERY}
    )


async def test_unknown_serial_discovered_once_then_confirmed(
    hass: HomeAssistant, http_client: TestClient, make_sim: SimFactory
) -> None:
    """An unknown terminal is refused and offered once, however often it calls; confirmed,
    it is served from its next call."""
    sim = await make_sim("NEWSN0001")
    assert not await sim.handshake()
    assert sim.exchanges[-1].status == 403
    assert not await sim.handshake()
    await hass.async_block_till_done(wait_background_tasks=True)
    flows = _discoveries(hass)
    assert len(flows) == 1
    assert flows[0]["context"]["unique_id"] == "NEWSN0001"
    assert flows[0]["step_id"] == "push_terminal_confirm"
    assert flows[0]["context"]["title_placeholders"] == {"name": "SN NEWSN0001"}
    assert async_get_gateway(hass).refused["NEWSN0001"]["unknown_serial"] == 2

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"name": "Lobby", "time_zone": "UTC"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Lobby"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await sim.handshake()
    sim.inject_punch("1")
    assert await sim.upload_once() is UploadResult.ACCEPTED


async def test_pending_discoveries_capped(
    hass: HomeAssistant, http_client: TestClient, make_sim: SimFactory
) -> None:
    """At most 5 discovery flows wait at once; more unknown serials are refused and counted."""
    assert MAX_PENDING_DISCOVERIES == 5
    for index in range(7):
        sim = await make_sim(f"UNKNOWN{index}")
        assert not await sim.handshake()
        await hass.async_block_till_done(wait_background_tasks=True)
    assert len(_discoveries(hass)) == 5
    refused = async_get_gateway(hass).refused
    assert refused["UNKNOWN5"]["discovery_cap"] == 1
    assert refused["UNKNOWN6"]["discovery_cap"] == 1


async def test_ignored_and_unloaded_serials_refused(
    hass: HomeAssistant, http_client: TestClient, make_sim: SimFactory
) -> None:
    """An ignored terminal is refused without a new discovery; so is an unloaded one."""
    ignored = MockConfigEntry(domain=DOMAIN, unique_id="IGNORED1", source=SOURCE_IGNORE, data={})
    ignored.add_to_hass(hass)
    unloaded = push_entry("UNLOADED1")
    unloaded.add_to_hass(hass)
    for serial in ("IGNORED1", "UNLOADED1"):
        sim = await make_sim(serial)
        assert not await sim.handshake()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _discoveries(hass) == []
    refused = async_get_gateway(hass).refused
    assert refused["IGNORED1"] == {"ignored": 1}
    assert refused["UNLOADED1"] == {"not_loaded": 1}


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/iclock/cdata?SN=bad%20serial&options=all", 400, "bad_serial"),
        ("/iclock/cdata?options=all", 400, "bad_serial"),
        ("/iclock/nothing?SN=CQZ7232560025", 404, "unknown_path"),
    ],
)
async def test_bad_requests_refused_and_counted(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    http_client: TestClient,
    path: str,
    status: int,
    reason: str,
) -> None:
    """Requests that are not a push terminal's are refused and counted."""
    response = await http_client.get(path)
    assert response.status == status
    assert await response.text() == reason
    counts = async_get_gateway(hass).refused
    assert sum(c[reason] for c in counts.values()) == 1


async def test_upload_without_table_and_wrong_method(
    hass: HomeAssistant, sim: PushTerminalSimulator, http_client: TestClient
) -> None:
    """An upload without a table, and a method an endpoint does not take, are refused."""
    status, reply = await sim.post_raw("cdata", b"1\t2026-01-01 00:00:00\t0\t1\n")
    assert (status, reply) == (400, "missing_table")
    response = await http_client.get(f"/iclock/devicecmd?SN={SERIAL}")
    assert response.status == 405
    refused = async_get_gateway(hass).refused[SERIAL]
    assert refused["missing_table"] == 1
    assert refused["method_not_allowed"] == 1


async def test_oversized_body_refused(
    hass: HomeAssistant,
    sim: PushTerminalSimulator,
    loaded_entry: MockConfigEntry,
    http_client: TestClient,
) -> None:
    """A body over 4 MiB is refused whole (413) before it is parsed, declared or not."""
    assert MAX_BODY_BYTES == 4 * 1024 * 1024
    delivered: list[Any] = []
    runtime_of(loaded_entry).punches.async_add_listener(delivered.append)
    assert await sim.send_oversized(4 * 1024 * 1024 + 1) == 413

    async def chunks() -> Any:
        line = b"1\t2026-01-01 00:00:00\t0\t1\t0\t0\t0\n"
        for _ in range(5):
            yield line * 30_000

    response = await http_client.post(
        f"/iclock/cdata?SN={SERIAL}&table=ATTLOG&Stamp=1", data=chunks()
    )
    assert response.status == 413
    assert delivered == []
    assert async_get_gateway(hass).refused[SERIAL]["body_too_large"] == 2
    # 50,000 lines are taken (history, so not delivered); one more is refused.
    assert MAX_LINES == 50_000
    line = b"1\t2020-01-01 00:00:00\t0\t1\t0\t0\t0\n"
    status, _ = await sim.post_raw("cdata", line * 50_000, {"table": "ATTLOG", "Stamp": "1"})
    assert status == 200
    status, _ = await sim.post_raw("cdata", line * 50_001, {"table": "ATTLOG", "Stamp": "1"})
    assert status == 413
    assert async_get_gateway(hass).refused[SERIAL]["too_many_lines"] == 1


async def test_garbage_body(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Random bytes as a punch upload: every line malformed, nothing delivered, no crash."""
    delivered: list[Any] = []
    runtime_of(loaded_entry).punches.async_add_listener(delivered.append)
    assert await sim.send_garbage(4_096) == 200
    assert delivered == []
    assert runtime_of(loaded_entry).counters["malformed_lines"] > 0


async def test_refusals_logged_once_without_body(
    hass: HomeAssistant,
    http_client: TestClient,
    make_sim: SimFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refusal is logged once per serial and reason, never with what was sent."""
    caplog.set_level(logging.WARNING)
    sim = await make_sim("UNKNOWN9")
    for _ in range(3):
        await sim.post_raw("cdata", b"SECRET-BODY", {"table": "ATTLOG"})
    messages = [r.getMessage() for r in caplog.records if "Refused" in r.getMessage()]
    assert messages == ["Refused a push terminal request (serial UNKNOWN9): unknown_serial"]
    assert "SECRET-BODY" not in caplog.text


async def test_refusal_counters_bounded(hass: HomeAssistant, http_client: TestClient) -> None:
    """Refusals are counted for 64 serials; the rest share one counter."""
    assert MAX_COUNTED_SERIALS == 64
    gateway = async_get_gateway(hass)
    for index in range(70):
        gateway.async_refuse(f"S{index}", "unknown_serial")
    assert len(gateway.refused) == 65
    assert gateway.refused["other"]["unknown_serial"] == 6


async def test_other_tables_and_v3_endpoints(
    hass: HomeAssistant, sim: PushTerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Photos, templates and door logs are taken (so not resent); pings and options too."""
    status, reply = await sim.post_raw("cdata", b"a\nb\n", {"table": "rtlog", "Stamp": "3"})
    assert (status, reply) == (200, "OK:2")
    status, reply = await sim.post_raw(
        "cdata",
        b"PIN=1_20260101.jpg\nSN=X\nsize=3\nCMD=uploadphoto\x00\xff\xd8\xff",
        {"table": "ATTPHOTO", "Stamp": "5"},
    )
    assert (status, reply) == (200, "OK")
    assert runtime_of(loaded_entry).ledger.stamps["ATTPHOTO"] == "5"
    status, reply = await sim.post_raw(
        "cdata", b"~DeviceName=MB560-VL,FWVersion=Ver 6.60", {"table": "options"}
    )
    assert status == 200
    assert runtime_of(loaded_entry).facts["model"] == "MB560-VL"
    status, reply = await sim.post_raw("ping", b"")
    assert status == 405
    status, reply = await sim.post_raw(
        "cdata",
        b"USER PIN=7\tName=Zoe\nOPLOG 4\t0\t2026-01-01 00:00:00\t0\t0\t0\t0\n",
        {"table": "OPERLOG", "Stamp": "12"},
    )
    assert (status, reply) == (200, "OK:2")
    assert runtime_of(loaded_entry).ledger.users["7"] == "Zoe"
    assert runtime_of(loaded_entry).ledger.stamps["OPERLOG"] == "12"
    status, reply = await sim.post_raw(
        "querydata", b"USERINFO PIN=8\tName=Yan\n", {"type": "tabledata"}
    )
    assert status == 200
    assert runtime_of(loaded_entry).ledger.users["8"] == "Yan"


async def test_discovery_cap_holds_in_a_burst(hass: HomeAssistant, http_client: TestClient) -> None:
    """Unknown serials calling all at once, before any flow is listed, start at most 5."""
    gateway = async_get_gateway(hass)
    for index in range(8):
        gateway.async_refuse_unserved(f"BURST{index}", "127.0.0.1")
        gateway.async_refuse_unserved(f"BURST{index}", "127.0.0.1")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert gateway.discoveries_started == 5
    assert len(_discoveries(hass)) == 5
    assert sum(counts["discovery_cap"] for counts in gateway.refused.values()) == 6
