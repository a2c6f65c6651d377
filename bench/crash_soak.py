"""The crash soak's long mode: a real Home Assistant process SIGKILLed many times.

The same soak as tests/reliability/test_crash_soak.py (30 kills), run as long as asked:
a terminal simulator, a simulated MQTT door (contract 1.1 event ids) and a simulated push
terminal (calling Home Assistant's HTTP server, resending what was not answered `OK`) punch
all the time while Home Assistant is killed at random moments and started again. Prints
kills, punches, duplicates and losses per family, each loss and duplicate tied to its kill,
as text and as one JSON line.

    python -m bench.crash_soak [--kills 300] [--seed N] [--punch-every 0.5]
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
import json
from pathlib import Path
import tempfile

from tests.reliability.crash_soak import run_crash_soak
from tools.mqttdoor.broker import MosquittoBroker, find_mosquitto
from tools.zksim import TerminalSimulator


def main() -> None:
    """Run the soak once with the given number of kills."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--punch-every", type=float, default=0.5)
    parser.add_argument("--up-min", type=float, default=0.5, help="seconds up, at least")
    parser.add_argument("--up-max", type=float, default=8.0, help="seconds up, at most")
    args = parser.parse_args()
    mosquitto = find_mosquitto()
    if mosquitto is None:
        raise SystemExit("mosquitto is not installed (scripts/setup installs it)")
    with tempfile.TemporaryDirectory(prefix="devicehub-crash-soak-") as folder:
        root = Path(folder)
        (root / "broker").mkdir()
        broker = MosquittoBroker(mosquitto, root / "broker")
        broker.start()
        terminal = TerminalSimulator().start()
        try:
            result = run_crash_soak(
                root / "config",
                terminal,
                broker.address[1],
                kills=args.kills,
                up_for=(args.up_min, args.up_max),
                punch_every=args.punch_every,
                seed=args.seed,
            )
        finally:
            terminal.stop()
            broker.stop()
    print(result.as_text(), flush=True)
    # The kills' findings are sets of user ids: listed, sorted.
    print(json.dumps({"benchmark": "crash_soak", **asdict(result)}, default=sorted), flush=True)


if __name__ == "__main__":
    main()
