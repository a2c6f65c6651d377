"""The enabled flag of a user, and writing one user record exactly as given.

The flag is bit 0 of the privilege byte (set: the user may not punch); the level is in bits
1-3. The record goes out whole in the terminal's own layout (records.encode_user), so the
group, the time-zone settings and the flag stay as given.
"""

from __future__ import annotations

from dataclasses import replace

from .errors import TerminalCommandRejected
from .models import User
from .records import encode_user, fit_text
from .transport.packets import Command
from .transport.session import PyzkSession

# Bit 0 of the privilege byte: the user may not punch (TFT firmware's "disabled" flag).
PRIVILEGE_DISABLED = 0x01
# Bytes of the name field per record size.
_NAME_BYTES = {72: 24, 28: 8}


def is_enabled(user: User) -> bool:
    """Whether the user may punch (the disabled bit is clear)."""
    return not user.privilege & PRIVILEGE_DISABLED


def with_enabled(user: User, enabled: bool) -> User:
    """The same user with only the disabled bit changed."""
    privilege = user.privilege & ~PRIVILEGE_DISABLED
    return replace(user, privilege=privilege if enabled else privilege | PRIVILEGE_DISABLED)


def write_user_record(session: PyzkSession, user: User, size: int, encoding: str) -> None:
    """Write the record (every field as given) and make the terminal take it in."""
    record = encode_user(user, size, fit_text(user.name, encoding, _NAME_BYTES[size]))
    if session.request(Command.CMD_USER_WRQ, record) is None:
        raise TerminalCommandRejected(f"the terminal refused user {user.user_id!r}")
    session.request(Command.CMD_REFRESHDATA, reply_size=8)
