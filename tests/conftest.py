"""Shared fixtures for devicehub tests."""

from collections.abc import AsyncGenerator
from unittest.mock import MagicMock, Mock

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import MqttMockHAClient


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/devicehub in every test."""


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Each test's Home Assistant in a folder of its own: delivery journals are real files."""
    return hass_tmp_config_dir


@pytest.fixture
async def mqtt_mock(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, mqtt_client_mock: MagicMock
) -> AsyncGenerator[MqttMockHAClient]:
    """HA's MQTT mock, with its fake socket closed so no periodic timer lingers."""
    yield mqtt_mock
    mqtt_client_mock.on_socket_close(mqtt_client_mock, None, Mock(fileno=Mock(return_value=-1)))
    await hass.async_block_till_done()
