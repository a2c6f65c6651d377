"""ATTPHOTO uploads: a short text header, then the picture's bytes.

Header lines ``PIN=<name>``, ``SN=<serial>``, ``size=<bytes>``, ``CMD=uploadphoto`` (or
``realupload``), then one separator byte and the JPEG. ``<name>`` is
``yyyymmddhhmmss-<PIN>.jpg`` for a recognised user.
"""

from datetime import datetime
import re
from typing import Final

from .errors import MalformedBodyError, RefusalReason
from .limits import MAX_PHOTO_BYTES, check_body_size
from .models import AttendancePhoto

_MARKERS: Final = (b"CMD=uploadphoto", b"CMD=realupload")
_NAME: Final = re.compile(r"(\d{14})-([A-Za-z0-9]{1,24})\.jpg")
_MAX_HEADER: Final = 512
_JPEG: Final = b"\xff\xd8\xff"


def _refuse(detail: str) -> MalformedBodyError:
    return MalformedBodyError(RefusalReason.BAD_PHOTO, detail)


def parse_attphoto(body: bytes) -> AttendancePhoto:
    """Read an ATTPHOTO upload; refuse one whose header or picture does not fit the layout."""
    check_body_size(body, MAX_PHOTO_BYTES)
    head = body[:_MAX_HEADER]
    found = [(head.find(marker), marker) for marker in _MARKERS if marker in head]
    if not found:
        raise _refuse("no CMD=uploadphoto header")
    start, marker = min(found)
    end = start + len(marker)
    image = body[end:]
    for separator in (b"\r\n", b"\n", b"\0", b"\t"):
        if image.startswith(separator):
            image = image[len(separator) :]
            break
    header = head[:start].decode("ascii", errors="replace")
    values: dict[str, str] = {}
    for item in re.split(r"[\r\n\t]+", header):
        key, sep, value = item.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    name = values.get("PIN", "")
    if not name or len(name) > 64:
        raise _refuse("no picture name")
    size_text = values.get("size", values.get("Size", ""))
    if not size_text.isdigit() or int(size_text) != len(image):
        raise _refuse("size does not match the picture")
    if not image.startswith(_JPEG):
        raise _refuse("not a JPEG picture")
    match = _NAME.fullmatch(name)
    when = datetime.strptime(match[1], "%Y%m%d%H%M%S") if match else None
    return AttendancePhoto(
        name=name,
        size=len(image),
        image=image,
        user_id=match[2] if match else None,
        time=when,
        content_type="image/jpeg",
    )
