"""Firmware profiles: layouts and quirks written from published facts, checked on the wire."""

from datetime import datetime
import struct

import pytest

from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import SimulatorConfig
from tools.zksim.__main__ import parse_args
from tools.zksim.firmware import PROFILES, profile
from tools.zksim.protocol import Command, Reply, decode_time
from tools.zksim.records import AttendanceRecord, User, decode_user, encode_event, encode_user

from .rawclient import RawClient

WHEN = datetime(2016, 1, 1, 9, 2, 0)


def test_profiles_required_by_the_facts() -> None:
    """ZEM500 8/28, BW 16/28, TFT 40/72, SpeedFace 49/72 refusing ~Platform, AK3750 4 bytes."""
    layouts = {name: (p.record_size, p.user_size) for name, p in PROFILES.items()}
    assert layouts["zem500"] == (8, 28)
    assert layouts["bw"] == (16, 28)
    assert layouts["tft"] == (40, 72)
    assert layouts["speedface-v5l"] == (49, 72)
    assert "~Platform" in PROFILES["speedface-v5l"].refused_options
    assert PROFILES["ak3750"].counters_bytes == 4
    with pytest.raises(ValueError, match="known: "):
        profile("K99")


def test_cli_firmware_option() -> None:
    """--firmware picks a profile; explicit sizes still override it."""
    config = parse_args(["--firmware", "zem500", "--port", "0"])
    assert (config.record_size, config.user_size, config.firmware_profile) == (8, 28, "zem500")
    assert config.option_table()["~DeviceName"] is None
    config = parse_args(["--firmware", "speedface-v5l", "--event-size", "36"])
    assert (config.record_size, config.event_size) == (49, 36)
    assert config.option_table()["~Platform"] is None
    assert parse_args([]).firmware_profile == ""
    with pytest.raises(SystemExit):
        parse_args(["--firmware", "unknown"])


def test_zem500_records_on_the_wire(zk_simulator: SimulatorFactory) -> None:
    """8 bytes: uid, punch<<4 | verify, 0, time at offset 4 (pyzk issue 99's values)."""
    sim = zk_simulator(SimulatorConfig.for_firmware("zem500"), users=0)
    sim.add_users([User(uid=7, user_id="7")])
    sim.add_records([AttendanceRecord(uid=7, user_id="7", timestamp=WHEN, verify=8, punch=2)])
    body = sim.attendance_dataset()[4:]
    uid, states, zero, raw = struct.unpack("<HBBI", body)
    assert (uid, states, zero, decode_time(raw)) == (7, 0x28, 0, WHEN)


def test_forty_nine_byte_records_keep_the_tft_head(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(SimulatorConfig.for_firmware("speedface-v5l"), users=3, records=4)
    body = sim.attendance_dataset()[4:]
    assert len(body) == 4 * 49
    second = body[49:98]
    uid, pin, _verify, raw, _punch = struct.unpack_from("<H24sBIB", second)
    record = sim.records[1]
    assert (uid, pin.rstrip(b"\0").decode(), decode_time(raw)) == (
        record.uid,
        record.user_id,
        record.timestamp,
    )


def test_four_byte_counters_reply(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(SimulatorConfig.for_firmware("ak3750"), users=2, records=3)
    with RawClient(sim.port) as client:
        client.connect()
        header, payload = client.request(Command.GET_FREE_SIZES)
    assert header.code == Reply.ACK_OK
    assert len(payload) == 4


def test_refused_options_are_answered_with_an_error(zk_simulator: SimulatorFactory) -> None:
    sim = zk_simulator(SimulatorConfig.for_firmware("speedface-v5l"), users=1)
    with RawClient(sim.port) as client:
        client.connect()
        refused, _ = client.request(Command.OPTIONS_RRQ, b"~Platform\0")
        answered, value = client.request(Command.OPTIONS_RRQ, b"~DeviceName\0")
    assert refused.code == Reply.ACK_ERROR
    assert (answered.code, value) == (Reply.ACK_OK, b"~DeviceName=SpeedFace-V5L\0")


def test_72_byte_user_group_and_time_zones() -> None:
    """Group at offset 39, time zones at 40..47; pyzk's group text lands in the zones."""
    zones = bytes([1, 0, 2, 0, 3, 0, 0, 0])
    user = User(uid=1, user_id="1", name="Ned", group_id="2", time_zones=zones)
    raw = encode_user(user, 72, "utf-8")
    assert (raw[39], raw[40:48]) == (2, zones)
    back = decode_user(raw, "utf-8")
    assert (back.group_id, back.time_zones) == ("2", zones)
    pyzk_write = struct.pack("<HB8s24s4sx7sx24s", 1, 0, b"", b"Ned", bytes(4), b"5", b"1")
    landed = decode_user(pyzk_write, "utf-8")
    assert (landed.group_id, landed.time_zones[:1]) == ("0", b"5")


@pytest.mark.parametrize(("size", "pin_format"), [(10, "<H"), (14, "<H"), (12, "<I")])
def test_numeric_event_layouts(size: int, pin_format: str) -> None:
    record = AttendanceRecord(uid=1, user_id="4321", timestamp=WHEN, verify=15, punch=1)
    payload = encode_event(record, size)
    assert len(payload) == size
    (pin,) = struct.unpack_from(pin_format, payload)
    width = struct.calcsize(pin_format)
    assert pin == 4321
    assert payload[width : width + 8] == bytes([15, 1, 16, 1, 1, 9, 2, 0])


@pytest.mark.parametrize("size", [32, 36, 37, 52])
def test_text_event_layouts(size: int) -> None:
    record = AttendanceRecord(uid=1, user_id="A-7", timestamp=WHEN, verify=15, punch=1)
    payload = encode_event(record, size)
    assert len(payload) == size
    assert payload[:24].rstrip(b"\0") == b"A-7"
    assert payload[24:32] == bytes([15, 1, 16, 1, 1, 9, 2, 0])
