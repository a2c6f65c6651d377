"""The benchmark runner's pure pieces on fixed figures: statistics, tables, aims, JSON, config.

Benchmarks never run here (timing goals belong in bench/, run by scripts/bench).
"""

import asyncio
import functools
import importlib
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from bench import attendance_sync, external, setup_scale, stats
from bench.haconfig import BASELINE_PREFIX, door_entities, load_unique_ids, mqtt_configuration
from bench.loopmon import LoopMonitor, describe, overlap
from bench.plot import plot_attendance
from bench.report import Aim, Row, json_line, render_markdown, render_text, seconds, write_json

ATTENDANCE: dict[str, Any] = {
    "record_size": 40,
    "results": [
        {
            "records": 10_000,
            "devicehub_s": 0.01,
            "devicehub_first_s": 0.012,
            "raw_transfer_s": 0.002,
            "devicehub_over_raw": 5.0,
            "devicehub_peak_mib": 1.0,
            "pyzk_s": 0.1,
            "pyzk_peak_mib": 1.5,
            "pyzk_over_devicehub": 10.0,
        },
        {
            "records": 200_000,
            "devicehub_s": 0.25,
            "devicehub_first_s": 0.3,
            "raw_transfer_s": 0.05,
            "devicehub_over_raw": 4.5,
            "devicehub_peak_mib": 33.0,
            "pyzk_s": None,
            "pyzk_peak_mib": None,
            "pyzk_over_devicehub": None,
        },
    ],
}


def test_percentile_is_an_observed_value_by_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]  # 1..100, shuffled order must not matter
    assert stats.percentile(list(reversed(samples)), 0.99) == 99.0
    assert stats.percentile(samples, 0.5) == 50.0
    assert stats.percentile(samples, 1.0) == 100.0
    assert stats.percentile(samples, 0.0) == 1.0
    assert stats.percentile([7.0], 0.99) == 7.0
    assert stats.percentile([float(n) for n in range(1, 501)], 0.99) == 495.0


@pytest.mark.parametrize(("samples", "fraction"), [([], 0.5), ([1.0], 1.5), ([1.0], -0.1)])
def test_percentile_rejects_nonsense(samples: list[float], fraction: float) -> None:
    with pytest.raises(ValueError):
        stats.percentile(samples, fraction)


def test_summary_scales_and_rounds() -> None:
    assert stats.summarize([0.001, 0.002, 0.003, 0.010], scale=1000) == {
        "n": 4,
        "median": 2.5,
        "p99": 10.0,
        "max": 10.0,
    }


def test_ratios_tolerate_missing_figures() -> None:
    assert stats.ratio(3.0, 2.0) == 1.5
    assert stats.ratio(None, 2.0) is None
    assert stats.ratio(3.0, 0.0) is None
    # Back-to-back pairs: the median of the ratios, not the ratio of the medians.
    assert stats.median_ratio([(2.0, 1.0), (9.0, 3.0), (8.0, 2.0)]) == 3.0
    assert stats.median_ratio([(1.0, 0.0)]) is None


def test_aims_at_most_at_least_and_not_measured() -> None:
    assert Aim("t", 0.9, 1.0, "s").met is True
    assert Aim("t", 1.0, 1.0, "s").met is True
    assert Aim("t", 1.1, 1.0, "s").met is False
    assert Aim("x", 25.0, 20, "x", "at_least").met is True
    assert Aim("x", 19.9, 20, "x", "at_least").met is False
    assert Aim("x", None, 20, "x", "at_least").met is None
    assert Aim("t", 1.1, 1.0, "s").as_dict() == {
        "aim": "t",
        "value": 1.1,
        "limit": 1.0,
        "unit": "s",
        "direction": "at_most",
        "met": False,
    }


def test_durations_read_naturally() -> None:
    assert [seconds(v) for v in (None, 0.0123, 0.456, 2.5)] == ["-", "12.3 ms", "456 ms", "2.50 s"]


def test_text_and_markdown_tables() -> None:
    rows = [Row("attendance sync", "200,000 records", "250 ms", "pyzk 20.00 s", "80x faster")]
    aims = [Aim("200k records synced", 0.25, 1.0, "s"), Aim("pyzk", None, 20, "x", "at_least")]
    text = render_text(rows, aims).splitlines()
    assert text[0].split() == ["benchmark", "case", "devicehub", "baseline", "devicehub", "vs",
                               "baseline"]  # fmt: skip
    assert text[2].split("  ") == [
        "attendance sync", "200,000 records", "250 ms", "", " pyzk 20.00 s", "80x faster"
    ]  # fmt: skip
    assert any(line.endswith("not measured") for line in text)
    markdown = render_markdown(rows, aims, {"mode": "full run", "CPUs": "2"})
    assert markdown.splitlines()[0] == "Measured with `scripts/bench`: mode full run, CPUs 2."
    assert "| attendance sync | 200,000 records | 250 ms | pyzk 20.00 s | 80x faster |" in markdown
    assert "| 200k records synced | 0.25 s | <= 1 s | yes |" in markdown


def test_markdown_escapes_pipes() -> None:
    markdown = render_markdown([Row("a|b", "c", "d", "e")], [], {})
    assert "| a\\|b | c | d | e |  |" in markdown


def test_json_writer_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "results" / "latest.json"
    write_json(target, {"first": 1})
    write_json(target, {"benchmarks": {"x": [1, 2]}})
    assert json.loads(target.read_text()) == {"benchmarks": {"x": [1, 2]}}
    assert [p.name for p in target.parent.iterdir()] == ["latest.json"]
    assert json.loads(json_line("attendance_sync", {"n": 1})) == {
        "benchmark": "attendance_sync",
        "n": 1,
    }


def test_attendance_rows_and_aims() -> None:
    rows = attendance_sync.rows(ATTENDANCE)
    assert rows[0].baseline == "pyzk 100 ms, raw 2.0 ms"
    assert rows[0].ratio == "10.0x faster, 5.0x raw"
    assert rows[1].baseline == "pyzk not run, raw 50.0 ms"
    met = {aim.name: aim.met for aim in attendance_sync.aims(ATTENDANCE)}
    assert met == {
        "200k records synced": True,
        "200k: faster than pyzk": None,  # not run at 200k (as in --quick)
        "200k: time over raw transfer": True,
        "200k: peak memory growth": True,
    }


def test_attendance_layout_rows_and_aims() -> None:
    """Each other record layout gets a row and time/memory aims; over-raw only from 40 bytes."""
    layout = {
        "records": 200_000,
        "devicehub_s": 0.3,
        "raw_transfer_s": 0.02,
        "devicehub_over_raw": 15.0,
        "devicehub_peak_mib": 30.0,
    }
    figures = ATTENDANCE | {
        "layouts": [layout | {"record_size": 8}, layout | {"record_size": 49, "devicehub_s": 1.5}]
    }
    rows = attendance_sync.rows(figures)
    assert [row.bench for row in rows[2:]] == [
        "attendance sync, 8-byte records",
        "attendance sync, 49-byte records",
    ]
    assert rows[2].ratio == "15.0x raw"
    met = {aim.name: aim.met for aim in attendance_sync.aims(figures)}
    assert {name: value for name, value in met.items() if "-byte" in name} == {
        "200k 8-byte records synced": True,
        "200k 8-byte: peak memory": True,
        "200k 49-byte records synced": False,
        "200k 49-byte: peak memory": True,
        "200k 49-byte: time over raw": False,
    }
    assert attendance_sync.LAYOUT_SIZES == (8, 16, 49)


def test_setup_keeps_the_worst_stall_of_all_repeats() -> None:
    cases = [
        {"entities": 9, "available_s": a, "ready_s": r, "loop_lag_max_ms": s,
         "longest_callback_ms": s, "longest_callback": f"cb{s}", "longest_own_ms": o,
         "longest_own": f"own{o}", "gc_longest_ms": s - o, "slow_callbacks": []}
        for a, r, s, o in ((1.0, 5.0, 40.0, 30.0), (3.0, 7.0, 120.0, 20.0), (2.0, 6.0, 80.0, 70.0))
    ]  # fmt: skip
    merged = setup_scale._median_case(cases)
    assert (merged["available_s"], merged["ready_s"]) == (2.0, 6.0)
    assert (merged["longest_callback_ms"], merged["longest_callback"]) == (120.0, "cb120.0")
    assert (merged["longest_own_ms"], merged["longest_own"]) == (70.0, "own70.0")
    assert merged["gc_longest_ms"] == 100.0
    row = setup_scale.rows({"terminals": 50, "doors": 200, "devicehub_all": merged,
                            "devicehub_doors": merged, "mqtt_doors": merged})[0]  # fmt: skip
    assert row.devicehub == (
        "available 2.00 s, values 6.00 s, longest stall 120.0 ms "
        "(longest GC pause 100.0 ms, longest without GC 70.0 ms)"
    )


def test_loop_monitor_tells_garbage_collection_apart_by_overlap() -> None:
    assert overlap(1.0, 2.0, [(0.5, 1.2), (1.5, 1.6), (1.9, 3.0)]) == pytest.approx(0.4)
    monitor = LoopMonitor()
    monitor.slow.extend([(0.0, 0.3, "reader"), (1.0, 1.2, "setup")])
    monitor.gc_intervals.extend([(0.05, 0.25), (5.0, 5.1)])
    figures = monitor.figures()
    assert (figures["longest_callback_ms"], figures["longest_callback"]) == (300.0, "reader")
    assert (figures["longest_own_ms"], figures["longest_own"]) == (200.0, "setup")
    assert (figures["gc_count"], figures["gc_longest_ms"]) == (2, 200.0)
    assert figures["slow_callbacks"] == [[300.0, 100.0, "reader"], [200.0, 200.0, "setup"]]


def test_loop_monitor_names_what_a_handle_runs() -> None:
    loop = asyncio.new_event_loop()
    try:
        handle = loop.call_soon(functools.partial(test_durations_read_naturally))
        assert describe(handle) == "test_durations_read_naturally"
    finally:
        handle.cancel()
        loop.close()


def test_mqtt_throughput_clean_rate() -> None:
    def run(offered: float, absorbed: float, p99: float) -> dict[str, Any]:
        return {"offered_per_s": offered, "absorbed_per_s": absorbed, "loop_lag_ms": {"p99": p99}}

    runs = [run(500, 500, 3), run(2000, 1990, 20), run(4000, 3000, 30), run(8000, 8000, 90)]
    assert external._clean_rate(runs)[0] == 2000
    assert external.cpu_ratio({"cpu_ratio_devicehub_over_mqtt": [1.1, 1.3, 1.0]}) == 1.1
    assert external.throughput_aims({"skipped": "not in this tree"}) == []


async def test_baseline_mqtt_configuration_passes_home_assistants_schemas(
    hass: HomeAssistant,
) -> None:
    config = json.loads(mqtt_configuration(BASELINE_PREFIX, ["door001", "door002"]))["mqtt"]
    assert {platform: len(items) for platform, items in config.items()} == {
        "lock": 2,
        "sensor": 6,
        "binary_sensor": 2,
        "event": 4,
        "image": 2,
    }
    for platform, items in config.items():
        module = importlib.import_module(f"homeassistant.components.mqtt.{platform}")
        for item in items:
            module.PLATFORM_SCHEMA_MODERN(item)
    unique_ids = {item["unique_id"] for items in config.values() for item in items}
    assert set(load_unique_ids(BASELINE_PREFIX, "door001")) <= unique_ids
    assert len(unique_ids) == 16


def test_baseline_entities_follow_the_door_topics() -> None:
    lock = door_entities("devicehub", "door007")["lock"][0]
    assert lock["command_topic"] == "devicehub/door007/command"
    assert lock["state_topic"] == "devicehub/door007/state"
    assert lock["availability_topic"] == "devicehub/door007/availability"


def test_attendance_plot_is_a_png(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    plot_attendance(ATTENDANCE, target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
