"""A door update reaches the entities that follow what changed; availability reaches all."""

from dataclasses import fields
from typing import get_args

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.devicehub.door.coordinator import DoorData, DoorField
from custom_components.devicehub.mqtt_door.models import DataPointValue

from .conftest import Fire


async def test_every_entity_follows_a_field(
    hass: HomeAssistant, setup_door: MockConfigEntry
) -> None:
    """Each of the door's entities names the field of the door's data it shows."""
    coordinator = setup_door.runtime_data.coordinator
    followed = list(coordinator.async_contexts())
    # lock, 4 data point sensors, 1 alarm, stranger and attendance events, stranger picture
    assert len(followed) == 9
    assert set(followed) <= {field.name for field in fields(DoorData)}
    assert {"lock", "datapoints", "stranger", "punch", "picture"} <= set(followed)


def test_with_field_changes_that_field_only() -> None:
    """Every field an update names is one of DoorData's; the copy keeps all the others."""
    names = get_args(DoorField.__value__)
    assert sorted(names) == sorted(field.name for field in fields(DoorData))
    before = DoorData(datapoints={"temperature": DataPointValue(state=21.5)})
    for name in names:
        value = object()
        after = before.with_field(name, value)
        assert after is not before
        assert getattr(after, name) is value
        for other in fields(DoorData):
            if other.name != name:
                assert getattr(after, other.name) is getattr(before, other.name)
    assert before == DoorData(datapoints={"temperature": DataPointValue(state=21.5)})


async def test_update_reaches_its_followers_only(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A lock report calls the lock's listeners, a value the data points'; None hears all."""
    coordinator = setup_door.runtime_data.coordinator
    heard: list[str | None] = []
    for follows in ("lock", "datapoints", None):
        coordinator.async_add_listener(lambda follows=follows: heard.append(follows), follows)

    fire("state", "locked")
    await hass.async_block_till_done()
    assert heard == ["lock", None]

    heard.clear()
    fire("datapoint/temperature", "21.5")
    await hass.async_block_till_done()
    assert heard == ["datapoints", None]
    assert hass.states.get("lock.front_door").state == "locked"

    heard.clear()
    coordinator.async_update_listeners()  # as the door's availability does
    assert heard == ["lock", "datapoints", None]


async def test_bad_value_reaches_no_one(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire
) -> None:
    """A dropped message updates nothing."""
    coordinator = setup_door.runtime_data.coordinator
    heard: list[str | None] = []
    coordinator.async_add_listener(lambda: heard.append(None))
    fire("state", "half-open")
    await hass.async_block_till_done()
    assert heard == []
