"""Data point sensors and alarm binary sensors."""

from datetime import timedelta

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.devicehub.door.sensor import describe
from custom_components.devicehub.mqtt_door.models import DataPoint, DataPointType

from .conftest import HAND_SHAKE, Fire

TEMPERATURE = "sensor.front_door_temperature"
MODE = "sensor.front_door_mode"
BATTERY = "sensor.front_door_battery_info"
BLOB = "sensor.front_door_blob"
OVERHEAT = "binary_sensor.front_door_overheat"


def later(hass: HomeAssistant, seconds: float) -> None:
    """Move Home Assistant's clock."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))


async def test_sensors(hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire) -> None:
    """Each declared data point shows its latest valid value."""
    temperature = hass.states.get(TEMPERATURE)
    assert temperature.state == STATE_UNKNOWN
    assert temperature.attributes["unit_of_measurement"] == "°C"
    assert temperature.attributes["device_class"] == "temperature"
    assert temperature.attributes["state_class"] == "measurement"
    fire("datapoint/temperature", "21.5", retain=True)
    fire("datapoint/mode", "  night ")
    fire("datapoint/battery_info", {"level": 80, "charging": False})
    fire("datapoint/blob", b"\x00\x01\x02")
    await hass.async_block_till_done()
    assert hass.states.get(TEMPERATURE).state == "21.5"
    assert hass.states.get(MODE).state == "night"
    battery = hass.states.get(BATTERY)
    assert battery.state == "2"
    assert (battery.attributes["level"], battery.attributes["charging"]) == (80, False)
    blob = hass.states.get(BLOB)
    assert (blob.state, blob.attributes["unit_of_measurement"]) == ("3", "B")


async def test_bad_values_are_dropped(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Out-of-range numbers, wrong types and undeclared keys change nothing."""
    fire("datapoint/temperature", "20")
    fire("datapoint/temperature", "81")
    fire("datapoint/temperature", "-41")
    fire("datapoint/temperature", '"hot"')
    fire("datapoint/battery_info", "[1, 2]")
    fire("datapoint/undeclared", "1")
    await hass.async_block_till_done()
    assert hass.states.get(TEMPERATURE).state == "20"
    assert hass.states.get(BATTERY).state == STATE_UNKNOWN
    assert setup_door.runtime_data.drops.by_reason == {
        "out_of_range": 2,
        "invalid_payload": 2,
        "undeclared": 1,
    }


async def test_values_received_before_the_entities(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Values that arrived before a reload are shown by the new entities at once."""
    fire("datapoint/temperature", "60")
    await hass.async_block_till_done()
    runtime = setup_door.runtime_data
    # Entities created while the runtime already holds values start from them.
    from custom_components.devicehub.door.binary_sensor import AlarmBinarySensor
    from custom_components.devicehub.door.sensor import DataPointSensor

    sensor = DataPointSensor(runtime, runtime.hand_shake.datapoints[0])
    assert sensor.native_value == 60
    assert sensor.extra_state_attributes is None
    alarm = AlarmBinarySensor(runtime, runtime.hand_shake.alarms[0])
    assert alarm.is_on is None


def test_descriptions() -> None:
    """Only numbers get units and classes; unknown or non-numeric classes are dropped."""
    text = describe(DataPoint(key="s", type=DataPointType.STRING, unit="x", device_class="power"))
    assert (text.name, text.native_unit_of_measurement, text.device_class) == ("s", None, None)
    odd = describe(DataPoint(key="n", device_class="timestamp", state_class="sometimes"))
    assert (odd.device_class, odd.state_class) == (None, None)
    bogus = describe(DataPoint(key="n", device_class="nonsense"))
    assert bogus.device_class is None


async def test_alarm_trip_and_clear_delays(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """The alarm trips after `delay` above the threshold and clears after `clear_delay`."""
    assert hass.states.get(OVERHEAT).state == STATE_UNKNOWN
    fire("datapoint/temperature", "20")
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_OFF
    fire("datapoint/temperature", "55")
    await hass.async_block_till_done()
    later(hass, 3)
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_OFF
    fire("datapoint/temperature", "56")  # still above: the trip timer keeps running
    later(hass, 6)
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_ON

    fire("datapoint/temperature", "40")
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_ON
    fire("datapoint/temperature", "57")  # back above before clear_delay: stays on
    later(hass, 10)
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_ON
    fire("datapoint/temperature", "40")
    later(hass, 14)
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_OFF


async def test_alarm_short_spike(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A spike shorter than the delay never trips the alarm."""
    fire("datapoint/temperature", "55")
    await hass.async_block_till_done()
    fire("datapoint/temperature", "30")
    later(hass, 10)
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_OFF


@pytest.mark.parametrize(
    "hand_shake",
    [
        HAND_SHAKE
        | {
            "alarms": [
                {"key": "cold", "datapoint": "temperature", "below": 0},
            ]
        }
    ],
)
async def test_alarm_without_delay(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Without delays the alarm follows the value at once."""
    cold = "binary_sensor.front_door_cold"
    state = hass.states.get(cold)
    assert state.attributes["device_class"] == "problem"
    fire("datapoint/temperature", "-5")
    await hass.async_block_till_done()
    assert hass.states.get(cold).state == STATE_ON
    fire("datapoint/temperature", "5")
    await hass.async_block_till_done()
    assert hass.states.get(cold).state == STATE_OFF


@pytest.mark.parametrize(
    "hand_shake",
    [
        HAND_SHAKE
        | {
            "alarms": [
                {"key": "overheat", "datapoint": "temperature", "above": 50, "delay": 5},
            ]
        }
    ],
)
async def test_alarm_tripped_by_its_timer_clears_at_once(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """Tripped when the delay ran out; without a clear delay, off with the next low value."""
    fire("datapoint/temperature", "20")
    fire("datapoint/temperature", "60")
    fire("datapoint/mode", "eco")  # a neighbour's value changes nothing
    later(hass, 6)
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_ON
    fire("datapoint/temperature", "20")
    await hass.async_block_till_done()
    assert hass.states.get(OVERHEAT).state == STATE_OFF
