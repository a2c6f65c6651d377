"""The copy itself, between simulated terminals of different firmware (no Home Assistant)."""

from collections.abc import Callable
from typing import Any

from custom_components.devicehub.terminal.user_copy import (
    CopyRequest,
    UserOutcome,
    async_copy_users,
)
from custom_components.devicehub.zk import AsyncTerminal, TerminalConfig
from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import SimulatorConfig, TerminalSimulator, User
from tools.zksim.protocol import Command


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


async def _copy(
    source: TerminalSimulator,
    target: TerminalSimulator,
    request: CopyRequest,
    after_write: Callable[[], None] | None = None,
) -> list[UserOutcome]:
    """Copy from one simulator to the other through pyzk; after_write runs after each write.

    after_write changes the target simulator between the copy's write and its read back, as
    a terminal that stores a user differently or stops answering would.
    """
    terminals = [
        AsyncTerminal(TerminalConfig("127.0.0.1", sim.port, timeout=2)) for sim in (source, target)
    ]
    if after_write is not None:
        write = terminals[1].put_user

        async def write_then_change(*args: Any) -> None:
            await write(*args)
            after_write()

        terminals[1].put_user = write_then_change  # type: ignore[method-assign]
    try:
        result = await async_copy_users(terminals[0], {"target": terminals[1]}, request)
    finally:
        for terminal in terminals:
            await terminal.close()
    return result["target"]


async def test_no_free_user_slot_on_the_target(zk_simulator: SimulatorFactory) -> None:
    """Every user number (1 to 65535, the 2-byte field) is taken: a new user cannot be placed.

    A user the target already has is still rewritten in its own slot.
    """
    source = zk_simulator(users=0)
    source.add_users([User(uid=1, user_id="1", name="Kept"), User(uid=2, user_id="new", name="N")])
    target = zk_simulator(SimulatorConfig(users=0, records=0, user_size=28))
    target.add_users(
        User(uid=uid, user_id=str(uid), name="Old" if uid == 1 else "") for uid in range(1, 65536)
    )
    outcomes = {
        outcome.user_id: outcome
        for outcome in await _copy(source, target, CopyRequest(None, False, dry_run=False))
    }
    assert (outcomes["new"].change, outcomes["new"].status, outcomes["new"].error) == (
        "new",
        "failed",
        "the target has no free user slot",
    )
    assert target.user("new") is None
    assert (outcomes["1"].change, outcomes["1"].status) == ("changed", "copied")
    copied = target.user("1")
    assert copied is not None
    assert (copied.uid, copied.name) == (1, "Kept")


async def test_target_not_answering_the_read_back(zk_simulator: SimulatorFactory) -> None:
    """The writes went through but the target refuses the read back: each user written is
    reported failed with the reason, never as copied."""
    source = zk_simulator(users=0)
    source.add_users([User(uid=1, user_id="7", name="Ada"), User(uid=2, user_id="8", name="Bo")])
    target = zk_simulator(SimulatorConfig(users=0, records=0))

    def refuse_reads() -> None:
        target.faults.error_commands = frozenset({Command.PREPARE_BUFFER, Command.USERTEMP_RRQ})

    outcomes = await _copy(source, target, CopyRequest(None, False, dry_run=False), refuse_reads)
    assert [(outcome.user_id, outcome.status) for outcome in outcomes] == [
        ("7", "failed"),
        ("8", "failed"),
    ]
    for outcome in outcomes:
        assert outcome.error is not None
        assert outcome.error.startswith("could not read the terminal back: ")
    # The refusal came after the writes: the target holds both users.
    assert [user.name for user in target.users] == ["Ada", "Bo"]


async def test_fingerprints_read_back_differ(zk_simulator: SimulatorFactory) -> None:
    """The target keeps another template than the one written (as a terminal converting it to
    its own algorithm would): the user is reported failed, and no template is shown."""
    source = zk_simulator(users=0)
    source.add_users([User(uid=1, user_id="7", name="Ada")])
    written = bytes(range(256)) * 2
    source.add_template(1, 0, written)
    source.add_template(1, 6, written[::-1])
    source.add_template(9, 0, written)  # no user 9: a leftover template, not copied
    target = zk_simulator(SimulatorConfig(users=0, records=0))

    def convert_template() -> None:
        (copied,) = [user for user in target.users if user.user_id == "7"]
        target.add_template(copied.uid, 6, b"\x55" * 300)

    (outcome,) = await _copy(
        source, target, CopyRequest(frozenset({"7"}), True, dry_run=False), convert_template
    )
    assert (outcome.change, outcome.fingerprints, outcome.status, outcome.error) == (
        "new",
        2,
        "failed",
        "the fingerprints read back differ",
    )
    assert "\\x55" not in repr(outcome.as_dict())
    # The user itself arrived as written.
    copied = target.user("7")
    assert copied is not None
    assert copied.name == "Ada"
