"""Pure statistics for benchmark samples: percentiles, summaries, ratios (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
import math
import statistics


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction 0..1) of samples: an observed value, never mixed.

    p99 of 100 samples is the 99th smallest; p99 of 500 is the 495th. Raises ValueError
    on an empty sequence or a fraction outside 0..1.
    """
    if not samples:
        raise ValueError("no samples")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction {fraction} is outside 0..1")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize(samples: Sequence[float], scale: float = 1.0, digits: int = 2) -> dict[str, float]:
    """n, median, p99 and max of samples, each multiplied by scale (e.g. 1000 for ms)."""
    if not samples:
        raise ValueError("no samples")
    return {
        "n": len(samples),
        "median": round(statistics.median(samples) * scale, digits),
        "p99": round(percentile(samples, 0.99) * scale, digits),
        "max": round(max(samples) * scale, digits),
    }


def median(samples: Sequence[float]) -> float:
    """The median; raises ValueError on an empty sequence."""
    if not samples:
        raise ValueError("no samples")
    return statistics.median(samples)


def ratio(numerator: float | None, denominator: float | None, digits: int = 2) -> float | None:
    """numerator / denominator rounded, or None when either is missing or the divisor is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, digits)


def median_ratio(pairs: Sequence[tuple[float, float]], digits: int = 2) -> float | None:
    """The median of a/b over pairs measured back to back (robust to drifting machine load)."""
    ratios = [a / b for a, b in pairs if b]
    return round(statistics.median(ratios), digits) if ratios else None
