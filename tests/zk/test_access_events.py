"""Access-control realtime payloads: the simulator's builder against the integration's decoder.

Both are written from the protocol manual's tables; per the manual, unverified on hardware.
"""

import pytest

from custom_components.devicehub.zk.access_events import (
    AccessEventFlag,
    AccessEventKind,
    TerminalAccessEvent,
    UnknownAccessLayoutError,
    decode_alarm,
    decode_verify,
)
from tools.zksim import access_events as sim


def test_flags_are_the_manuals() -> None:
    """EF_BUTTON 16, EF_UNLOCK 32, EF_VERIFY 128, EF_ALARM 512."""
    assert [int(flag) for flag in AccessEventFlag] == [16, 32, 128, 512]
    assert (sim.EF_BUTTON, sim.EF_UNLOCK, sim.EF_VERIFY, sim.EF_ALARM) == (16, 32, 128, 512)


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (bytes.fromhex("37000000"), AccessEventKind.TAMPER),
        (bytes.fromhex("35000000"), AccessEventKind.EXIT_BUTTON),
        (bytes.fromhex("3a000000"), AccessEventKind.MISOPERATION),
        (bytes.fromhex("5400000000000000"), AccessEventKind.DOOR_CLOSED),
    ],
)
def test_short_alarms(payload: bytes, kind: AccessEventKind) -> None:
    assert decode_alarm(payload) == TerminalAccessEvent(kind=kind)


def test_simulator_alarms_decode() -> None:
    for name in sim.ALARM_BYTES:
        assert decode_alarm(sim.alarm_payload(name)).kind.value == name
    assert decode_alarm(sim.door_closed_payload()).kind is AccessEventKind.DOOR_CLOSED
    assert decode_alarm(sim.duress_payload("duress", 7, 1)) == TerminalAccessEvent(
        kind=AccessEventKind.DURESS, user_sn=7, match_type=1
    )
    assert decode_alarm(sim.duress_payload("passback", 300, 0)).kind is AccessEventKind.PASSBACK


def test_duress_layout() -> None:
    """ffffffff, u16 type 0x20, u16 user serial, u32 match type, little-endian."""
    payload = bytes.fromhex("ffffffff2000070001000000")
    assert decode_alarm(payload) == TerminalAccessEvent(
        kind=AccessEventKind.DURESS, user_sn=7, match_type=1
    )


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        bytes.fromhex("99000000"),  # unknown alarm type
        bytes.fromhex("3700000000"),  # 5 bytes
        bytes.fromhex("5500000000000000"),  # 8 bytes, not the door-closed byte
        bytes.fromhex("fffffffe2000070001000000"),  # not the fixed ffffffff
        bytes.fromhex("ffffffff2100070001000000"),  # unknown long alarm type
        bytes(52),
    ],
)
def test_unknown_alarm_layouts_are_refused(payload: bytes) -> None:
    with pytest.raises(UnknownAccessLayoutError, match=f"{len(payload)} bytes"):
        decode_alarm(payload)


def test_verify() -> None:
    """0xffffffff: nobody identified (a refused verification); otherwise the user serial."""
    assert decode_verify(sim.verify_payload(None)) == TerminalAccessEvent(
        kind=AccessEventKind.VERIFY_FAILED
    )
    assert decode_verify(bytes.fromhex("0c000000010101")) == TerminalAccessEvent(
        kind=AccessEventKind.VERIFIED, user_sn=12
    )
    assert decode_verify(sim.verify_payload(12)).user_sn == 12
    for bad in (b"", bytes(4), bytes(8)):
        with pytest.raises(UnknownAccessLayoutError, match="EF_VERIFY"):
            decode_verify(bad)
