"""The client against every firmware profile of the simulator, and each refusal case."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from custom_components.devicehub.zk import TerminalClient
from custom_components.devicehub.zk.errors import TerminalIdentityUnknown, TerminalLayoutUnknown
from tools.zksim import SimulatorConfig, TerminalSimulator
from tools.zksim.firmware import PROFILES

from .conftest import SimulatorFactory, config_for, expected_records
from .test_live import CaptureFactory, start_capture  # noqa: F401

FIRMWARE = sorted(PROFILES)
# Time-zone settings as a real TFT terminal may hold them: use-group-zones off, zones 1-3.
ZONES_72 = bytes([0, 1, 0, 2, 0, 3, 0, 0])
ZONES_28 = bytes([5, 0])


def profile_simulator(
    make: SimulatorFactory, firmware: str, **overrides: object
) -> TerminalSimulator:
    settings: dict[str, object] = {"users": 8, "records": 300, "seed": 3, **overrides}
    return make(SimulatorConfig.for_firmware(firmware), **settings)


def with_zones(simulator: TerminalSimulator) -> bytes:
    """Give every user of the terminal time-zone settings and group 3; return the zones."""
    zones = ZONES_72 if simulator.config.user_size == 72 else ZONES_28
    simulator.add_users([replace(user, group_id="3", time_zones=zones) for user in simulator.users])
    return zones


@pytest.mark.parametrize("firmware", FIRMWARE)
def test_profile_reads_and_writes(make_simulator: SimulatorFactory, firmware: str) -> None:
    """Identity, counts, the whole log, users with group and time zones, a rewrite."""
    simulator = profile_simulator(make_simulator, firmware)
    zones = with_zones(simulator)
    client = TerminalClient(config_for(simulator))
    info = client.get_info()
    assert info.unique_id == simulator.config.serial_number()
    refused = simulator.config.options
    assert info.platform == ("" if "~Platform" in refused else simulator.config.platform)
    assert info.device_name == ("" if "~DeviceName" in refused else simulator.config.device_name)
    assert info.firmware_version == simulator.config.firmware

    counts = client.get_counts()
    if simulator.config.counters_bytes < 80:
        assert (counts.records, counts.users) == (None, None)
    else:
        assert (counts.records, counts.users) == (300, 8)

    batch = client.get_attendance()
    assert batch.invalid == 0
    assert batch.records == expected_records(simulator)

    users = client.get_users()
    assert [(u.user_id, u.group_id, u.time_zones) for u in users] == [
        (u.user_id, "3", zones) for u in simulator.users
    ]
    first = users[0]
    client.set_user(first.user_id, "Renamed")  # no group given: it stays
    client.set_user("4242", "New one", group_id="7")
    client.close()
    renamed = simulator.user(first.user_id)
    assert renamed is not None
    assert (renamed.name, renamed.group_id, renamed.time_zones) == ("Renamed", "3", zones)
    created = simulator.user("4242")
    assert created is not None
    assert (created.group_id, created.time_zones) == ("7", bytes(len(zones)))
    write = simulator.user_writes[-1]
    assert write.record_size == simulator.config.user_size


async def test_every_profile_event_length_decodes(
    make_simulator: SimulatorFactory,
    start_capture: CaptureFactory,  # noqa: F811
) -> None:
    """Each profile's realtime event length, and batched 52-byte events, decode."""
    for firmware in FIRMWARE:
        simulator = profile_simulator(make_simulator, firmware, records=0)
        capture, recorder = start_capture(config_for(simulator))
        assert await recorder.next_change() is True
        assert simulator.wait_for_listeners(1)
        when = simulator.clock.now().replace(microsecond=0) - timedelta(minutes=1)
        pins = [user.user_id for user in simulator.users[:3]]
        for offset, pin in enumerate(pins):
            simulator.inject_punch(pin, punch=1, verify=15, when=when + timedelta(seconds=offset))
        events = [await recorder.next_event() for _ in pins]
        assert [(e.user_id, e.timestamp, e.punch, e.verify) for e in events] == [
            (pin, when + timedelta(seconds=offset), 1, 15) for offset, pin in enumerate(pins)
        ], firmware
        assert capture.invalid_events == 0
        capture.stop()


def test_serial_refused_falls_back_to_the_mac(make_simulator: SimulatorFactory) -> None:
    """No serial number: the MAC identifies the terminal."""
    simulator = make_simulator(options={"~SerialNumber": None}, mac="00:17:61:AA:BB:CC")
    client = TerminalClient(config_for(simulator))
    info = client.get_info()
    client.close()
    assert (info.serial_number, info.mac, info.unique_id) == (
        "",
        "00:17:61:AA:BB:CC",
        "00:17:61:aa:bb:cc",
    )


def test_serial_and_mac_refused(make_simulator: SimulatorFactory) -> None:
    """Nothing identifies the terminal: a typed error, not a made-up identity."""
    simulator = make_simulator(options={"~SerialNumber": None, "MAC": None})
    client = TerminalClient(config_for(simulator))
    with pytest.raises(TerminalIdentityUnknown):
        client.get_info()
    client.close()


@pytest.mark.parametrize("refused", ["~Platform", "~DeviceName", "MAC", "ZKFaceVersion"])
def test_optional_option_refused(make_simulator: SimulatorFactory, refused: str) -> None:
    """A refused description option leaves that field empty; the rest still reads."""
    simulator = make_simulator(options={refused: None})
    client = TerminalClient(config_for(simulator))
    info = client.get_info()
    client.close()
    assert info.serial_number == simulator.config.serial_number()
    fields = {"~Platform": info.platform, "~DeviceName": info.device_name, "MAC": info.mac}
    if refused in fields:
        assert fields[refused] == ""
    assert info.firmware_version == simulator.config.firmware


def test_four_byte_counters_still_read_the_log(make_simulator: SimulatorFactory) -> None:
    """AK3750: the count is unknown (None), never 0, and the log is read all the same."""
    simulator = profile_simulator(make_simulator, "ak3750", records=50)
    client = TerminalClient(config_for(simulator))
    assert client.get_counts().records is None
    assert len(client.get_attendance().records) == 50
    result = client.clear_attendance_if(lambda batch: len(batch.records) == 50)
    client.close()
    assert result.cleared
    assert (result.records_before, result.records_after) == (50, 50)
    assert simulator.record_count == 0


def test_log_in_no_known_layout_is_refused(make_simulator: SimulatorFactory) -> None:
    """A log that fits no layout raises, naming sizes and firmware; nothing is delivered."""
    simulator = make_simulator(users=4, records=20, record_size=40)
    simulator.faults.invalid_dates_every = 1  # every record dated 31 February
    client = TerminalClient(config_for(simulator))
    with pytest.raises(TerminalLayoutUnknown) as caught:
        client.get_attendance()
    client.close()
    error = caught.value
    assert (error.body_bytes, error.count) == (800, 20)
    assert 40 in error.sizes
    assert simulator.config.firmware in error.firmware
    assert simulator.config.platform in error.firmware


def test_eight_byte_log_dated_decades_off_is_refused(make_simulator: SimulatorFactory) -> None:
    """pyzk 0.9's layout from a terminal: its dates are not near the clock, so refused."""
    simulator = make_simulator(users=4, records=20, record_size=8, eight_byte_layout="pyzk")
    client = TerminalClient(config_for(simulator))
    with pytest.raises(TerminalLayoutUnknown):
        client.get_attendance()
    client.close()


def test_clock_far_from_the_records(make_simulator: SimulatorFactory) -> None:
    """Records 25 years behind the terminal's clock are not believed."""
    simulator = make_simulator(
        users=4,
        records=20,
        records_last_day=date(2025, 1, 1),
        clock_offset=datetime(2075, 1, 1) - datetime.now(),
    )
    client = TerminalClient(config_for(simulator))
    with pytest.raises(TerminalLayoutUnknown):
        client.get_attendance()
    client.close()
