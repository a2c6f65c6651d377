"""Lock round trip latency: action -> MQTT -> simulated door -> confirmed `state` -> action returns.

A real Mosquitto on loopback, the door in its own process (`python -m tools.mqttdoor`, no
transition delay), and two clients measured over the same path:
- "ha": Home Assistant bootstrapped in this process with its MQTT integration and devicehub;
  `lock.unlock`/`lock.lock` with blocking=True return once the door's state confirms.
- "ha_tcp_nodelay": the same with TCP_NODELAY set on HA's MQTT socket by this benchmark.
- "paho", "paho_tcp_nodelay": a bare paho client publishing the command and waiting for the
  state: the floor without Home Assistant, with and without Nagle's algorithm.
The broker runs with set_tcp_nodelay and the door sets TCP_NODELAY; HA's MQTT client leaves
Nagle on, so a command written while its previous small packet (a PUBACK) awaits the
broker's delayed ACK waits up to 40 ms: --pause 0 shows it.

    .venv/bin/python -m bench.mqtt_roundtrip [--rounds 200] [--bridge]

--bridge: Home Assistant's round trip with the door on its broker and with the door on a
second Mosquitto bridged to it (bench.bridge), instead of the cases above.

Prints one JSON line (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import json
import socket
import statistics
import threading
import time
from typing import Any

from homeassistant.components.mqtt.models import DATA_MQTT
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from paho.mqtt.client import Client, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion

from tests.states import async_wait_for_state_value
from tools.mqttdoor import MosquittoBroker

from .bridge import bridged_broker
from .hass import TIMEOUT, async_confirm_discovered_doors, home_assistant, quiet_logs, run
from .procs import child
from .stats import percentile

DOOR_ID = "bench-door"
WARMUP = 10
COMMAND_TOPIC = f"devicehub/{DOOR_ID}/command"
STATE_TOPIC = f"devicehub/{DOOR_ID}/state"
DOOR_ARGS = ("--id", DOOR_ID, "--delay", "0", "--heartbeat", "0")


def summary(samples: list[float]) -> dict[str, float]:
    milliseconds = [sample * 1000 for sample in samples]
    return {
        "median_ms": round(statistics.median(milliseconds), 3),
        "p99_ms": round(percentile(milliseconds, 0.99), 3),
        "min_ms": round(min(milliseconds), 3),
        "max_ms": round(max(milliseconds), 3),
    }


def _set_tcp_nodelay(client: Client, userdata: Any, sock: Any) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def measure_paho(
    broker: MosquittoBroker, rounds: int, pause: float, *, nodelay: bool
) -> list[float]:
    """The same round trip without Home Assistant.

    nodelay=False leaves Nagle's algorithm on, as HA's MQTT client does: a command written
    right after a PUBACK then waits for the broker's (delayed) ACK.
    """
    latest: dict[str, str] = {}

    def state_is(expected: str) -> Callable[[], bool]:
        return lambda: latest.get("state") == expected

    changed = threading.Condition()

    def on_message(client: Client, userdata: Any, message: MQTTMessage) -> None:
        with changed:
            latest["state"] = message.payload.decode()
            changed.notify_all()

    client = Client(CallbackAPIVersion.VERSION2, client_id="bench-paho")
    client.on_message = on_message
    if nodelay:
        client.on_socket_open = _set_tcp_nodelay
    client.connect(broker.host, broker.port)
    client.subscribe(STATE_TOPIC, qos=1)
    client.loop_start()
    samples: list[float] = []
    try:
        with changed:
            if not changed.wait_for(state_is("locked"), TIMEOUT):
                raise TimeoutError("the door never reported `locked`")
        for number in range(WARMUP + rounds):
            command, confirmed = ("unlock", "unlocked") if number % 2 == 0 else ("lock", "locked")
            started = time.perf_counter()
            client.publish(COMMAND_TOPIC, command, qos=1)
            with changed:
                if not changed.wait_for(state_is(confirmed), TIMEOUT):
                    raise TimeoutError(f"no `{confirmed}` from the door")
            if number >= WARMUP:
                samples.append(time.perf_counter() - started)
            time.sleep(pause)
    finally:
        client.disconnect()
        client.loop_stop()
    return samples


async def measure_home_assistant(
    broker: MosquittoBroker, rounds: int, pause: float, *, nodelay: bool
) -> list[float]:
    """nodelay=True sets TCP_NODELAY on HA's MQTT socket (HA does not): what it would gain."""
    async with home_assistant(broker.port) as hass:
        if nodelay:
            sock = hass.data[DATA_MQTT].client._mqttc.socket()
            assert isinstance(sock, socket.socket)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert await async_setup_component(hass, "devicehub", {})
        await async_confirm_discovered_doors(hass, 1)
        await hass.async_block_till_done()
        lock = er.async_get(hass).async_get_entity_id("lock", "devicehub", f"{DOOR_ID}_lock")
        assert lock is not None, "devicehub created no lock for the door"
        await async_wait_for_state_value(hass, lock, "locked", TIMEOUT)
        samples: list[float] = []
        for number in range(WARMUP + rounds):
            service = "unlock" if number % 2 == 0 else "lock"
            started = time.perf_counter()
            async with asyncio.timeout(TIMEOUT):
                await hass.services.async_call("lock", service, {"entity_id": lock}, blocking=True)
            if number >= WARMUP:
                samples.append(time.perf_counter() - started)
            await asyncio.sleep(pause)
        return samples


def measure_bridge(rounds: int, pause: float) -> dict[str, Any]:
    """Home Assistant's lock round trip with the door on its broker, then on a second broker
    bridged to it (one after the other, in the same run)."""
    figures: dict[str, Any] = {"bench": "mqtt_roundtrip", "bridged": True, "rounds": rounds}
    with MosquittoBroker() as central, bridged_broker(central) as building:
        for name, door_broker in (("direct", central), ("bridge", building)):
            with child("tools.mqttdoor", "--port", str(door_broker.port), *DOOR_ARGS):
                samples = run(measure_home_assistant(central, rounds, pause, nodelay=False))
            figures[name] = summary(samples)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--pause", type=float, default=0.05, help="idle seconds between round trips (not timed)"
    )
    parser.add_argument(
        "--bridge", action="store_true", help="HA's round trip direct and across a bridged broker"
    )
    args = parser.parse_args()
    quiet_logs()
    if args.bridge:
        print(json.dumps(measure_bridge(args.rounds, args.pause)))
        return
    with (
        MosquittoBroker() as broker,
        child("tools.mqttdoor", "--port", str(broker.port), *DOOR_ARGS),
    ):
        paho = measure_paho(broker, args.rounds, args.pause, nodelay=False)
        paho_nodelay = measure_paho(broker, args.rounds, args.pause, nodelay=True)
        ha = run(measure_home_assistant(broker, args.rounds, args.pause, nodelay=False))
        ha_nodelay = run(measure_home_assistant(broker, args.rounds, args.pause, nodelay=True))
    figures = {
        "ha": summary(ha),
        "ha_tcp_nodelay": summary(ha_nodelay),
        "paho": summary(paho),
        "paho_tcp_nodelay": summary(paho_nodelay),
    }
    overhead = figures["ha_tcp_nodelay"]["median_ms"] - figures["paho_tcp_nodelay"]["median_ms"]
    result = {
        "bench": "mqtt_roundtrip",
        "rounds": args.rounds,
        "pause_s": args.pause,
        "door_transition_delay_s": 0,
        **figures,
        "ha_devicehub_overhead_median_ms": round(overhead, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
