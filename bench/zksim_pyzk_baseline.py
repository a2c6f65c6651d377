"""Baseline: unmodified pyzk 0.9 reading attendance from the simulator, and the simulator's cost.

Prints one JSON line: pyzk get_attendance() seconds at each record count (40-byte records,
TCP, loopback), how much of that is the transfer, and the simulator's own generation time,
encoding time and memory at 200k records.

    python -m bench.zksim_pyzk_baseline [--counts 10000,100000,200000]
"""

from __future__ import annotations

import argparse
from datetime import date
import gc
import json
from pathlib import Path
import platform
import random
import time
import tracemalloc

from zk import ZK

from tools.zksim import SimulatorConfig, TerminalSimulator
from tools.zksim.attlog import AttendanceLog
from tools.zksim.datagen import generate_attendance, generate_users

CMD_ATTLOG_RRQ = 13
USERS = 50
LAST_DAY = date(2025, 12, 31)


def rss_mib() -> float:
    """Resident set size of this process (Linux), MiB."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * 4096 / 2**20


def generation_seconds(count: int) -> tuple[float, float]:
    """Seconds to generate count punches, and to encode them as the 40-byte dataset."""
    rng = random.Random(1)
    users = generate_users(rng, USERS)
    started = time.perf_counter()
    columns = generate_attendance(rng, users, count, LAST_DAY)
    generated = time.perf_counter()
    log = AttendanceLog()
    log.extend(columns)
    log.dataset(40)
    return generated - started, time.perf_counter() - generated


def simulator_memory(count: int) -> tuple[float, float]:
    """Traced allocations and RSS growth of a simulator holding count records, MiB."""
    gc.collect()
    rss_before = rss_mib()
    tracemalloc.start()
    sim = TerminalSimulator(
        SimulatorConfig(users=USERS, records=count, seed=1, records_last_day=LAST_DAY)
    )
    sim.attendance_dataset()  # the cached encoding is part of the footprint
    traced, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = rss_mib() - rss_before
    del sim
    gc.collect()
    return traced / 2**20, rss_growth


def pyzk_seconds(count: int) -> tuple[float, float]:
    """Seconds for pyzk's get_attendance(), and for the bulk transfer alone."""
    config = SimulatorConfig(users=USERS, records=count, seed=1, records_last_day=LAST_DAY)
    with TerminalSimulator(config) as sim:
        sim.attendance_dataset()
        client = ZK("127.0.0.1", port=sim.port, timeout=120, ommit_ping=True)
        client.connect()
        try:
            started = time.perf_counter()
            _data, size = client.read_with_buffer(CMD_ATTLOG_RRQ)
            transfer = time.perf_counter() - started
            assert size == 4 + 40 * count
            started = time.perf_counter()
            records = client.get_attendance()
            total = time.perf_counter() - started
            assert len(records) == count
            client.disconnect()
        finally:
            client._ZK__sock.close()  # pyzk keeps its socket private
    return total, transfer


def main() -> None:
    """Measure and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", default="10000,100000,200000")
    counts = [int(part) for part in parser.parse_args().counts.split(",")]
    generate_s, encode_s = generation_seconds(200_000)
    traced_mib, rss_growth_mib = simulator_memory(200_000)
    get_attendance: dict[str, float] = {}
    transfer: dict[str, float] = {}
    for count in counts:
        total, moved = pyzk_seconds(count)
        get_attendance[str(count)] = round(total, 3)
        transfer[str(count)] = round(moved, 3)
    figures = {
        "bench": "zksim_pyzk_baseline",
        "record_size": 40,
        "users": USERS,
        "generate_200k_s": round(generate_s, 3),
        "encode_200k_s": round(encode_s, 3),
        "sim_traced_200k_mib": round(traced_mib, 1),
        "sim_rss_growth_200k_mib": round(rss_growth_mib, 1),
        "pyzk_get_attendance_s": get_attendance,
        "pyzk_bulk_transfer_s": transfer,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
