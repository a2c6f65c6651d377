"""Caps on what a terminal may send, and the one place bodies are turned into lines.

The numbers are documented in the README and asserted as numbers in tests/adms:
- MAX_BODY_BYTES = 4 MiB: a 10,000-punch backlog is about 0.4 MiB (about 40 bytes a
  line); ZKTeco's own v3 handshake offers MaxPostSize=1048576, so 4 MiB leaves room for
  a terminal that ignores it, and refuses anything far beyond a real upload.
- MAX_LINES = 50,000 lines in one body: above the largest backlog batch we expect
  (terminals upload their backlog in batches), far below what would stall the loop.
- MAX_LINE_LENGTH = 4,096 characters: a punch line is under 100, a user line under 300;
  a longer line (a fingerprint template in OPERLOG) is counted as malformed and skipped.
"""

from typing import Final

from .errors import BodyTooLargeError, RefusalReason

MAX_BODY_BYTES: Final = 4 * 1024 * 1024
MAX_LINES: Final = 50_000
MAX_LINE_LENGTH: Final = 4_096
# Photos are binary and one per body; they have their own, smaller cap.
MAX_PHOTO_BYTES: Final = 2 * 1024 * 1024


def check_body_size(body: bytes, limit: int = MAX_BODY_BYTES) -> None:
    """Refuse a body over the byte cap before anything reads it."""
    if len(body) > limit:
        raise BodyTooLargeError(f"{len(body)} bytes, cap {limit}")


def body_lines(body: bytes) -> list[str]:
    """Split a text body into its non-empty lines (CRLF or LF), after the caps.

    Terminals send UTF-8 (some firmware sends GBK names: undecodable bytes become U+FFFD
    so a bad name spoils its own line only, never the batch).
    """
    check_body_size(body)
    text = body.decode("utf-8", errors="replace")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    lines = [line for line in lines if line.strip()]
    if len(lines) > MAX_LINES:
        raise BodyTooLargeError(
            f"{len(lines)} lines, cap {MAX_LINES}", reason=RefusalReason.TOO_MANY_LINES
        )
    return lines
