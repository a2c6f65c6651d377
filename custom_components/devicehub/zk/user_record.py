"""Writing one user record exactly as given: privilege bits (the disabled flag) included.

pyzk's set_user writes only the user and admin privileges (anything else becomes a plain
user), so a user disabled on the terminal would be enabled by any rewrite through it.
"""

from __future__ import annotations

from dataclasses import replace
from struct import Struct
from typing import Any

from .errors import TerminalCommandRejected
from .models import User
from .records import fit_text
from .transport.session import PyzkSession

CMD_USER_WRQ = 8
# Bit 0 of the privilege byte: the user may not punch (TFT firmware's "disabled" flag).
PRIVILEGE_DISABLED = 0x01
# The write formats the terminals take (those pyzk's set_user sends).
_USER_72 = Struct("<HB8s24sIx7sx24s")
_USER_28 = Struct("<HB5s8sIxBHI")


def is_enabled(user: User) -> bool:
    """Whether the user may punch (the disabled bit is clear)."""
    return not user.privilege & PRIVILEGE_DISABLED


def with_enabled(user: User, enabled: bool) -> User:
    """The same user with only the disabled bit changed."""
    privilege = user.privilege & ~PRIVILEGE_DISABLED
    return replace(user, privilege=privilege if enabled else privilege | PRIVILEGE_DISABLED)


def encode_user_record(user: User, size: int, encoding: str) -> bytes:
    """The CMD_USER_WRQ payload of ``user`` in the terminal's layout (72 or 28 bytes)."""
    if size == 72:
        return _USER_72.pack(
            user.uid,
            user.privilege,
            user.password.encode("ascii"),
            fit_text(user.name, encoding, 24),
            user.card,
            user.group_id.encode("ascii"),
            user.user_id.encode("ascii"),
        )
    return _USER_28.pack(
        user.uid,
        user.privilege,
        user.password.encode("ascii"),
        fit_text(user.name, encoding, 8),
        user.card,
        int(user.group_id or 0),
        0,
        int(user.user_id),
    )


def write_user_record(session: PyzkSession, user: User, size: int, encoding: str) -> None:
    """Write the record (every field as given) and make the terminal take it in."""
    zk: Any = session.zk
    reply: dict[str, Any] = zk._ZK__send_command(
        CMD_USER_WRQ, encode_user_record(user, size, encoding), 1024
    )
    if not reply.get("status"):
        raise TerminalCommandRejected(f"the terminal refused user {user.user_id!r}")
    zk.refresh_data()
