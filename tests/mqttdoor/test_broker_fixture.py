"""The broker fixture's own rules: CI must have mosquitto, a developer machine may not."""

import socket

import pytest

from tests import mosquitto as broker_fixtures
from tools.mqttdoor.broker import broker_answers, free_port


def test_missing_mosquitto_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_fixtures, "find_mosquitto", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="mosquitto is not installed"):
        broker_fixtures.require_mosquitto()


def test_missing_mosquitto_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_fixtures, "find_mosquitto", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        broker_fixtures.require_mosquitto()


def test_broker_restarts_on_the_same_port(
    mosquitto_broker: broker_fixtures.MosquittoBroker,
) -> None:
    port = mosquitto_broker.port
    mosquitto_broker.stop()
    assert not mosquitto_broker.running
    assert not broker_answers(mosquitto_broker.host, port)
    mosquitto_broker.start()
    assert mosquitto_broker.port == port
    assert broker_answers(mosquitto_broker.host, port)


def test_only_an_mqtt_broker_counts_as_answering(socket_enabled: None) -> None:
    assert not broker_answers("127.0.0.1", free_port(), timeout=0.2)  # nobody listens
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never says CONNACK
        assert not broker_answers("127.0.0.1", silent.getsockname()[1], timeout=0.2)
