"""Users as a terminal's user record can hold them, and writing those records.

What a record may hold (ids, passwords and groups per record size), which user number a new
user gets, the enabled flag, and the writes themselves. The enabled flag is bit 0 of the
privilege byte (set: the user may not punch); the level is in bits 1-3. A record goes out
whole in the terminal's own layout (records.encode_user), so the group, the time-zone
settings and the flag stay as given. The client (client.py) runs these on its session.
"""

from __future__ import annotations

from dataclasses import replace

from .errors import TerminalCommandRejected, TerminalInvalidArgument, TerminalUserNotFound
from .models import User
from .records import encode_user, fit_text
from .transport.packets import Command
from .transport.session import PyzkSession

PRIVILEGE_USER = 0
PRIVILEGE_ADMIN = 14
# Bit 0 of the privilege byte: the user may not punch (TFT firmware's "disabled" flag).
PRIVILEGE_DISABLED = 0x01
# Field widths of a user record: (name, password, user_id) bytes per record size.
_USER_FIELD_BYTES = {72: (24, 8, 24), 28: (8, 5, 0)}
# Time-zone settings of a new user: 8 bytes (72-byte records) or a u16 (28-byte records).
_NEW_USER_ZONES = {72: bytes(8), 28: bytes(2)}
# The group real terminals give a user enrolled at the keypad.
DEFAULT_GROUP = "1"
MAX_GROUP = 255


def is_enabled(user: User) -> bool:
    """Whether the user may punch (the disabled bit is clear)."""
    return not user.privilege & PRIVILEGE_DISABLED


def with_enabled(user: User, enabled: bool) -> User:
    """The same user with only the disabled bit changed."""
    privilege = user.privilege & ~PRIVILEGE_DISABLED
    return replace(user, privilege=privilege if enabled else privilege | PRIVILEGE_DISABLED)


def write_user_record(session: PyzkSession, user: User, size: int, encoding: str) -> None:
    """Write the record (every field as given) and make the terminal take it in."""
    record = encode_user(user, size, fit_text(user.name, encoding, _USER_FIELD_BYTES[size][0]))
    if session.request(Command.CMD_USER_WRQ, record) is None:
        raise TerminalCommandRejected(f"the terminal refused user {user.user_id!r}")
    session.request(Command.CMD_REFRESHDATA, reply_size=8)


def check_set_user(user_id: str, privilege: int, card: int) -> None:
    """Refuse what no terminal's record holds, before anything is sent."""
    if privilege not in (PRIVILEGE_USER, PRIVILEGE_ADMIN):
        raise TerminalInvalidArgument("privilege must be 0 (user) or 14 (admin)")
    if not user_id:
        raise TerminalInvalidArgument("user_id must not be empty")
    if not 0 <= card <= 0xFFFFFFFF:
        raise TerminalInvalidArgument("card must be a 32-bit number")


def set_user_record(  # noqa: PLR0917 (the fields of set_user)
    session: PyzkSession,
    users: list[User],
    size: int,
    encoding: str,
    user_id: str,
    name: str,
    privilege: int,
    password: str,
    card: int,
    group_id: str,
) -> None:
    """Create the user, or update the one with this user_id among ``users`` (see set_user)."""
    existing = next((user for user in users if user.user_id == user_id), None)
    _name_bytes, password_bytes, user_id_bytes = _USER_FIELD_BYTES[size]
    check_user_id(size, user_id, group_id, user_id_bytes)
    if len(password.encode()) > password_bytes or not password.isascii():
        raise TerminalInvalidArgument(f"password must be ASCII, at most {password_bytes} bytes")
    user = User(
        uid=existing.uid if existing else uid_for(user_id, users),
        user_id=user_id,
        name=name,
        # A disabled user stays disabled: enable_user is what lets them punch again.
        privilege=privilege | (existing.privilege & PRIVILEGE_DISABLED if existing else 0),
        password=password,
        group_id=group_id or (existing.group_id if existing else DEFAULT_GROUP),
        card=card,
        time_zones=existing.time_zones if existing else _NEW_USER_ZONES[size],
    )
    write_user_record(session, user, size, encoding)


def copied_user(user: User, size: int) -> User:
    """A user from another terminal as this one's records hold it; refuses what they cannot.

    Time-zone settings of the other record layout mean nothing here: a new user's replace them.
    """
    _name_bytes, password_bytes, user_id_bytes = _USER_FIELD_BYTES[size]
    check_user_id(size, user.user_id, user.group_id, user_id_bytes)
    if len(user.password) > password_bytes or not user.password.isascii():
        raise TerminalInvalidArgument(f"password must be ASCII, at most {password_bytes} bytes")
    if len(user.time_zones) != len(_NEW_USER_ZONES[size]):
        return replace(user, time_zones=_NEW_USER_ZONES[size])
    return user


def delete_user_record(session: PyzkSession, users: list[User], user_id: str) -> None:
    """Delete the user with this user_id among ``users`` (TerminalUserNotFound if none)."""
    user = next((user for user in users if user.user_id == user_id), None)
    if user is None or user.uid == 0:
        raise TerminalUserNotFound(f"no user with user_id {user_id!r}")
    # pyzk packs the uid as a signed short; same two bytes for uids above 32767.
    signed_uid = user.uid - 0x10000 if user.uid > 0x7FFF else user.uid
    session.zk.delete_user(uid=signed_uid)


def uid_for(user_id: str, users: list[User]) -> int:
    """The uid of an existing user_id, or the next free uid for a new one."""
    for user in users:
        if user.user_id == user_id:
            return user.uid
    taken = {user.uid for user in users}
    uid = max(taken, default=0) + 1
    if uid <= 0xFFFF:
        return uid
    free = next((candidate for candidate in range(1, 0x10000) if candidate not in taken), None)
    if free is None:
        raise TerminalInvalidArgument("the terminal has no free user slot")
    return free


def check_user_id(size: int, user_id: str, group_id: str, user_id_bytes: int) -> None:
    """Reject ids the terminal's user record cannot hold (pyzk would cut or crash)."""
    if group_id and (not group_id.isascii() or not group_id.isdigit() or int(group_id) > MAX_GROUP):
        raise TerminalInvalidArgument(f"this terminal only takes group ids 0-{MAX_GROUP}")
    if size == 28:
        if not user_id.isascii() or not user_id.isdigit() or int(user_id) > 0xFFFFFFFF:
            raise TerminalInvalidArgument("this terminal only takes numeric user ids")
    elif len(user_id.encode()) > user_id_bytes or not user_id.isascii():
        raise TerminalInvalidArgument(f"user_id must be ASCII, at most {user_id_bytes} bytes")
