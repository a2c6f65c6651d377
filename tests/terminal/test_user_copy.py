"""The copy itself, between simulated terminals of different firmware (no Home Assistant)."""

from custom_components.devicehub.terminal.user_copy import CopyRequest, async_copy_users
from custom_components.devicehub.zk import AsyncTerminal, TerminalConfig
from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import SimulatorConfig, User


async def test_a_user_the_target_stores_differently_fails_its_check(
    zk_simulator: SimulatorFactory,
) -> None:
    """A 28-byte-record terminal keeps user ids as numbers: "0042" reads back as "42".

    The write went through, but the read back differs, so the user is reported failed.
    """
    source = zk_simulator(users=0)
    source.add_users([User(uid=1, user_id="0042", name="Lead"), User(uid=2, user_id="7", name="B")])
    target = zk_simulator(SimulatorConfig(users=1, records=0, user_size=28))
    terminals = [
        AsyncTerminal(TerminalConfig("127.0.0.1", sim.port, timeout=2)) for sim in (source, target)
    ]
    try:
        result = await async_copy_users(
            terminals[0], {"target": terminals[1]}, CopyRequest(None, False, dry_run=False)
        )
    finally:
        for terminal in terminals:
            await terminal.close()
    outcomes = {outcome.user_id: outcome for outcome in result["target"]}
    assert (outcomes["0042"].status, outcomes["0042"].error) == (
        "failed",
        "the user read back differs",
    )
    assert outcomes["7"].status == "copied"
    assert outcomes["7"].fingerprints == 0


async def test_an_existing_user_of_the_other_layout_keeps_its_time_zones(
    zk_simulator: SimulatorFactory,
) -> None:
    """72-byte time-zone settings mean nothing on a 28-byte terminal: the target's stay."""
    source = zk_simulator(users=0)
    source.add_users([User(uid=1, user_id="7", name="New name", time_zones=b"\x01" + bytes(7))])
    target = zk_simulator(SimulatorConfig(users=0, records=0, user_size=28))
    target.add_users([User(uid=3, user_id="7", name="Old", time_zones=b"\x05\x00")])
    terminals = [
        AsyncTerminal(TerminalConfig("127.0.0.1", sim.port, timeout=2)) for sim in (source, target)
    ]
    try:
        result = await async_copy_users(
            terminals[0], {"target": terminals[1]}, CopyRequest(frozenset({"7"}), True, False)
        )
    finally:
        for terminal in terminals:
            await terminal.close()
    (outcome,) = result["target"]
    assert (outcome.change, outcome.status) == ("changed", "copied")
    copied = target.user("7")
    assert copied is not None
    assert (copied.uid, copied.name, copied.time_zones) == (3, "New name", b"\x05\x00")
