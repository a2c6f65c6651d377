"""Attendance sync benchmark: our client against pyzk 0.9, on a simulated terminal.

For 10k, 100k and 200k 40-byte records the simulator runs in its own process on loopback
(so neither its CPU time nor its memory is counted) and this prints one JSON line:
our get_attendance time, pyzk's get_attendance time (skipped at 200k unless --full), the
raw transfer time (bytes only, no parsing) of our reader and of pyzk's, the pyzk/ours
ratio, and the peak Python memory of our get_attendance (tracemalloc).

    .venv/bin/python -m bench.attendance_sync [--full] [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
import json
from pathlib import Path
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from zk import ZK

from custom_components.devicehub.zk import TerminalClient, TerminalConfig
from custom_components.devicehub.zk.transport.bulk import BulkReader
from custom_components.devicehub.zk.transport.packets import Command

ROOT = Path(__file__).resolve().parent.parent
USERS = 100
RUNS = 3
CMD_ATTLOG_RRQ = 13


@contextmanager
def simulator(records: int) -> Iterator[int]:
    """A simulated terminal in a child process; yields its port."""
    command = [sys.executable, "-m", "tools.zksim", "--port", "0", "--users", str(USERS)]
    command += ["--records", str(records), "--record-size", "40"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.search(r" on [\d.]+:(\d+) ", banner)
        if found is None:
            raise RuntimeError(f"simulator did not start: {banner!r}")
        yield int(found.group(1))
    finally:
        process.terminate()
        process.wait(10)


def best_of(runs: int, action: Callable[[], Any]) -> tuple[float, Any]:
    """Median wall time of ``runs`` calls, and the last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(records: int, with_pyzk: bool) -> dict[str, Any]:
    """Every figure for one log size."""
    with simulator(records) as port:
        client = TerminalClient(TerminalConfig("127.0.0.1", port, timeout=30.0))
        client.connect()
        # The simulator encodes and caches its dataset on the first read: warm it up.
        client.get_attendance()
        ours, batch = best_of(RUNS, client.get_attendance)
        assert len(batch.records) == records, "every record must arrive"
        session = client._session
        assert session is not None
        raw, dataset = best_of(RUNS, lambda: BulkReader(session).read(Command.CMD_ATTLOG_RRQ))
        tracemalloc.start()
        client.get_attendance()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        client.close()
        figures: dict[str, Any] = {
            "records": records,
            "dataset_bytes": len(dataset),
            "ours_s": round(ours, 4),
            "raw_transfer_s": round(raw, 4),
            "parse_s": round(ours - raw, 4),
            "ours_peak_mib": round(peak / 2**20, 1),
        }
        if with_pyzk:
            connection = ZK("127.0.0.1", port=port, timeout=60, ommit_ping=True).connect()
            theirs, their_records = best_of(1, connection.get_attendance)
            assert len(their_records) == records
            pyzk_raw, _ = best_of(1, lambda: connection.read_with_buffer(CMD_ATTLOG_RRQ))
            connection.disconnect()
            figures |= {
                "pyzk_s": round(theirs, 3),
                "pyzk_raw_transfer_s": round(pyzk_raw, 4),
                "ratio_pyzk_over_ours": round(theirs / ours, 1),
            }
        else:
            figures["pyzk_s"] = None
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time pyzk at 200k")
    parser.add_argument("--sizes", default="10000,100000,200000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = [measure(size, with_pyzk=args.full or size < 200_000) for size in sizes]
    print(json.dumps({"benchmark": "attendance_sync", "record_size": 40, "results": results}))


if __name__ == "__main__":
    main()
