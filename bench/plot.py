"""The attendance sync plot: time against record count, devicehub vs pyzk vs raw transfer."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # no display: render to a file only

import matplotlib.pyplot as plt

from .report import Figures


def plot_attendance(figures: Figures, path: Path, title_note: str = "") -> None:
    """Log-log lines of seconds per sync; pyzk where it was run."""
    results = sorted(figures["results"], key=lambda r: r["records"])
    series = (
        ("devicehub TerminalClient.get_attendance()", "devicehub_s", "o-", "tab:blue"),
        ("pyzk 0.9 ZK.get_attendance()", "pyzk_s", "s-", "tab:red"),
        ("raw transfer (bytes only, the floor)", "raw_transfer_s", "^--", "tab:gray"),
    )
    figure, axes = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    for label, key, style, color in series:
        points = [(r["records"], r[key]) for r in results if r.get(key) is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, style, label=label, color=color)
            last_x, last_y = points[-1]
            axes.annotate(f"{last_y:.2f} s", (last_x, last_y), textcoords="offset points",
                          xytext=(-10, 6), ha="right", fontsize=8, color=color)  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("attendance records in the terminal's log (40-byte records)")
    axes.set_ylabel("seconds per full sync (median)")
    once = [f"{r['records'] // 1000}k" for r in results if r.get("pyzk_runs") == 1]
    note = f"; pyzk run once at {', '.join(once)}" if once else ""
    axes.set_title(
        f"Attendance sync, simulated terminal on loopback{note}{title_note}", fontsize=10
    )
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def plot_setup_curve(figures: Figures, path: Path) -> None:
    """Time to values and memory per door against the door count, devicehub vs HA YAML."""
    points = sorted(figures["points"], key=lambda point: point["doors"])
    doors = [point["doors"] for point in points]
    figure, (times, memory) = plt.subplots(1, 2, figsize=(9.5, 4.2), dpi=110)
    for case, label, style, color in (
        ("devicehub", "devicehub", "o-", "tab:blue"),
        ("mqtt_yaml", "HA MQTT YAML platforms", "s--", "tab:red"),
    ):
        times.plot(doors, [p[case]["ready_s"] for p in points], style, label=label, color=color)
        memory.plot(
            doors, [p[case]["memory_per_door_kib"] for p in points], style, label=label, color=color
        )
    times.set_ylabel("seconds until every entity shows its value")
    memory.set_ylabel("resident memory added per door (KiB)")
    for axes, corner in ((times, "upper left"), (memory, "lower right")):
        axes.set_xlabel("MQTT doors (8 entities each)")
        axes.set_xticks(doors)
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8, loc=corner)
    figure.suptitle(
        "Door setup, retained values on one Mosquitto (loopback, a fresh process per case)",
        fontsize=10,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
