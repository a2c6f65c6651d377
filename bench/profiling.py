"""Optional pyinstrument profiles of a benchmark's measured part (BENCH_PROFILE=name|all).

    BENCH_PROFILE=setup_scale .venv/bin/python -m bench.setup_scale --quick

writes bench/results/profile-<name>.txt and .html (not committed). The profiler samples the
thread it starts in: Home Assistant's event loop for the benchmarks that run it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import os

from .procs import ROOT

RESULTS = ROOT / "bench" / "results"


@contextmanager
def profiled(name: str) -> Iterator[None]:
    """Profile the block when BENCH_PROFILE names this benchmark (or says all)."""
    wanted = os.environ.get("BENCH_PROFILE", "")
    if wanted not in (name, "all"):
        yield
        return
    from pyinstrument import Profiler  # only when asked for

    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        RESULTS.mkdir(parents=True, exist_ok=True)
        text = profiler.output_text(unicode=False, color=False, show_all=True)
        (RESULTS / f"profile-{name}.txt").write_text(text, encoding="utf-8")
        (RESULTS / f"profile-{name}.html").write_text(profiler.output_html(), encoding="utf-8")
