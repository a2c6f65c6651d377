"""Fingerprint templates and the enabled flag at the client layer, against the simulator."""

import struct

import pytest

from custom_components.devicehub.zk import TerminalClient, TerminalInvalidArgument
from custom_components.devicehub.zk.errors import TerminalProtocolError
from custom_components.devicehub.zk.models import User
from custom_components.devicehub.zk.templates import Fingerprint, parse_templates
from custom_components.devicehub.zk.user_record import is_enabled, with_enabled
from tools.zksim import SimulatorConfig, TerminalSimulator, User as SimUser

from .conftest import SimulatorFactory, config_for

TEMPLATE = b"\x4d\x53\x53\x32" + bytes(range(200))  # starts like a real ZK template


def entry(uid: int, fid: int, template: bytes, valid: int = 1) -> bytes:
    return struct.pack("<HHbb", len(template) + 6, uid, fid, valid) + template


def dataset(*entries: bytes) -> bytes:
    body = b"".join(entries)
    return struct.pack("<I", len(body)) + body


def test_parse_templates() -> None:
    """Entries in the documented layout: size (with its 6-byte header), uid, finger, valid."""
    parsed = parse_templates(dataset(entry(1, 0, TEMPLATE), entry(1, 9, b"\x01" * 10, 3)))
    assert parsed == [
        Fingerprint(uid=1, fid=0, valid=1, template=TEMPLATE),
        Fingerprint(uid=1, fid=9, valid=3, template=b"\x01" * 10),
    ]
    assert parse_templates(dataset()) == []


@pytest.mark.parametrize(
    "body",
    [
        entry(1, 0, TEMPLATE)[:-1],  # cut inside the template
        entry(1, 0, TEMPLATE)[:4],  # cut inside the header
        struct.pack("<HHbb", 6, 1, 0, 1),  # no template at all
        entry(1, 10, TEMPLATE),  # finger index past 9
    ],
)
def test_malformed_templates_are_refused(body: bytes) -> None:
    """Bytes in no known layout raise, and the error shows none of the template."""
    with pytest.raises(TerminalProtocolError) as err:
        parse_templates(struct.pack("<I", len(body)) + body)
    assert TEMPLATE[:8].hex() not in str(err.value)
    assert "MSS2" not in str(err.value)


def test_a_fingerprint_never_shows_its_template() -> None:
    fingerprint = Fingerprint(uid=1, fid=6, valid=1, template=TEMPLATE)
    assert str(fingerprint) == f"finger 6 ({len(TEMPLATE)} bytes)"
    assert "MSS2" not in repr(fingerprint)
    assert TEMPLATE[:8].hex() not in repr(fingerprint)


def test_enabled_flag_is_bit_zero_of_the_privilege() -> None:
    admin = User(uid=1, user_id="1", name="A", privilege=14, password="", group_id="", card=0)
    disabled = with_enabled(admin, False)
    assert (disabled.privilege, is_enabled(disabled)) == (15, False)
    assert with_enabled(disabled, True) == admin
    assert with_enabled(admin, True) == admin


@pytest.mark.parametrize("user_size", [72, 28])
def test_disabled_flag_round_trips_in_both_layouts(
    make_simulator: SimulatorFactory, user_size: int
) -> None:
    """The flag is written where the terminal reads it; group and time zones stay."""
    simulator = make_simulator(SimulatorConfig(users=0, records=0, user_size=user_size))
    zones = b"\x01\x00\x02\x00\x03\x00\x00\x00"[: 8 if user_size == 72 else 2]
    simulator.add_users([SimUser(uid=4, user_id="42", name="Ann", group_id="2", time_zones=zones)])
    before = simulator.users[0]
    client = TerminalClient(config_for(simulator))
    client.set_user_enabled(before.user_id, False)
    disabled = simulator.user(before.user_id)
    assert disabled is not None
    assert disabled.privilege == before.privilege | 1
    assert (disabled.group_id, disabled.time_zones) == (before.group_id, before.time_zones)
    assert [u.privilege & 1 for u in client.get_users() if u.user_id == before.user_id] == [1]
    client.set_user_enabled(before.user_id, True)
    assert simulator.user(before.user_id) == before
    client.close()


def test_disable_keeps_every_other_field(
    simulator: TerminalSimulator, client: TerminalClient
) -> None:
    before = simulator.users[0]
    changed = client.set_user_enabled(before.user_id, False)
    assert changed.privilege & 1
    after = simulator.user(before.user_id)
    assert after is not None
    assert (after.name, after.card, after.group_id, after.password, after.uid) == (
        before.name,
        before.card,
        before.group_id,
        before.password,
        before.uid,
    )
    writes = len(simulator.user_writes)
    # Already disabled: nothing is written.
    client.set_user_enabled(before.user_id, False)
    assert len(simulator.user_writes) == writes
    client.close()


def test_copy_into_a_terminal_that_cannot_hold_the_user(make_simulator: SimulatorFactory) -> None:
    """A 28-byte-record terminal takes numeric user ids only: refused before any write."""
    simulator = make_simulator(SimulatorConfig(users=1, records=0, user_size=28))
    client = TerminalClient(config_for(simulator))
    client.get_users()
    user = User(uid=5, user_id="A-7", name="Ann", privilege=0, password="", group_id="", card=0)
    with pytest.raises(TerminalInvalidArgument):
        client.put_user(user, [])
    long_password = User(5, "77", "Ann", 0, "123456", "", 0)
    with pytest.raises(TerminalInvalidArgument):
        client.put_user(long_password, None)
    assert simulator.user_writes == []
    client.close()


def test_templates_of_a_terminal_without_any(
    simulator: TerminalSimulator, client: TerminalClient
) -> None:
    users, templates = client.get_users_and_templates()
    assert (len(users), templates) == (10, [])
    client.close()
