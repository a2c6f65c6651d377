"""Every pyzk 0.9 call against the simulator, over TCP and over UDP, with the values it returns."""

from datetime import date, datetime, timedelta

import pytest
from zk.exception import ZKErrorResponse
from zk.finger import Finger

from tests.zksim_fixtures import PyzkFactory, SimulatorFactory
from tools.zksim import SimulatorConfig, User
from tools.zksim.records import fit_text

TRANSPORTS = [pytest.param(False, id="tcp"), pytest.param(True, id="udp")]
LAST_DAY = date(2025, 3, 31)


@pytest.fixture(params=TRANSPORTS)
def udp(request: pytest.FixtureRequest) -> bool:
    """Run the test over TCP and over UDP."""
    return bool(request.param)


def test_device_information(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(seed=9, serial="CKUP194560123", mac="00:17:61:12:34:56")
    zk = pyzk_client(sim, udp=udp)
    assert zk.get_firmware_version() == "Ver 6.60 Apr 28 2017"
    assert zk.get_serialnumber() == "CKUP194560123"
    assert zk.get_platform() == "ZMM220_TFT"
    assert zk.get_mac() == "00:17:61:12:34:56"
    assert zk.get_device_name() == "K40"
    assert zk.get_face_version() == 7
    assert zk.get_fp_version() == 10
    assert zk.get_extend_fmt() == 1
    assert zk.get_user_extend_fmt() == 1
    assert zk.get_face_fun_on() == 1
    assert zk.get_compat_old_firmware() == 0
    assert zk.get_pin_width() == 9
    assert zk.get_network_params() == {
        "ip": "192.168.1.201",
        "mask": "255.255.255.0",
        "gateway": "192.168.1.1",
    }
    assert zk.set_sdk_build_1() is True
    zk.disconnect()


def test_unknown_options_take_pyzk_fallbacks_and_stay_in_sync(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    hidden = ("~DeviceName", "ZKFaceVersion", "~ExtendFmt", "FaceFunOn", "NetMask")
    sim = zk_simulator(options=dict.fromkeys(hidden))
    zk = pyzk_client(sim, udp=udp)
    assert zk.get_device_name() == ""
    assert zk.get_face_version() is None
    # These send pyzk's _clear_error junk (2001, 0xFFFF x3): one reply each keeps the stream sane.
    assert zk.get_extend_fmt() is None
    assert zk.get_face_fun_on() is None
    assert zk.get_network_params()["mask"] == ""
    assert zk.get_serialnumber() == sim.config.serial_number()
    with pytest.raises(ZKErrorResponse):
        pyzk_client(zk_simulator(options={"~SerialNumber": None}), udp=udp).get_serialnumber()


def test_free_sizes_match_the_data(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=12, records=345, records_last_day=LAST_DAY)
    sim.add_template(1, 0, b"\x01" * 100)
    zk = pyzk_client(sim, udp=udp)
    assert zk.read_sizes() is True
    assert (zk.users, zk.records, zk.fingers) == (12, 345, 1)
    assert (zk.users_cap, zk.rec_cap, zk.fingers_cap) == (10_000, 100_000, 3_000)
    assert (zk.users_av, zk.rec_av, zk.fingers_av) == (10_000 - 12, 100_000 - 345, 2_999)
    assert zk.cards == 1  # the one administrator
    assert zk.faces_cap == 400


@pytest.mark.parametrize("user_size", [72, 28])
@pytest.mark.parametrize("users", [3, 150])  # direct CMD_DATA reply, then buffered read
def test_get_users(
    udp: bool,
    user_size: int,
    users: int,
    zk_simulator: SimulatorFactory,
    pyzk_client: PyzkFactory,
) -> None:
    sim = zk_simulator(users=users, user_size=user_size, seed=users)
    got = pyzk_client(sim, udp=udp).get_users()
    expected = sim.users
    assert [u.uid for u in got] == [u.uid for u in expected]
    assert [u.user_id for u in got] == [u.user_id for u in expected]
    name_bytes = 24 if user_size == 72 else 8
    assert [u.name for u in got] == [
        fit_text(u.name, "utf-8", name_bytes).decode().strip() or f"NN-{u.user_id}"
        for u in expected
    ]
    assert [u.privilege for u in got] == [u.privilege for u in expected]
    assert [u.card for u in got] == [u.card for u in expected]


@pytest.mark.parametrize("encoding", ["gbk", "cp1256"])
def test_names_in_device_encodings(
    udp: bool, encoding: str, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=40, encoding=encoding, seed=2)
    assert any(not u.name.isascii() for u in sim.users)
    got = pyzk_client(sim, udp=udp, encoding=encoding).get_users()
    assert [u.name for u in got] == [u.name for u in sim.users]


@pytest.mark.parametrize(
    ("record_size", "user_size"), [(40, 72), (16, 72), (8, 72), (40, 28), (16, 28)]
)
def test_get_attendance(
    udp: bool,
    record_size: int,
    user_size: int,
    zk_simulator: SimulatorFactory,
    pyzk_client: PyzkFactory,
) -> None:
    sim = zk_simulator(
        users=20,
        records=2_000,
        record_size=record_size,
        user_size=user_size,
        records_last_day=LAST_DAY,
        # pyzk 0.9 reads 8-byte records in a layout of its own, not the firmware's.
        eight_byte_layout="pyzk",
    )
    got = pyzk_client(sim, udp=udp).get_attendance()
    expected = sim.records
    assert len(got) == 2_000
    assert [(a.user_id, a.timestamp, a.status, a.punch) for a in got] == [
        (r.user_id, r.timestamp, r.verify, r.punch) for r in expected
    ]
    assert [int(a.uid) for a in got] == [r.uid for r in expected]


def test_small_attendance_comes_direct(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=2, records=20, records_last_day=LAST_DAY)  # 804 bytes
    got = pyzk_client(sim, udp=udp).get_attendance()
    assert [a.timestamp for a in got] == [r.timestamp for r in sim.records]


def test_empty_device(udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory) -> None:
    zk = pyzk_client(zk_simulator(users=0), udp=udp)
    assert zk.get_users() == []
    assert zk.get_attendance() == []
    assert zk.get_templates() == []


def test_clear_attendance(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=5, records=50)
    zk = pyzk_client(sim, udp=udp)
    assert zk.clear_attendance() is True
    assert sim.record_count == 0
    assert zk.get_attendance() == []
    assert len(zk.get_users()) == 5
    # pyzk 0.9 bug: clear_data() sends a str payload (CMD_CLEAR_DATA is tested on the wire).
    with pytest.raises(TypeError):
        zk.clear_data()


def test_time_get_and_set(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    zk = pyzk_client(sim, udp=udp)
    assert abs(zk.get_time() - datetime.now()) < timedelta(seconds=2)
    target = datetime(2031, 7, 8, 9, 10, 11)
    assert zk.set_time(target) is True
    assert sim.time_sets == [target]
    assert abs(zk.get_time() - target) < timedelta(seconds=2)
    assert abs(sim.clock.now() - target) < timedelta(seconds=2)


def test_unlock_voice_enable_disable_refresh(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    zk = pyzk_client(sim, udp=udp)
    assert zk.unlock(5) is True
    assert zk.unlock() is True
    assert [pulse.seconds for pulse in sim.unlocks] == [5.0, 3.0]
    assert zk.test_voice(3) is True
    assert sim.voices == [3]
    assert zk.disable_device() is True
    enabled_while_disabled = sim.enabled
    assert zk.enable_device() is True
    assert (enabled_while_disabled, sim.enabled) == (False, True)
    assert zk.refresh_data() is True
    assert zk.free_data() is True
    assert zk.cancel_capture() is True
    assert zk.verify_user() is True


def test_set_user_both_layouts_and_delete(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=3)
    zk = pyzk_client(sim, udp=udp)
    # A fresh pyzk writes 72-byte users after its TCP probe, 28-byte ones over UDP.
    zk.set_user(uid=50, name="Ibáñez", privilege=14, password="123", user_id="9050", card=777)
    write = sim.user_writes[-1]
    assert write.record_size == (28 if udp else 72)
    stored = sim.user("9050")
    assert stored is not None
    assert (stored.uid, stored.privilege, stored.card) == (50, 14, 777)
    assert stored.name == ("Ibáñez" if not udp else fit_text("Ibáñez", "utf-8", 8).decode().strip())
    got = {u.user_id: u for u in zk.get_users()}
    assert got["9050"].name == stored.name
    # After get_users pyzk writes in the device's own layout (72).
    zk.set_user(uid=51, name="陈静", user_id="9051")
    assert sim.user_writes[-1].record_size == 72
    assert zk.delete_user(uid=50) is None
    assert sim.user("9050") is None
    zk.delete_user(user_id="9051")
    assert sim.user("9051") is None
    with pytest.raises(ZKErrorResponse):
        zk.delete_user(uid=999)


def test_templates(udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory) -> None:
    sim = zk_simulator(users=3)
    uid = sim.users[0].uid
    sim.add_template(uid, 0, bytes(range(1, 201)))
    sim.add_template(uid, 1, b"\x07" * 300)
    zk = pyzk_client(sim, udp=udp)
    templates = zk.get_templates()
    assert [(t.uid, t.fid, t.template) for t in templates] == [
        (uid, 0, bytes(range(1, 201))),
        (uid, 1, b"\x07" * 300),
    ]
    finger = zk.get_user_template(uid, 0)
    assert finger.template == bytes(range(1, 201))
    assert zk.get_user_template(uid, 5) is None
    assert zk.delete_user_template(uid, 1) is True
    assert len(sim.templates) == 1


def test_save_user_template_upload(
    zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=2)
    zk = pyzk_client(sim)
    user = zk.get_users()[1]
    zk.save_user_template(user, [Finger(user.uid, 3, 1, b"\x05" * 600)])
    assert [(t.uid, t.fid, t.data) for t in sim.templates] == [(user.uid, 3, b"\x05" * 600)]


def test_restart_and_poweroff_drop_the_link(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator()
    assert pyzk_client(sim, udp=udp).restart() is True
    assert sim.restarts == 1
    assert pyzk_client(sim, udp=udp).poweroff() is True
    assert sim.poweroffs == 1
    assert sim.session_count == 0
    assert pyzk_client(sim, udp=udp).get_time()


def test_comm_key(udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory) -> None:
    sim = zk_simulator(password=123456, users=4)
    assert len(pyzk_client(sim, udp=udp).get_users()) == 4
    with pytest.raises(ZKErrorResponse, match="Unauthenticated"):
        pyzk_client(sim, udp=udp, password=654321)


def test_added_users_and_records(
    udp: bool, zk_simulator: SimulatorFactory, pyzk_client: PyzkFactory
) -> None:
    sim = zk_simulator(users=0)
    sim.add_users([User(uid=1, user_id="A17", name="José Peña"), User(uid=2, user_id="42")])
    punched = sim.inject_punch("A17", punch=1, verify=15, when=datetime(2025, 1, 2, 3, 4, 5))
    sim.generate_users(5)
    sim.generate_records(30, last_day=LAST_DAY)
    zk = pyzk_client(sim, udp=udp)
    users = zk.get_users()
    assert [u.user_id for u in users][:2] == ["A17", "42"]
    assert users[1].name == "NN-42"
    first = zk.get_attendance()[0]
    assert (first.user_id, first.timestamp, first.status, first.punch) == (
        "A17",
        punched.timestamp,
        15,
        1,
    )


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="record_size"):
        SimulatorConfig(record_size=32).validate()  # type: ignore[arg-type]
    with pytest.raises(LookupError):
        SimulatorConfig(encoding="no-such-codec").validate()
