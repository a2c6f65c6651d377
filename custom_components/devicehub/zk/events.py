"""Parser for realtime attendance event payloads (CMD_REG_EVENT packets, EF_ATTLOG).

Firmware families send different payload lengths; a payload may also carry several 52-byte
events back to back. Unknown lengths are counted, never fatal (pyzk 0.9 crashes on them).
"""

from __future__ import annotations

from struct import Struct

from .models import LiveEvent
from .records import c_string
from .timecodec import decode_event_time

# user_id, verify, punch, 6-byte time (+ padding): keyed by payload length
_NUMERIC_FORMS = {
    10: Struct("<HBB6s"),
    12: Struct("<IBB6s"),
    14: Struct("<HBB6s4x"),
}
_TEXT_FORMS = {
    32: Struct("<24sBB6s"),
    36: Struct("<24sBB6s4x"),
    37: Struct("<24sBB6s5x"),
}
_LONG_FORM = Struct("<24sBB6s20x")  # 52 bytes; repeated when events are batched


def parse_event_payload(payload: bytes) -> tuple[list[LiveEvent], int]:
    """Return the events in one payload and the number of events that could not be decoded."""
    events: list[LiveEvent] = []
    invalid = 0
    offset = 0
    while offset < len(payload):
        remaining = len(payload) - offset
        if remaining >= _LONG_FORM.size and remaining not in _TEXT_FORMS:
            form = _LONG_FORM
        elif remaining in _TEXT_FORMS:
            form = _TEXT_FORMS[remaining]
        elif remaining in _NUMERIC_FORMS:
            form = _NUMERIC_FORMS[remaining]
        else:
            return events, invalid + 1
        raw_user_id, verify, punch, raw_time = form.unpack_from(payload, offset)
        offset += form.size
        timestamp = decode_event_time(raw_time)
        if timestamp is None:
            invalid += 1
            continue
        if isinstance(raw_user_id, int):
            user_id = str(raw_user_id)
        else:
            user_id = c_string(raw_user_id, "utf-8")
        events.append(LiveEvent(user_id=user_id, timestamp=timestamp, verify=verify, punch=punch))
    return events, invalid
