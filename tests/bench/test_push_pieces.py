"""The push benchmark's pure pieces on fixed figures (the benchmark itself runs in bench/)."""

from collections.abc import Callable
from typing import Any

from bench import push_terminals
from bench.push_terminals import Key, _backlog_keys, _check, _live_keys

PHASE = {"loop_lag_p99_ms": 4.0, "seconds": 2.0, "lost": 0, "stored_twice": 0}
FIGURES: dict[str, Any] = {
    mode: {
        "terminals": 50,
        "batch_size": 1000,
        "live": {**PHASE, "punches": 600, "rate_per_s": 20.0, "cpu_ms_per_punch": cpu,
                 "delivery_ms": {"median": 1.0, "p99": 3.0}},
        "backlog": {**PHASE, "per_terminal": 10_000, "punches_per_s": 250_000,
                    "cpu_us_per_punch": cpu * 10, "loop_lag_p99_ms": lag},
    }
    for mode, cpu, lag in (("protocol", 1.0, 150.0), ("protocol_on_loop", 1.0, 900.0),
                           ("raw", 0.5, 5.0))
}  # fmt: skip


def test_rows_put_the_protocol_beside_the_raw_floor() -> None:
    live, backlog, on_loop = push_terminals.rows(FIGURES)
    assert on_loop.case.endswith("parsed in one go, all uploads at once")
    assert "lag p99 900.0 ms" in on_loop.devicehub
    assert live.case == "50 terminals, 20 punches/s, 600 punches"
    assert "lost 0" in live.devicehub and "delivery median 1.0 ms" in live.devicehub
    assert live.ratio == "CPU 2.0x"
    assert backlog.case.startswith("backlog 10,000 x 50 after an outage")
    assert backlog.case.endswith("parsed stepwise, one upload at a time")
    assert "CPU 10.0 us/punch" in backlog.devicehub and "CPU 5.0 us/punch" in backlog.baseline


def test_aims_are_exactly_once_and_a_responsive_loop() -> None:
    aims = {aim.name: aim for aim in push_terminals.aims(FIGURES)}
    assert aims["push: punches lost (live and backlog)"].met
    assert aims["push: punches stored twice"].met
    assert aims["push: loop lag p99, live"].met
    assert aims["push: loop lag p99, backlog"].met is False  # 150 ms over the 100 ms limit
    assert aims["push: loop lag p99, backlog"].limit == 100


def test_expected_keys() -> None:
    keys = _live_keys([["PUSH000001", "1000001", "2026-01-01 08:00:00", 5]])
    assert keys == {"PUSH000001": {"1000001\t2026-01-01 08:00:00\t0"}}
    backlog = _backlog_keys("2025-01-01 00:00:00", 3)
    assert "3\t2025-01-01 00:00:02\t0" in backlog and len(backlog) == 3


class _Server:
    def __init__(self, stored: int, keys: dict[str, set[Key]] | None) -> None:
        self.stored = stored
        self._keys = keys

    def keys(self, serial: str) -> set[Key] | None:
        return None if self._keys is None else self._keys.get(serial, set())


def test_check_counts_lost_and_twice() -> None:
    one: Key = "1\t2025-01-01 00:00:00\t0"
    two: Key = "2\t2025-01-01 00:00:00\t0"
    expected = {"A": {one, two}}
    check: Callable[..., dict[str, int]] = _check
    assert check(_Server(2, {"A": {one, two}}), expected, 2) == {"lost": 0, "stored_twice": 0}
    assert check(_Server(1, {"A": {one}}), expected, 2) == {"lost": 1, "stored_twice": 0}
    assert check(_Server(3, None), expected, 2) == {"lost": 0, "stored_twice": 1}
    assert check(_Server(1, None), expected, 2) == {"lost": 1, "stored_twice": 0}
