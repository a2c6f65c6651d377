"""Fingerprint templates: read in bulk, written with a user through pyzk's template upload.

A template is biometric data: it never appears in a repr, a log line or an error message.
Only its finger index and size are ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from struct import Struct
from typing import Any

from zk.finger import Finger
from zk.user import User as PyzkUser

from .errors import TerminalCommandRejected, TerminalProtocolError
from .models import User
from .records import dataset_body
from .transport.bulk import BulkReader
from .transport.session import PyzkSession

CMD_DB_RRQ = 7
FCT_FINGERTMP = 2
MAX_FINGER_INDEX = 9
# size (template + this header), uid, finger index 0-9, valid flag
_ENTRY = Struct("<HHbb")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One enrolled finger of a user: ``uid`` is the terminal's own sequence number."""

    uid: int
    fid: int
    valid: int
    template: bytes = field(repr=False)

    def __str__(self) -> str:
        """Finger index and size only: the template itself is never shown."""
        return f"finger {self.fid} ({len(self.template)} bytes)"


def parse_templates(dataset: bytes | bytearray | memoryview) -> list[Fingerprint]:
    """Parse a templates dataset (CMD_DB_RRQ, FCT_FINGERTMP); refuse entries that do not fit."""
    body = dataset_body(dataset)
    out: list[Fingerprint] = []
    offset = 0
    while offset < len(body):
        if len(body) - offset < _ENTRY.size:
            raise TerminalProtocolError(f"templates dataset ends inside an entry at {offset}")
        size, uid, fid, valid = _ENTRY.unpack_from(body, offset)
        if size <= _ENTRY.size or offset + size > len(body):
            raise TerminalProtocolError(f"templates dataset entry at {offset} has size {size}")
        if not 0 <= fid <= MAX_FINGER_INDEX:
            raise TerminalProtocolError(f"templates dataset entry at {offset} has finger {fid}")
        template = bytes(body[offset + _ENTRY.size : offset + size])
        out.append(Fingerprint(uid=uid, fid=fid, valid=valid, template=template))
        offset += size
    return out


def read_templates(session: PyzkSession, count: int) -> list[Fingerprint]:
    """Every template on the terminal (``count`` from its counters: 0 skips the read)."""
    if count == 0:
        return []
    return parse_templates(BulkReader(session).read(CMD_DB_RRQ, FCT_FINGERTMP))


def save_user_templates(
    session: PyzkSession, user: User, fingerprints: list[Fingerprint], record_size: int
) -> None:
    """Write ``user`` (its uid on this terminal) and its templates with pyzk's upload.

    pyzk writes the user record as it lays it out; the caller writes the record again in
    the terminal's own layout afterwards, so that only the templates are taken from here.
    """
    zk: Any = session.zk
    zk.user_packet_size = record_size
    pyzk_user = PyzkUser(
        uid=user.uid,
        name=user.name,
        privilege=user.privilege,
        password=user.password,
        group_id="",
        user_id=user.user_id,
        card=user.card,
    )
    fingers = [Finger(user.uid, fp.fid, fp.valid, fp.template) for fp in fingerprints]
    try:
        zk.save_user_template(pyzk_user, fingers)
    except Exception as exc:
        # pyzk's own errors name no data, but say so by construction: type only.
        raise TerminalCommandRejected(
            f"saving {len(fingers)} fingerprint(s) of user {user.user_id!r} failed "
            f"({type(exc).__name__})"
        ) from None


def delete_template(session: PyzkSession, uid: int, fid: int) -> None:
    """Remove one finger of a user (absent fingers are not an error)."""
    # pyzk packs the uid as a signed short; same two bytes for uids above 32767.
    session.zk.delete_user_template(uid=uid - 0x10000 if uid > 0x7FFF else uid, temp_id=fid)
