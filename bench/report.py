"""Pure rendering of benchmark figures: table rows, aims, text and Markdown tables, JSON file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import json
import os
from pathlib import Path
from typing import Any, Literal

type Figures = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the results table: a figure of devicehub beside its baseline."""

    bench: str
    case: str
    devicehub: str
    baseline: str
    ratio: str = ""


@dataclass(frozen=True, slots=True)
class Aim:
    """A target: value at most (or at least) limit. A value not measured is neither met
    nor missed (e.g. pyzk at 200k records is not run by --quick)."""

    name: str
    value: float | None
    limit: float
    unit: str
    direction: Literal["at_most", "at_least"] = "at_most"

    @property
    def met(self) -> bool | None:
        """Whether the value reaches the aim; None when it was not measured."""
        if self.value is None:
            return None
        if self.direction == "at_most":
            return self.value <= self.limit
        return self.value >= self.limit

    def as_dict(self) -> dict[str, Any]:
        """The aim as JSON data."""
        return {
            "aim": self.name,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "direction": self.direction,
            "met": self.met,
        }


def seconds(value: float | None) -> str:
    """A duration for a table cell: ms below one second, s above; '-' when missing."""
    if value is None:
        return "-"
    if value < 1.0:
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def millis(value: float | None) -> str:
    """A value already in milliseconds; '-' when missing."""
    if value is None:
        return "-"
    return f"{value:.2f} ms" if value < 1 else f"{value:.1f} ms"


def times(value: float | None) -> str:
    """A ratio as '12.3x'; '-' when missing."""
    if value is None:
        return "-"
    return f"{value:.0f}x" if value >= 100 else f"{value:.1f}x"


def mib(value: float | None) -> str:
    """Mebibytes; '-' when missing."""
    return "-" if value is None else f"{value:.1f} MiB"


def _widths(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[int]:
    return [max(len(line[col]) for line in [header, *body]) for col in range(len(header))]


HEADER = ("benchmark", "case", "devicehub", "baseline", "devicehub vs baseline")
AIM_HEADER = ("aim", "figure", "limit", "met")


def _row_cells(rows: Sequence[Row]) -> list[tuple[str, str, str, str, str]]:
    return [(r.bench, r.case, r.devicehub, r.baseline, r.ratio) for r in rows]


def _aim_cells(aims: Sequence[Aim]) -> list[tuple[str, str, str, str]]:
    cells = []
    for aim in aims:
        value = "-" if aim.value is None else f"{aim.value:g} {aim.unit}".strip()
        sign = "<=" if aim.direction == "at_most" else ">="
        cells.append((aim.name, value, f"{sign} {aim.limit:g} {aim.unit}".strip(), _yes(aim)))
    return cells


def _yes(aim: Aim) -> str:
    return {True: "yes", False: "NO", None: "not measured"}[aim.met]


def render_text(rows: Sequence[Row], aims: Sequence[Aim]) -> str:
    """A plain table for a terminal, then the aims."""
    out: list[str] = []
    for header, body in ((HEADER, _row_cells(rows)), (AIM_HEADER, _aim_cells(aims))):
        if not body:
            continue
        widths = _widths(header, body)
        line = "  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))
        out += [line.rstrip(), "  ".join("-" * width for width in widths)]
        for cells in body:
            padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            out.append("  ".join(padded).rstrip())
        out.append("")
    return "\n".join(out)


def _markdown_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return [line(header), "|" + "---|" * len(header), *(line(cells) for cells in body)]


def render_markdown(rows: Sequence[Row], aims: Sequence[Aim], context: Mapping[str, str]) -> str:
    """The results and aims as Markdown, with a line on how and where they were measured."""
    about = ", ".join(f"{key} {value}" for key, value in context.items())
    out = [f"Measured with `scripts/bench`: {about}.", ""]
    out += _markdown_table(HEADER, _row_cells(rows))
    if aims:
        out += ["", *_markdown_table(AIM_HEADER, _aim_cells(aims))]
    return "\n".join(out) + "\n"


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write data as indented JSON, atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    partial.replace(path)


def json_line(name: str, figures: Mapping[str, Any]) -> str:
    """The one JSON line a benchmark module prints when run alone."""
    return json.dumps({"benchmark": name, **figures}, separators=(",", ":"))
