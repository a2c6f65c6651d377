"""TerminalClient against a simulated terminal over real loopback sockets, pyzk underneath."""

from datetime import datetime

import pytest

from custom_components.devicehub.zk import (
    TerminalClient,
    TerminalConfig,
    TerminalInvalidArgument,
    TerminalUserNotFound,
)
from tools.zksim import TerminalSimulator

from .conftest import SimulatorFactory, config_for, expected_records, expected_users, pyzk_connect

CMD_UNLOCK = 31


def test_info_counts_and_clock(simulator: TerminalSimulator, client: TerminalClient) -> None:
    """Identity, counters and clock come back typed, over TCP by default."""
    info = client.get_info()
    assert info.serial_number == simulator.config.serial_number()
    assert (info.platform, info.device_name, info.model) == ("ZMM220_TFT", "K40", "K40")
    assert info.firmware_version == "Ver 6.60 Apr 28 2017"
    assert info.mac == simulator.config.mac_address()
    assert client.transport == "tcp"
    counts = client.get_counts()
    assert (counts.users, counts.records, counts.fingerprints, counts.faces) == (10, 50, 0, 0)
    assert (counts.users_capacity, counts.records_capacity) == (10_000, 100_000)
    assert counts.fingerprints_capacity == 3_000
    when = datetime(2024, 2, 29, 23, 59, 58)
    client.set_time(when)
    assert simulator.time_sets == [when]
    assert abs((client.get_time() - when).total_seconds()) <= 2
    client.close()
    client.close()
    assert not client.connected


def test_model_falls_back_to_platform(make_simulator: SimulatorFactory) -> None:
    """A terminal without a device name is described by its platform."""
    simulator = make_simulator(options={"~DeviceName": None})
    client = TerminalClient(config_for(simulator))
    info = client.get_info()
    client.close()
    assert (info.device_name, info.model) == ("", "ZMM220_TFT")


def test_users_and_attendance_match_the_terminal(
    simulator: TerminalSimulator, client: TerminalClient
) -> None:
    """Every user and punch arrives with the terminal's values."""
    assert client.get_users() == expected_users(simulator)
    batch = client.get_attendance()
    assert batch.invalid == 0
    assert batch.records == expected_records(simulator)
    client.close()


@pytest.mark.parametrize("record_size", [8, 49])
def test_layouts_pyzk_misreads_are_read_right(
    make_simulator: SimulatorFactory, record_size: int
) -> None:
    """8-byte (ZEM500) and 49-byte (face terminal) logs: right here, wrong in pyzk 0.9.

    pyzk 0.9 reads the 8-byte time at offset 3 and walks 49-byte records in 40-byte steps.
    """
    simulator = make_simulator(users=30, records=300, record_size=record_size)
    client = TerminalClient(config_for(simulator))
    batch = client.get_attendance()
    client.close()
    assert batch.invalid == 0
    assert batch.records == expected_records(simulator)
    connection = pyzk_connect(simulator, timeout=5)
    try:
        theirs = connection.get_attendance()
    except ValueError:  # an impossible date among the misread ones
        theirs = []
    finally:
        connection.disconnect()
    assert [(r.user_id, r.timestamp) for r in theirs] != [
        (r.user_id, r.timestamp) for r in batch.records
    ]


@pytest.mark.parametrize("record_size", [40, 16])
def test_record_layouts_agree_with_pyzk(make_simulator: SimulatorFactory, record_size: int) -> None:
    """The record sizes pyzk 0.9 reads right parse to what the terminal holds, as in pyzk."""
    simulator = make_simulator(users=30, records=3000, record_size=record_size)
    client = TerminalClient(config_for(simulator))
    batch = client.get_attendance()
    client.close()
    assert batch.invalid == 0
    assert batch.records == expected_records(simulator)
    connection = pyzk_connect(simulator, timeout=5)
    theirs = connection.get_attendance()
    connection.disconnect()
    assert [(r.uid, r.user_id, r.timestamp, r.status, r.punch) for r in theirs] == [
        (r.uid, r.user_id, r.timestamp, r.verify, r.punch) for r in batch.records
    ]


def test_empty_log_and_no_users(make_simulator: SimulatorFactory) -> None:
    """A fresh terminal has nothing, and says so without a bulk read."""
    client = TerminalClient(config_for(make_simulator(users=0, records=0)))
    assert client.get_users() == []
    assert client.get_attendance().records == []
    client.close()


def test_invalid_dates_are_skipped_and_counted(
    simulator: TerminalSimulator, client: TerminalClient
) -> None:
    """Every 5th record dated 31 February: 10 skipped and counted, 40 kept."""
    simulator.faults.invalid_dates_every = 5
    batch = client.get_attendance()
    assert (len(batch.records), batch.invalid) == (40, 10)
    valid = [r for i, r in enumerate(expected_records(simulator)) if (i + 1) % 5 != 0]
    assert [r.user_id for r in batch.records] == [r.user_id for r in valid]
    client.close()


def test_stale_record_count_is_tolerated(
    simulator: TerminalSimulator, client: TerminalClient
) -> None:
    """A count that disagrees with the log by one does not derail the parse."""
    simulator.faults.records_count_skew = -1
    assert client.get_attendance().records == expected_records(simulator)
    client.close()


def test_user_round_trip(simulator: TerminalSimulator, client: TerminalClient) -> None:
    """Create, update, delete a user; unknown users are reported."""
    client.set_user("900", "Ann Lee", privilege=14, password="1234", card=4242, group_id="2")
    created = simulator.user("900")
    assert created is not None
    assert (created.name, created.privilege, created.password) == ("Ann Lee", 14, "1234")
    assert (created.card, created.group_id, created.uid) == (4242, "2", 11)
    client.set_user("900", "Ann Lee-Smith")
    updated = simulator.user("900")
    assert updated is not None
    assert (updated.name, updated.uid) == ("Ann Lee-Smith", 11)
    client.delete_user("900")
    assert simulator.user("900") is None
    with pytest.raises(TerminalUserNotFound):
        client.delete_user("900")
    assert client.get_counts().users == 10
    client.close()


def test_user_arguments_checked(client: TerminalClient) -> None:
    """Values the terminal cannot hold are refused before anything is sent."""
    for bad in (
        {"privilege": 3},
        {"user_id": ""},
        {"card": -1},
        {"user_id": "x" * 25},
        {"user_id": "ü"},
        {"group_id": "12345678"},
        {"password": "123456789"},
    ):
        arguments = {"user_id": "77", "name": "X"} | bad
        with pytest.raises(TerminalInvalidArgument):
            client.set_user(**arguments)  # type: ignore[arg-type]
    with pytest.raises(TerminalInvalidArgument):
        client.unlock(0)
    with pytest.raises(TerminalInvalidArgument):
        client.set_time(datetime(1999, 1, 1))
    assert client.connected  # argument errors do not cost the connection
    client.close()


def test_gbk_names(make_simulator: SimulatorFactory) -> None:
    """Names in GBK are read and written with the terminal's encoding, cut whole."""
    simulator = make_simulator(users=20, encoding="gbk")
    client = TerminalClient(config_for(simulator))
    users = client.get_users()
    assert users == expected_users(simulator)
    assert any(ord(char) > 0x3000 for user in users for char in user.name)
    long_name = "张伟" * 7  # 28 bytes in GBK: one character too many
    client.set_user("4242", long_name)
    written = simulator.user("4242")
    assert written is not None
    assert written.name == long_name[:12]
    assert simulator.user_writes[-1].record_size == 72
    client.close()


def test_28_byte_user_terminal(make_simulator: SimulatorFactory) -> None:
    """Old firmware: 28-byte users, numeric ids only, 8-byte names."""
    simulator = make_simulator(users=5, user_size=28)
    client = TerminalClient(config_for(simulator))
    users = client.get_users()
    assert [(u.uid, u.user_id, u.card) for u in users] == [
        (u.uid, u.user_id, u.card) for u in simulator.users
    ]
    for ours, theirs in zip(users, simulator.users, strict=True):
        assert ours.name == theirs.name.encode()[:8].decode(errors="ignore").strip()
    client.set_user("31337", "Bartholomew", group_id="3")
    written = simulator.user("31337")
    assert written is not None
    assert (written.name, written.group_id) == ("Bartholo", "3")
    assert simulator.user_writes[-1].record_size == 28
    for bad in ({"user_id": "A1"}, {"group_id": "300"}, {"password": "123456"}):
        with pytest.raises(TerminalInvalidArgument):
            client.set_user(**({"user_id": "5", "name": "X"} | bad))  # type: ignore[arg-type]
    client.close()


def test_door_voice_clear_and_restart(simulator: TerminalSimulator, client: TerminalClient) -> None:
    """The one-shot commands reach the terminal."""
    client.unlock(5)
    client.test_voice(3)
    client.clear_attendance()
    assert [pulse.seconds for pulse in simulator.unlocks] == [5]
    assert simulator.voices == [3]
    assert simulator.record_count == 0
    client.restart()
    assert simulator.restarts == 1
    assert not client.connected
    assert simulator.wait_until_up(5)
    assert client.get_counts().records == 0
    client.close()


def test_config_validation() -> None:
    """Impossible settings fail at construction."""
    for bad in ({"encoding": "nope"}, {"port": 0}, {"timeout": 0}, {"password": -1}):
        with pytest.raises(ValueError):
            TerminalConfig(host="127.0.0.1", **bad)  # type: ignore[arg-type]
