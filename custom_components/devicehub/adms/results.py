"""Command results posted to ``/iclock/devicecmd``.

Two layouts are seen on real firmware: ``ID=1&Return=0&CMD=INFO`` (several a body, one a
line) and a multi-line form (``ID=32`` / ``Return=0`` / ``CMD=..`` each on its own line).
``key=value`` lines after a result belong to it (an INFO result's device facts).
"""

from dataclasses import dataclass, field
import re
from types import MappingProxyType
from typing import Final

from .fields import key_values, small_int
from .limits import MAX_LINE_LENGTH, body_lines
from .models import CommandResult, ParsedLines

MAX_RESULT_DATA_KEYS: Final = 512
_COMMAND_ID: Final = re.compile(r"[A-Za-z0-9]{1,16}")


@dataclass(slots=True)
class _Pending:
    values: dict[str, str]
    data: dict[str, str] = field(default_factory=dict)


def _finish(pending: _Pending) -> CommandResult:
    command_id = pending.values.get("ID", "").strip()
    if _COMMAND_ID.fullmatch(command_id) is None:
        raise ValueError("bad ID")
    return_code = small_int(pending.values.get("Return", ""))
    return CommandResult(
        command_id=command_id,
        return_code=return_code,
        command=pending.values.get("CMD", "")[:64],
        data=MappingProxyType(pending.data),
    )


def parse_command_results(body: bytes) -> ParsedLines[CommandResult]:
    """Read every result of a devicecmd body; results without a usable ID or Return are
    counted as malformed (with lines before the first result)."""
    results: list[CommandResult] = []
    malformed = 0
    first_reason: str | None = None
    pending: _Pending | None = None

    def close() -> None:
        nonlocal malformed, first_reason
        if pending is None:
            return
        try:
            results.append(_finish(pending))
        except ValueError as err:
            malformed += 1
            first_reason = first_reason or f"result: {str(err)[:80] or 'missing ID or Return'}"

    for line in body_lines(body):
        if len(line) > MAX_LINE_LENGTH:
            malformed += 1
            first_reason = first_reason or "line too long"
            continue
        if line.startswith("ID="):
            close()
            pending = _Pending(values=key_values(line.split("&"), strip_tilde=False))
        elif pending is None:
            malformed += 1
            first_reason = first_reason or "line before any result"
        elif line.startswith(("Return=", "CMD=")) and line.partition("=")[0] not in pending.values:
            key, _, value = line.partition("=")
            pending.values[key] = value.strip()
        elif len(pending.data) < MAX_RESULT_DATA_KEYS:
            pending.data.update(key_values([line]))
    close()
    return ParsedLines(
        records=tuple(results), malformed=malformed, first_malformed_reason=first_reason
    )
