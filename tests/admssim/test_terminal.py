"""The simulated push terminal against a real HTTP server on loopback (the stub server)."""

from datetime import UTC, datetime, timedelta

from custom_components.devicehub.adms import (
    MAX_BODY_BYTES,
    AcUnlock,
    ControlDevice,
    DeleteUser,
    GetOption,
    HandshakeOptions,
    Info,
    QueryUsers,
    Reboot,
    SetUser,
)
from tests.admssim_fixtures import StubServerFactory, TerminalFactory
from tools.admssim import PushVersion, SimUser, UploadResult

SERIAL = "CQZ7232560025"


async def test_handshake_adopts_the_server_options(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server(
        {SERIAL}, options=HandshakeOptions(delay=3, error_delay=9, realtime=False)
    )
    terminal = push_terminal(server.url, serial=SERIAL)
    assert await terminal.handshake()
    assert (terminal.delay, terminal.error_delay, terminal.realtime) == (3.0, 9.0, False)
    assert terminal.server_options["PushProtVer"] == "2.4.1"
    assert server.terminals[SERIAL].handshakes == 1
    handshake = terminal.exchanges[0]
    assert (handshake.method, handshake.endpoint, handshake.status) == ("GET", "cdata", 200)


async def test_v3_registers_then_asks_push(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL, push_version=PushVersion.V3)
    assert await terminal.handshake()
    assert terminal.registry_code == SERIAL
    assert [exchange.endpoint for exchange in terminal.exchanges] == ["cdata", "registry", "push"]
    assert terminal.delay == 1.0  # RequestDelay of the push answer


async def test_an_unknown_serial_is_refused(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    stranger = push_terminal(server.url, serial="UNKNOWN0001")
    assert not await stranger.handshake()
    stranger.inject_punch("1")
    assert await stranger.upload_once() is UploadResult.UNREACHABLE
    assert stranger.pending == 1
    assert server.refused["unknown_serial"] == 2


async def test_a_punch_is_delivered_once(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL, sync_clock=False)
    punch = terminal.inject_punch("7", status=1, verify=15, when=datetime(2026, 3, 1, 8, 0, 5))
    assert await terminal.flush() is UploadResult.NOTHING
    (stored,) = server.punches(SERIAL)
    assert (stored.user_id, stored.time, stored.status, stored.verify) == (
        "7", punch.time, 1, 15
    )  # fmt: skip
    assert terminal.punches_sent == [punch]
    upload = terminal.exchanges[-1]
    assert (upload.table, upload.lines, upload.reply) == ("ATTLOG", 1, "OK:1")


async def test_a_refused_batch_is_sent_again_unchanged(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL)
    terminal.add_backlog(30, datetime(2026, 1, 1))
    server.refuse_uploads = 2
    assert await terminal.upload_once() is UploadResult.REFUSED
    assert await terminal.upload_once() is UploadResult.REFUSED
    assert await terminal.upload_once() is UploadResult.ACCEPTED
    assert terminal.resends == 2
    uploads = [exchange for exchange in terminal.exchanges if exchange.table == "ATTLOG"]
    assert [(exchange.status, exchange.lines) for exchange in uploads] == [
        (503, 30), (503, 30), (200, 30)
    ]  # fmt: skip
    assert len(server.punches(SERIAL)) == 30 and terminal.pending == 0


async def test_backlog_after_an_outage_arrives_in_batches_exactly_once(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL, batch_size=400)
    assert await terminal.handshake()
    terminal.go_offline()
    backlog = terminal.add_backlog(2_500, datetime(2026, 2, 1, 7, 0))
    before = len(terminal.exchanges)
    assert await terminal.flush() is UploadResult.OFFLINE
    assert await terminal.poll_once() == []
    assert len(terminal.exchanges) == before  # nothing was sent during the spell
    terminal.go_online()
    assert await terminal.flush() is UploadResult.NOTHING
    assert server.terminals[SERIAL].handshakes == 2  # a terminal back online hands shake again
    assert [exchange.lines for exchange in terminal.exchanges if exchange.table] == [
        400, 400, 400, 400, 400, 400, 100
    ]  # fmt: skip
    assert [(p.user_id, p.time) for p in server.punches(SERIAL)] == [
        (p.user_id, p.time) for p in backlog
    ]
    assert terminal.resend_history() == 2_500
    assert await terminal.flush() is UploadResult.NOTHING
    assert len(server.punches(SERIAL)) == 2_500
    assert server.terminals[SERIAL].duplicates == 2_500


async def test_the_server_down_then_back(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL)
    terminal.inject_punch("1")
    assert await terminal.flush() is UploadResult.NOTHING
    port = int(server.url.rsplit(":", 1)[1])
    await server.stop()
    terminal.inject_punch("2")
    assert await terminal.upload_once() is UploadResult.UNREACHABLE
    assert terminal.pending == 1 and terminal.exchanges[-1].status == 0
    again = await adms_stub_server({SERIAL}, port=port)
    assert await terminal.flush() is UploadResult.NOTHING
    assert [punch.user_id for punch in again.punches(SERIAL)] == ["2"]


async def test_commands_are_carried_out_and_answered(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL, lock_seconds=4)
    terminal.add_users([SimUser("1", "Ann"), SimUser("2", "Bob")])
    ids = [
        server.queue(SERIAL, command)
        for command in (
            ControlDevice(door=1, seconds=10),
            AcUnlock(),
            SetUser(user_id="3", name="Cy Young", card="555"),
            DeleteUser("2"),
            Info(),
            GetOption("FWVersion"),
        )
    ]
    executed = await terminal.poll_once()
    assert [command.command_id for command in executed] == ids
    assert [(unlock.door, unlock.seconds) for unlock in terminal.unlocks] == [(1, 10), (1, 4)]
    assert sorted(terminal.users) == ["1", "3"]
    assert terminal.users["3"].card == "555"
    results = server.terminals[SERIAL].results
    assert [results[command_id].return_code for command_id in ids] == [0] * 6
    assert results[ids[4]].data["UserCount"] == "2"
    assert results[ids[5]].data == {"FWVersion": "ZAM180-NF-Ver1.1.17"}
    await terminal.flush()  # the user change goes up as OPERLOG
    assert server.terminals[SERIAL].users_seen == {"3": "Cy Young"}
    server.queue(SERIAL, QueryUsers())
    await terminal.poll_once()
    await terminal.flush()
    assert server.terminals[SERIAL].users_seen == {"1": "Ann", "3": "Cy Young"}


async def test_an_attendance_model_refuses_unlocks(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL, access_control=False)
    first = server.queue(SERIAL, ControlDevice(door=1, seconds=3))
    second = server.queue(SERIAL, AcUnlock())
    await terminal.poll_once()
    results = server.terminals[SERIAL].results
    assert (results[first].return_code, results[second].return_code) == (-1002, -1002)
    assert terminal.unlocks == []


async def test_reboot_hands_shake_again(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL)
    reboot = server.queue(SERIAL, Reboot())
    await terminal.poll_once()
    assert terminal.reboots == 1 and not terminal.handshaken
    assert server.terminals[SERIAL].results[reboot].succeeded
    await terminal.poll_once()
    assert server.terminals[SERIAL].handshakes == 2


async def test_the_clock_follows_the_date_header_and_time_zone(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL}, options=HandshakeOptions(time_zone_minutes=330))
    terminal = push_terminal(server.url, serial=SERIAL, clock_skew=timedelta(hours=3))
    skewed = terminal.clock.now()
    assert await terminal.handshake()
    await terminal.poll_once()  # the handshake told TimeZone=330; this reply's Date applies it
    expected = (datetime.now(UTC) + timedelta(minutes=330)).replace(tzinfo=None)
    assert abs(terminal.clock.now() - expected) <= timedelta(seconds=2)
    skewed_expected = (datetime.now(UTC) + timedelta(hours=3)).replace(tzinfo=None)
    assert abs(skewed - skewed_expected) <= timedelta(seconds=2)  # it was off before
    assert terminal.clock_syncs >= 1


async def test_a_skewed_clock_that_does_not_sync_stamps_skewed_punches(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(
        server.url, serial=SERIAL, sync_clock=False, clock_skew=timedelta(days=-1)
    )
    terminal.inject_punch("1")
    await terminal.flush()
    (stored,) = server.punches(SERIAL)
    assert datetime.now(UTC).replace(tzinfo=None) - stored.time >= timedelta(hours=23)
    assert terminal.clock_syncs == 0


async def test_garbage_and_oversized_bodies(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL})
    terminal = push_terminal(server.url, serial=SERIAL)
    assert await terminal.send_garbage(2_000, seed=3) == 200  # every line malformed, counted
    assert server.terminals[SERIAL].malformed > 0
    assert server.punches(SERIAL) == []
    assert await terminal.send_oversized(MAX_BODY_BYTES + 1) == 413
    assert server.refused["body_too_large"] == 1
    status, _ = await terminal.post_raw("cdata", b"1\t2026-01-01 00:00:00\t0\t1\n")
    assert status == 400  # an upload without a table
    assert server.refused["missing_table"] == 1


async def test_the_loop_delivers_punches_and_runs_commands(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL}, options=HandshakeOptions(delay=1, error_delay=1))
    terminal = push_terminal(server.url, serial=SERIAL)
    terminal.start()
    terminal.inject_punch("5")
    await server.wait_until(lambda: len(server.punches(SERIAL)) == 1)
    unlock = server.queue(SERIAL, ControlDevice(door=1, seconds=2))
    await server.wait_until(lambda: unlock in server.terminals[SERIAL].results)
    assert [u.seconds for u in terminal.unlocks] == [2]
    server.refuse_uploads = 1
    terminal.inject_punch("6")
    await server.wait_until(lambda: len(server.punches(SERIAL)) == 2)
    assert terminal.resends == 1
    await terminal.stop()
    assert [p.user_id for p in server.punches(SERIAL)] == ["5", "6"]


async def test_a_punch_loop(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    server = await adms_stub_server({SERIAL}, options=HandshakeOptions(delay=1, error_delay=1))
    terminal = push_terminal(server.url, serial=SERIAL)
    terminal.start(punch_every=0.01, users=3, seed=1)
    await server.wait_until(lambda: len(server.punches(SERIAL)) >= 5)
    await terminal.stop()
    assert {p.user_id for p in server.punches(SERIAL)} <= {"1", "2", "3"}


async def test_the_stub_servers_loop_friendly_modes_take_a_backlog_once(
    adms_stub_server: StubServerFactory, push_terminal: TerminalFactory
) -> None:
    for mode in ({"parse_stepwise": True, "uploads_at_once": 1}, {"parse_in_executor": True}):
        server = await adms_stub_server({SERIAL}, keep_punches=False, **mode)
        terminal = push_terminal(server.url, serial=SERIAL, batch_size=300)
        terminal.add_backlog(1_000, datetime(2026, 2, 1))
        terminal.resend_history()  # nothing acknowledged yet: nothing queued twice
        assert await terminal.flush() is UploadResult.NOTHING
        assert terminal.resend_history() == 1_000
        assert await terminal.flush() is UploadResult.NOTHING
        record = server.terminals[SERIAL]
        assert (server.stored, len(record.keys), record.duplicates) == (1_000, 1_000, 1_000)
        assert server.punches(SERIAL) == []  # keys only
