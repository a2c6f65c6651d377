"""Why a message was dropped: one reason per counter in the diagnostics."""

from enum import StrEnum


class DropReason(StrEnum):
    """The reasons a door message is dropped."""

    TOO_LARGE = "too_large"
    NOT_UTF8 = "not_utf8"
    INVALID_JSON = "invalid_json"
    INVALID_PAYLOAD = "invalid_payload"
    UNKNOWN_STATE = "unknown_state"
    UNKNOWN_TOPIC = "unknown_topic"
    UNDECLARED = "undeclared"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CALL = "unknown_call"
    INVALID_IMAGE = "invalid_image"
    FETCH_FAILED = "fetch_failed"


class PayloadError(ValueError):
    """A payload that breaks the contract; carries the reason it is dropped."""

    def __init__(self, reason: DropReason, detail: str = "") -> None:
        """Keep the reason for the counters and a detail for the log."""
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
