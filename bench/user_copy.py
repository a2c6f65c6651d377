"""User copy: 1,000 users with two fingerprint templates each, from one terminal to another.

Two simulated terminals on loopback; devicehub's copy (the copy_users action's work without
Home Assistant around it): read the source's users and templates, plan against the target,
write each user with pyzk's template upload and its record, read the target back to check
every user. The dry run (reads and plan only) is measured too.

    python -m bench.user_copy [--quick] [--users 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from custom_components.devicehub.terminal.user_copy import (
    STATUS_COPIED,
    CopyRequest,
    async_copy_users,
)
from custom_components.devicehub.zk.async_terminal import AsyncTerminal
from custom_components.devicehub.zk.client import TerminalConfig
from tools.zksim import SimulatorConfig, TerminalSimulator, User

from .report import Aim, Figures, Row, json_line, seconds

USERS = 1_000
QUICK_USERS = 200
FINGERS = (0, 6)  # two fingers per user
TEMPLATE_BYTES = 1_024  # a ZKTeco fingerprint template is about 0.5 to 1.5 KiB
AIM_SECONDS = 120.0  # 1,000 users with two templates each, written and checked


def _source(users: int) -> TerminalSimulator:
    sim = TerminalSimulator(SimulatorConfig(users=0, records=0, serial="COPYSRC")).start()
    rng = random.Random(16)
    sim.add_users(
        User(uid=uid, user_id=str(1000 + uid), name=f"User {uid}", card=rng.randrange(1 << 24))
        for uid in range(1, users + 1)
    )
    for uid in range(1, users + 1):
        for fid in FINGERS:
            sim.add_template(uid, fid, rng.randbytes(TEMPLATE_BYTES))
    return sim


async def _copy(users: int) -> Figures:
    source = _source(users)
    target = TerminalSimulator(SimulatorConfig(users=0, records=0, serial="COPYDST")).start()
    source_terminal = AsyncTerminal(TerminalConfig("127.0.0.1", source.port, timeout=10))
    target_terminal = AsyncTerminal(TerminalConfig("127.0.0.1", target.port, timeout=10))
    try:
        started = time.perf_counter()
        plan = await async_copy_users(
            source_terminal, {"target": target_terminal}, CopyRequest(None, True, dry_run=True)
        )
        dry_run_s = time.perf_counter() - started
        started = time.perf_counter()
        result = await async_copy_users(
            source_terminal, {"target": target_terminal}, CopyRequest(None, True, dry_run=False)
        )
        copy_s = time.perf_counter() - started
        copied = sum(1 for outcome in result["target"] if outcome.status == STATUS_COPIED)
        templates_on_target = len(target.templates)
    finally:
        await source_terminal.close()
        await target_terminal.close()
        source.stop()
        target.stop()
    return {
        "users": users,
        "fingers_per_user": len(FINGERS),
        "template_bytes": TEMPLATE_BYTES,
        "planned": len(plan["target"]),
        "copied": copied,
        "templates_on_target": templates_on_target,
        "dry_run_s": round(dry_run_s, 3),
        "copy_s": round(copy_s, 3),
        "users_per_s": round(copied / copy_s, 1) if copy_s else None,
    }


def run_bench(quick: bool) -> Figures:
    """The copy at the aim's size (a smaller one with --quick)."""
    return asyncio.run(_copy(QUICK_USERS if quick else USERS))


def rows(figures: Figures) -> list[Row]:
    """One row: the copy, with the dry run as the baseline."""
    return [
        Row(
            "user_copy",
            f"{figures['users']:,} users x {figures['fingers_per_user']} templates",
            f"{seconds(figures['copy_s'])} ({figures['users_per_s']} users/s), checked",
            f"dry run {seconds(figures['dry_run_s'])}",
        )
    ]


def aims(figures: Figures) -> list[Aim]:
    """Copying 1,000 users with two templates each takes at most two minutes."""
    if figures["users"] != USERS:
        return []
    return [Aim("copy 1,000 users with 2 templates each", figures["copy_s"], AIM_SECONDS, "s")]


def main() -> None:
    """Print the figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--users", type=int, default=0)
    args = parser.parse_args()
    users = args.users or (QUICK_USERS if args.quick else USERS)
    print(json_line("user_copy", asyncio.run(_copy(users))), flush=True)


if __name__ == "__main__":
    main()
