"""Copying users (and their fingerprint templates) from one terminal to others.

Each terminal's calls queue on its own worker, one at a time; different targets are written
concurrently. Every write is checked by reading the target back. Templates are compared and
written, never shown: results name users, fingers and sizes only.
"""

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..zk.async_terminal import AsyncTerminal
from ..zk.errors import TerminalError
from ..zk.models import User
from ..zk.templates import Fingerprint

STATUS_COPIED = "copied"
STATUS_SKIPPED = "skipped"
STATUS_FAILED = "failed"
STATUS_WOULD_COPY = "would_copy"
CHANGE_NEW = "new"
CHANGE_CHANGED = "changed"
CHANGE_UNCHANGED = "unchanged"
CHANGE_NOT_ON_SOURCE = "not_on_source"
CHANGE_UNKNOWN = "unknown"  # the target could not be read
MAX_UID = 0xFFFF


@dataclass(frozen=True, slots=True)
class CopyRequest:
    """What to copy: chosen user ids (None: all), with or without fingerprints, for real or not."""

    user_ids: frozenset[str] | None
    fingerprints: bool
    dry_run: bool


@dataclass(slots=True)
class UserOutcome:
    """What happened to one user on one target."""

    user_id: str
    name: str
    change: str
    fingerprints: int
    status: str
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The outcome as an action response entry."""
        result: dict[str, Any] = {
            "user_id": self.user_id,
            "name": self.name,
            "change": self.change,
            "fingerprints": self.fingerprints,
            "status": self.status,
        }
        if self.error is not None:
            result["error"] = self.error
        return result


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """A terminal's users and the fingers of each (by user_id)."""

    users: dict[str, User]
    fingers: dict[str, dict[int, bytes]]


def _snapshot(users: Iterable[User], fingerprints: Iterable[Fingerprint]) -> _Snapshot:
    by_uid = {user.uid: user for user in users}
    fingers: dict[str, dict[int, bytes]] = {}
    for fingerprint in fingerprints:
        if (owner := by_uid.get(fingerprint.uid)) is not None:
            fingers.setdefault(owner.user_id, {})[fingerprint.fid] = fingerprint.template
    return _Snapshot({user.user_id: user for user in by_uid.values()}, fingers)


def _zones(source: User, existing: User | None) -> bytes:
    """The source's time-zone settings, unless the target's user has another layout of them."""
    if existing is not None and len(existing.time_zones) != len(source.time_zones):
        return existing.time_zones
    return source.time_zones


async def _read(terminal: AsyncTerminal, fingerprints: bool) -> _Snapshot:
    if fingerprints:
        return _snapshot(*await terminal.get_users_and_templates())
    return _snapshot(await terminal.get_users(), ())


def _same_user(source: User, target: User) -> bool:
    """Equal as the target can hold it: names may be cut to the target's field."""
    same_name = source.name == target.name or (
        bool(target.name) and source.name.startswith(target.name)
    )
    return same_name and (source.privilege, source.password, source.group_id, source.card) == (
        target.privilege,
        target.password,
        target.group_id,
        target.card,
    )


class _TargetCopy:
    """The copy onto one target terminal."""

    def __init__(
        self, terminal: AsyncTerminal, source: _Snapshot, chosen: list[str], request: CopyRequest
    ) -> None:
        self._terminal = terminal
        self._source = source
        self._chosen = chosen
        self._request = request

    async def run(self) -> list[UserOutcome]:
        try:
            target = await _read(self._terminal, self._request.fingerprints)
        except TerminalError as err:
            return [
                UserOutcome(user_id, "", CHANGE_UNKNOWN, 0, STATUS_FAILED, str(err))
                for user_id in self._chosen
            ]
        free_uids = self._free_uids(target)
        outcomes: list[UserOutcome] = []
        written: list[UserOutcome] = []
        for user_id in self._chosen:
            outcome = await self._copy_one(user_id, target, free_uids)
            outcomes.append(outcome)
            if outcome.status == STATUS_COPIED:
                written.append(outcome)
        if written:
            await self._verify(written)
        return outcomes

    @staticmethod
    def _free_uids(target: _Snapshot) -> Iterator[int]:
        taken = {user.uid for user in target.users.values()}
        top = max(taken, default=0)
        yield from range(top + 1, MAX_UID + 1)
        yield from (uid for uid in range(1, top) if uid not in taken)

    async def _copy_one(
        self, user_id: str, target: _Snapshot, free_uids: Iterator[int]
    ) -> UserOutcome:
        source_user = self._source.users.get(user_id)
        if source_user is None:
            return UserOutcome(user_id, "", CHANGE_NOT_ON_SOURCE, 0, STATUS_SKIPPED)
        fingers = self._source.fingers.get(user_id, {})
        existing = target.users.get(user_id)
        outcome = UserOutcome(
            user_id,
            source_user.name,
            self._change(source_user, existing, fingers, target.fingers.get(user_id, {})),
            len(fingers) if self._request.fingerprints else 0,
            STATUS_SKIPPED,
        )
        if outcome.change == CHANGE_UNCHANGED:
            return outcome
        if self._request.dry_run:
            outcome.status = STATUS_WOULD_COPY
            return outcome
        uid = existing.uid if existing else next(free_uids, None)
        if uid is None:
            outcome.status, outcome.error = STATUS_FAILED, "the target has no free user slot"
            return outcome
        fingerprints: list[Fingerprint] | None = None
        drop: tuple[int, ...] = ()
        if self._request.fingerprints:
            fingerprints = [
                Fingerprint(uid=uid, fid=fid, valid=1, template=template)
                for fid, template in sorted(fingers.items())
            ]
            drop = tuple(sorted(set(target.fingers.get(user_id, {})) - set(fingers)))
        try:
            await self._terminal.put_user(
                replace(source_user, uid=uid, time_zones=_zones(source_user, existing)),
                fingerprints,
                drop,
            )
        except TerminalError as err:
            outcome.status, outcome.error = STATUS_FAILED, str(err)
        else:
            outcome.status = STATUS_COPIED
        return outcome

    def _change(
        self,
        source: User,
        existing: User | None,
        source_fingers: Mapping[int, bytes],
        target_fingers: Mapping[int, bytes],
    ) -> str:
        if existing is None:
            return CHANGE_NEW
        same = _same_user(source, existing) and (
            not self._request.fingerprints or source_fingers == target_fingers
        )
        return CHANGE_UNCHANGED if same else CHANGE_CHANGED

    async def _verify(self, written: list[UserOutcome]) -> None:
        """Read the target back: a user that differs from the source is marked failed."""
        try:
            target = await _read(self._terminal, self._request.fingerprints)
        except TerminalError as err:
            for outcome in written:
                outcome.status = STATUS_FAILED
                outcome.error = f"could not read the terminal back: {err}"
            return
        for outcome in written:
            source_user = self._source.users[outcome.user_id]
            copied = target.users.get(outcome.user_id)
            if copied is None or not _same_user(source_user, copied):
                outcome.status, outcome.error = STATUS_FAILED, "the user read back differs"
            elif self._request.fingerprints and target.fingers.get(
                outcome.user_id, {}
            ) != self._source.fingers.get(outcome.user_id, {}):
                outcome.status, outcome.error = STATUS_FAILED, "the fingerprints read back differ"


async def async_copy_users(
    source: AsyncTerminal, targets: Mapping[str, AsyncTerminal], request: CopyRequest
) -> dict[str, list[UserOutcome]]:
    """Copy users from ``source`` to each target (by name); outcomes per target.

    A target that cannot be read at all raises; per-user failures are reported.
    """
    snapshot = await _read(source, request.fingerprints)
    chosen = (
        sorted(request.user_ids)
        if request.user_ids is not None
        else sorted(snapshot.users, key=lambda user_id: snapshot.users[user_id].uid)
    )
    names = list(targets)
    results = await asyncio.gather(
        *(_TargetCopy(targets[name], snapshot, chosen, request).run() for name in names)
    )
    return dict(zip(names, results, strict=True))
