"""Why a push request, body or command was refused: typed errors with a reason each."""

from enum import StrEnum


class RefusalReason(StrEnum):
    """One reason per diagnostics counter; the raw body is never part of an error."""

    BAD_SERIAL = "bad_serial"
    UNKNOWN_PATH = "unknown_path"
    MISSING_TABLE = "missing_table"
    BAD_QUERY = "bad_query"
    BODY_TOO_LARGE = "body_too_large"
    TOO_MANY_LINES = "too_many_lines"
    NOT_TEXT = "not_text"
    BAD_PHOTO = "bad_photo"
    BAD_FIELD = "bad_field"


class AdmsError(ValueError):
    """Base of every error of the push protocol code; carries a reason for the counters."""

    reason: RefusalReason

    def __init__(self, reason: RefusalReason, detail: str = "") -> None:
        """Keep the reason for the counters and a short detail (never the body) for the log."""
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


class AdmsRequestError(AdmsError):
    """A request that is not a push terminal request: bad serial, unknown path, bad query."""


class BodyTooLargeError(AdmsError):
    """A body over MAX_BODY_BYTES or with more than MAX_LINES lines; refused as a whole."""

    def __init__(self, detail: str = "", *, reason: RefusalReason = RefusalReason.BODY_TOO_LARGE):
        """A body cap was hit (bytes or lines)."""
        super().__init__(reason, detail)


# The name the push terminal work was first planned with.
BodyTooLarge = BodyTooLargeError


class MalformedBodyError(AdmsError):
    """A body that cannot be read at all (a photo upload without its header)."""


class CommandFieldError(AdmsError):
    """A command field the terminal could misread (tab, newline, out of range): never sent."""

    def __init__(self, detail: str) -> None:
        """Name the field and why; the value itself is not repeated."""
        super().__init__(RefusalReason.BAD_FIELD, detail)
