"""A second Mosquitto bridged to the one Home Assistant uses: doors past one broker.

Sites outgrow one broker before they outgrow one Home Assistant: the doors of a building
talk to a broker of their own, bridged to Home Assistant's. The bridge configuration is
generated here (Debian's mosquitto, a plain bridge of the door prefix in both directions:
states and events one way, commands the other), as a site would write it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import time

from tools.mqttdoor import MosquittoBroker

PREFIX = "devicehub"
BRIDGE_NAME = "devicehub-building"
FROM_HOME_ASSISTANT = ("command", "call", "relay_command", "ack")
CONNECT_TIMEOUT = 10.0


def bridge_config(central_port: int, prefix: str = PREFIX) -> tuple[str, ...]:
    """Mosquitto lines bridging `prefix/#` to the broker on 127.0.0.1:central_port."""
    return (
        f"connection {BRIDGE_NAME}",
        f"address 127.0.0.1:{central_port}",
        *(f"topic {prefix}/+/{kind} in 0" for kind in FROM_HOME_ASSISTANT),
        f"topic {prefix}/# out 1",
        "bridge_protocol_version mqttv311",
        # The far end is a Mosquitto too: no echo of what it sent, retain flags kept.
        "try_private true",
        "cleansession true",
        "restart_timeout 1",
        "notifications false",
        # A slow Home Assistant must make messages wait, not vanish.
        "max_queued_messages 0",
        "",
    )


@contextmanager
def bridged_broker(central: MosquittoBroker) -> Iterator[MosquittoBroker]:
    """A broker bridged to the central one, its bridge connected before it is yielded."""
    with MosquittoBroker(extra_config=bridge_config(central.port)) as broker:
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while BRIDGE_NAME not in central.log_path.read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise TimeoutError("the bridge did not connect")
            time.sleep(0.05)  # the central broker logs the bridge's connection
        yield broker
