"""The blueprints in blueprints/automation/devicehub.

Each one must pass Home Assistant's own automation blueprint schema (and a broken copy must
not), and must do what it says when it runs on the entities devicehub really creates: a
terminal on the zksim simulator, and a door on Home Assistant's mocked MQTT.
"""

from collections.abc import AsyncIterator, Callable, Iterator
import copy
from datetime import datetime, time, timedelta
import json
import logging
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.errors import InvalidBlueprint
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant, State
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, yaml as yaml_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.devicehub.const import CONF_KIND, DOMAIN, DeviceKind
from custom_components.devicehub.door.const import CONF_DEVICE_ID, CONF_HAND_SHAKE, CONF_PREFIX
from custom_components.devicehub.punch import (
    ATTR_LATE,
    ATTR_TERMINAL,
    ATTR_TIMESTAMP,
    ATTR_USER_ID,
    ATTR_USER_NAME,
    ATTR_VERIFY,
    PUNCH_TYPES,
)
from tests.states import Recorder, ServiceCalls, async_wait_for_state
from tests.terminal.conftest import (
    async_setup_entry,
    async_wait_live,
    entry_data,
    ha_wall_clock_offset,
)
from tests.zksim_fixtures import SimulatorFactory, zk_simulator
from tools.zksim import TerminalSimulator, User

__all__ = ["zk_simulator"]

BLUEPRINT_DIR = Path(__file__).resolve().parents[1] / "blueprints" / "automation" / "devicehub"
BLUEPRINTS = sorted(BLUEPRINT_DIR.glob("*.yaml"))
SOURCE_URL = "https://github.com/devicehub/devicehub/blob/main/blueprints/automation/devicehub/"

PHONE = "notify.mobile_app_phone"  # the notify action the alert blueprints are given
TERMINAL = "Front door"
PUNCH_EVENT = "event.front_door_punch"
TERMINAL_LOCK = "lock.front_door"
ADA = User(uid=1, user_id="1001", name="Ada Lovelace")
ALAN = User(uid=2, user_id="1002", name="Alan Turing")
GRACE = User(uid=3, user_id="1003", name="Grace Hopper")

DOOR_ID = "back_door"
STRANGER_EVENT = "event.back_door_stranger"
STRANGER_PICTURE = "image.back_door_stranger_picture"
STRANGER_SEEN_AT = "2026-11-21T07:45:12+00:00"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def load(path: Path) -> dict[str, Any]:
    """A blueprint file as Home Assistant reads it (with its !input tags)."""
    return load_yaml_dict(str(path))


def blueprint_of(data: dict[str, Any], path: str | None = None) -> Blueprint:
    """Validate like Home Assistant does when it loads an automation blueprint."""
    return Blueprint(
        data, path=path, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )


# --- The schema ------------------------------------------------------------------------------


def test_the_blueprints_shipped() -> None:
    assert [path.name for path in BLUEPRINTS] == [
        "denied_access_alert.yaml",
        "door_left_open.yaml",
        "doorbell_snapshot.yaml",
        "late_arrival.yaml",
        "stranger_alert.yaml",
        "unlock_on_punch.yaml",
    ]


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
def test_blueprint_passes_home_assistants_schema(path: Path) -> None:
    blueprint = blueprint_of(load(path), path=f"devicehub/{path.name}")

    assert blueprint.domain == "automation"
    assert blueprint.name.startswith("devicehub - ")
    assert blueprint.metadata["source_url"] == SOURCE_URL + path.name
    inputs = blueprint.inputs
    # Every input is explained and has a selector, and every input is used.
    assert all(spec["name"] and spec["selector"] for spec in inputs.values())
    assert yaml_util.extract_inputs(blueprint.data) == set(inputs)
    # ... and this Home Assistant is recent enough for it.
    assert blueprint.validate() is None


def _without_an_input(data: dict[str, Any]) -> None:
    del data["blueprint"]["input"][next(iter(data["blueprint"]["input"]))]


def _for_scripts(data: dict[str, Any]) -> None:
    data["blueprint"]["domain"] = "script"


def _nameless(data: dict[str, Any]) -> None:
    del data["blueprint"]["name"]


def _unknown_selector(data: dict[str, Any]) -> None:
    spec = next(iter(data["blueprint"]["input"].values()))
    spec["selector"] = {"no_such_selector": {}}


def _bad_source_url(data: dict[str, Any]) -> None:
    data["blueprint"]["source_url"] = "not a url"


@pytest.mark.parametrize(
    "breakage", [_without_an_input, _for_scripts, _nameless, _unknown_selector, _bad_source_url]
)
@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
def test_a_broken_blueprint_is_refused(
    path: Path, breakage: Callable[[dict[str, Any]], None]
) -> None:
    """The schema test above can fail: each breakage of a real blueprint is refused."""
    data = copy.deepcopy(load(path))
    breakage(data)
    with pytest.raises(InvalidBlueprint):
        blueprint_of(data)


# --- Helpers to run a blueprint ---------------------------------------------------------------


def mock_phone(hass: HomeAssistant, service_calls: Callable[[str], ServiceCalls]) -> ServiceCalls:
    """Stand in for the phone's notify action; return the notifications it gets."""
    async_mock_service(hass, "notify", "mobile_app_phone")
    return service_calls("notify")


async def async_use_blueprint(
    hass: HomeAssistant, config_dir: Path, name: str, inputs: dict[str, Any]
) -> str:
    """Create an automation from a shipped blueprint; return its entity id."""
    hass.config.config_dir = str(config_dir)  # blueprints/ is read from here
    target = config_dir / "blueprints" / "automation" / "devicehub"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BLUEPRINT_DIR / f"{name}.yaml", target / f"{name}.yaml")
    automation = {
        "id": name,
        "alias": name,
        "use_blueprint": {"path": f"devicehub/{name}.yaml", "input": inputs},
    }
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await hass.async_block_till_done()
    entity_id = f"automation.{name}"
    state = hass.states.get(entity_id)
    # An automation whose blueprint or inputs do not validate is unavailable.
    assert state is not None
    assert state.state == "on", state
    return entity_id


@pytest.fixture
def service_calls(hass: HomeAssistant) -> Iterator[Callable[[str], ServiceCalls]]:
    """Factory of action call recorders, stopped at teardown."""
    recorders: list[ServiceCalls] = []

    def make(domain: str) -> ServiceCalls:
        recorder = ServiceCalls(hass, domain)
        recorders.append(recorder)
        return recorder

    yield make
    for recorder in recorders:
        recorder.stop()


def punch_by(user_id: str) -> Callable[[State], bool]:
    """A punch event state of this user."""
    return lambda state: state.attributes.get(ATTR_USER_ID) == user_id


def punch_at(when: datetime) -> Callable[[State], bool]:
    """A punch event state at this terminal time."""
    return lambda state: str(state.attributes.get(ATTR_TIMESTAMP)).startswith(when.isoformat())


# --- On a real terminal --------------------------------------------------------------------------


@pytest.fixture
async def terminal(
    hass: HomeAssistant, zk_simulator: SimulatorFactory
) -> AsyncIterator[TerminalSimulator]:
    """A terminal named Front door on the simulator, live punches connected."""
    sim = zk_simulator(users=0, serial="ZKSBLUEPRINT1", seed=7)
    sim.add_users([ADA, ALAN, GRACE])
    sim.clock.offset = ha_wall_clock_offset()
    entry = MockConfigEntry(
        domain=DOMAIN, title=TERMINAL, unique_id="ZKSBLUEPRINT1", data=entry_data(sim)
    )
    await async_setup_entry(hass, entry)
    await async_wait_live(hass, sim)
    assert hass.states.get(PUNCH_EVENT) is not None
    assert hass.states.get(TERMINAL_LOCK) is not None
    yield sim
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_unlock_on_punch_opens_for_allowed_people_only(
    hass: HomeAssistant,
    tmp_path: Path,
    terminal: TerminalSimulator,
    service_calls: Callable[[str], ServiceCalls],
) -> None:
    """Alan (not allowed) and Ada's check-out do nothing; Ada's check-in pulses the relay."""
    locks = service_calls("lock")
    await async_use_blueprint(
        hass,
        tmp_path,
        "unlock_on_punch",
        {"punch_event": PUNCH_EVENT, "door_lock": TERMINAL_LOCK, "allowed_users": ["1001"]},
    )
    punches = 0
    for user, punch in ((ALAN, 0), (ADA, 1), (ADA, 0)):
        await hass.async_add_executor_job(terminal.inject_punch, user.user_id, punch)
        punches += 1
        await async_wait_for_state(hass, PUNCH_EVENT, punch_by(user.user_id))

    unlocked = await async_wait_for_state(hass, TERMINAL_LOCK, lambda s: s.state == "unlocked")
    assert unlocked.attributes["changed_by"] == "Home Assistant"
    assert locks.calls == [{"action": "unlock", "entity_id": [TERMINAL_LOCK]}]
    assert [pulse.seconds for pulse in terminal.unlocks] == [3]
    assert punches == 3


async def test_late_arrival_notifies_the_first_late_check_in_of_each_person(
    hass: HomeAssistant,
    tmp_path: Path,
    terminal: TerminalSimulator,
    service_calls: Callable[[str], ServiceCalls],
) -> None:
    """The terminal's own log, read with devicehub.get_attendance, tells first check-ins."""
    async_mock_service(hass, "notify", "staff")
    notifications = service_calls("notify")
    await async_use_blueprint(
        hass,
        tmp_path,
        "late_arrival",
        {
            "punch_event": PUNCH_EVENT,
            "late_after": "09:00:00",
            "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "notify_action": "notify.staff",
        },
    )
    today = terminal.clock.now().date()
    punches = [
        (ALAN, 0, time(8, 30)),  # on time
        (ALAN, 0, time(9, 30)),  # late, but not his first check-in today
        (ADA, 0, time(10, 15)),  # late: notified
        (ADA, 0, time(10, 30)),  # not her first
        (ADA, 1, time(17, 0)),  # a check-out
        (GRACE, 0, time(10, 45)),  # late: notified
    ]
    for user, punch, at in punches:
        when = datetime.combine(today, at)
        await hass.async_add_executor_job(terminal.inject_punch, user.user_id, punch, 1, when)
        await async_wait_for_state(hass, PUNCH_EVENT, punch_at(when))

    # Runs are queued in punch order: once Grace's alert is out, every earlier run is done.
    calls = await notifications.wait(2)
    assert [call["message"] for call in calls] == [
        "Ada Lovelace checked in at 10:15 on Front door, after 09:00.",
        "Grace Hopper checked in at 10:45 on Front door, after 09:00.",
    ]
    assert {call["title"] for call in calls} == {"Late arrival"}


# --- On a door (Home Assistant's mocked MQTT) -----------------------------------------------------


@pytest.fixture
async def door(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> AsyncIterator[MockConfigEntry]:
    """The MQTT door "Back door", reporting strangers."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Back door",
        unique_id=DOOR_ID,
        data={
            CONF_KIND: DeviceKind.MQTT_DOOR.value,
            CONF_PREFIX: "devicehub",
            CONF_DEVICE_ID: DOOR_ID,
            CONF_HAND_SHAKE: {"name": "Back door", "features": ["lock", "state", "stranger"]},
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STRANGER_EVENT) is not None
    assert hass.states.get(STRANGER_PICTURE) is not None
    yield entry
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def fire_stranger(hass: HomeAssistant, *, picture: bool) -> None:
    """The door saw a stranger (and sends the picture, after the event, as doors do)."""
    event = {"ts": STRANGER_SEEN_AT, "event_id": "e1"}
    async_fire_mqtt_message(hass, f"devicehub/{DOOR_ID}/stranger", json.dumps(event))
    if picture:
        async_fire_mqtt_message(hass, f"devicehub/{DOOR_ID}/stranger/image", JPEG)


async def test_stranger_alert_sends_the_picture_home_assistant_serves(
    hass: HomeAssistant,
    tmp_path: Path,
    door: MockConfigEntry,
    service_calls: Callable[[str], ServiceCalls],
) -> None:
    notifications = mock_phone(hass, service_calls)
    await async_use_blueprint(
        hass,
        tmp_path,
        "stranger_alert",
        {
            "stranger_event": STRANGER_EVENT,
            "stranger_picture": STRANGER_PICTURE,
            "notify_action": PHONE,
        },
    )

    fire_stranger(hass, picture=True)
    [call] = await notifications.wait(1)

    picture = hass.states.get(STRANGER_PICTURE)
    assert picture is not None
    assert picture.state not in ("unknown", "unavailable")
    image_url = picture.attributes["entity_picture"]
    assert image_url.startswith(f"/api/image_proxy/{STRANGER_PICTURE}?token=")
    seen_at = dt_util.as_local(datetime.fromisoformat(STRANGER_SEEN_AT)).strftime("%H:%M:%S")
    assert call["action"] == "mobile_app_phone"
    assert call["title"] == "Stranger at the door"
    assert call["message"] == f"Back door saw someone it does not know at {seen_at}."
    assert call["data"]["image"] == image_url
    assert call["data"]["entity_id"] == STRANGER_PICTURE

    # Reloading the door restores the event entity: that is no new stranger.
    assert await hass.config_entries.async_reload(door.entry_id)
    await hass.async_block_till_done()
    assert len(notifications.calls) == 1


async def test_stranger_alert_without_a_picture_does_not_wait_when_told_not_to(
    hass: HomeAssistant,
    tmp_path: Path,
    door: MockConfigEntry,
    service_calls: Callable[[str], ServiceCalls],
) -> None:
    notifications = mock_phone(hass, service_calls)
    await async_use_blueprint(
        hass,
        tmp_path,
        "stranger_alert",
        {
            "stranger_event": STRANGER_EVENT,
            "stranger_picture": STRANGER_PICTURE,
            "notify_action": PHONE,
            "title": "Who is this?",
            "picture_wait": 0,
        },
    )

    fire_stranger(hass, picture=False)
    [call] = await notifications.wait(1)
    assert call["title"] == "Who is this?"


# --- Conditions on punches that a live terminal cannot easily produce -----------------------------


def punch_attributes(user_id: str, event_type: str, *, late: bool | None) -> dict[str, Any]:
    """The attributes of a terminal punch event entity (late=None: a door's, without late)."""
    attributes = {
        "event_types": list(PUNCH_TYPES),
        "event_type": event_type,
        ATTR_USER_ID: user_id,
        ATTR_USER_NAME: "Ada Lovelace",
        ATTR_VERIFY: "fingerprint",
        ATTR_TIMESTAMP: "2026-11-21T10:15:00+00:00",
        ATTR_TERMINAL: TERMINAL,
        ATTR_LATE: late,
    }
    if late is None:
        del attributes[ATTR_LATE]
    return attributes


UNLOCK_BACK_DOOR = {"action": "unlock", "entity_id": ["lock.back_door"]}


@pytest.mark.parametrize(
    ("inputs", "late", "expected"),
    [
        ({}, False, [UNLOCK_BACK_DOOR]),
        ({}, True, []),  # read back from the log after a gap: never opens
        ({}, None, [UNLOCK_BACK_DOOR]),  # a door's attendance punch has no "late"
        (
            {"open_door": True, "lock_code": "2468"},
            False,
            [{"action": "open", "entity_id": ["lock.back_door"], "code": "2468"}],
        ),
        (
            {"allowed_users": [" 1001 ", "1002"]},
            False,
            [{"action": "unlock", "entity_id": ["lock.back_door"]}],
        ),
        ({"allowed_users": ["1002"]}, False, []),
        ({"punch_types": ["check_out"]}, False, []),
    ],
)
async def test_unlock_on_punch_conditions(
    hass: HomeAssistant,
    tmp_path: Path,
    service_calls: Callable[[str], ServiceCalls],
    inputs: dict[str, Any],
    late: bool | None,
    expected: list[dict[str, Any]],
) -> None:
    async_mock_service(hass, "lock", "unlock")
    async_mock_service(hass, "lock", "open")
    locks = service_calls("lock")
    await async_use_blueprint(
        hass,
        tmp_path,
        "unlock_on_punch",
        {
            "punch_event": PUNCH_EVENT,
            "door_lock": "lock.back_door",
            "allowed_users": ["1001"],
            **inputs,
        },
    )
    hass.states.async_set(PUNCH_EVENT, "unknown", {"event_types": list(PUNCH_TYPES)})
    await hass.async_block_till_done()
    hass.states.async_set(
        PUNCH_EVENT,
        "2026-11-21T10:15:00.123+00:00",
        punch_attributes("1001", "check_in", late=late),
    )
    await hass.async_block_till_done()
    assert locks.calls == expected


async def test_no_blueprint_reacts_to_an_entity_coming_back(
    hass: HomeAssistant,
    tmp_path: Path,
    service_calls: Callable[[str], ServiceCalls],
) -> None:
    """unavailable -> restored state, and a state going unavailable, are not punches."""
    async_mock_service(hass, "lock", "unlock")
    locks = service_calls("lock")
    await async_use_blueprint(
        hass,
        tmp_path,
        "unlock_on_punch",
        {"punch_event": PUNCH_EVENT, "door_lock": "lock.back_door", "allowed_users": ["1001"]},
    )
    attributes = punch_attributes("1001", "check_in", late=False)
    hass.states.async_set(PUNCH_EVENT, "unavailable", {"event_types": list(PUNCH_TYPES)})
    hass.states.async_set(PUNCH_EVENT, "2026-11-21T10:15:00.123+00:00", attributes)
    hass.states.async_set(PUNCH_EVENT, "unavailable", attributes)
    await hass.async_block_till_done()
    assert locks.calls == []


# --- Access control (contract 1.1) on a door (Home Assistant's mocked MQTT) -------------------

ACCESS_DOOR_ID = "gate"
DOORBELL_EVENT = "event.gate_doorbell"
ACCESS_EVENT = "event.gate_access"
LEFT_OPEN = "binary_sensor.gate_left_open"


@pytest.fixture
async def access_door(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> AsyncIterator[MockConfigEntry]:
    """The MQTT door "Gate", with a doorbell, a contact and access attempts."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Gate",
        unique_id=ACCESS_DOOR_ID,
        data={
            CONF_KIND: DeviceKind.MQTT_DOOR.value,
            CONF_PREFIX: "devicehub",
            CONF_DEVICE_ID: ACCESS_DOOR_ID,
            CONF_HAND_SHAKE: {"name": "Gate", "features": ["contact", "doorbell", "access"]},
        },
        options={"left_open_delay": 30},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def fire_gate(hass: HomeAssistant, suffix: str, payload: Any) -> None:
    """A message of the gate."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    async_fire_mqtt_message(hass, f"devicehub/{ACCESS_DOOR_ID}/{suffix}", text)


async def test_doorbell_snapshot_notifies_with_the_snapshot(
    hass: HomeAssistant,
    tmp_path: Path,
    access_door: MockConfigEntry,
    service_calls: Callable[[str], ServiceCalls],
) -> None:
    notifications = mock_phone(hass, service_calls)
    async_mock_service(hass, "camera", "snapshot")
    snapshots = service_calls("camera")
    await async_use_blueprint(
        hass,
        tmp_path,
        "doorbell_snapshot",
        {
            "doorbell_event": DOORBELL_EVENT,
            "camera": "camera.porch",
            "notify_action": PHONE,
        },
    )
    fire_gate(hass, "access/doorbell", "")
    [call] = await notifications.wait(1)
    [snapshot] = snapshots.calls
    ring_state = hass.states.get(DOORBELL_EVENT)
    assert ring_state is not None
    name = f"doorbell_{int(dt_util.parse_datetime(ring_state.state).timestamp())}.jpg"
    assert snapshot["action"] == "snapshot"
    assert snapshot["entity_id"] == ["camera.porch"]
    assert snapshot["filename"] == f"/config/www/devicehub/{name}"
    assert call["title"] == "Someone rang the doorbell"
    assert call["message"] == "Gate: someone is at the door."
    assert call["data"]["image"] == f"/local/devicehub/{name}"


async def test_door_left_open_alerts_and_tells_when_closed(
    hass: HomeAssistant,
    tmp_path: Path,
    access_door: MockConfigEntry,
    service_calls: Callable[[str], ServiceCalls],
) -> None:
    notifications = mock_phone(hass, service_calls)
    await async_use_blueprint(
        hass,
        tmp_path,
        "door_left_open",
        {"left_open": LEFT_OPEN, "notify_action": PHONE},
    )
    fire_gate(hass, "access/contact", "closed")
    fire_gate(hass, "access/contact", "open")
    await hass.async_block_till_done()
    assert notifications.calls == []
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    [opened] = await notifications.wait(1)
    assert opened["message"] == "Gate has been left open."
    fire_gate(hass, "access/contact", "closed")
    calls = await notifications.wait(2)
    assert calls[1]["message"] == "Gate is closed again."


async def async_attempt(hass: HomeAssistant, result: str, card: str = "0004649712") -> None:
    """An access attempt at the gate with a card, once the access event entity shows it.

    No async_block_till_done here: it would wait for the blueprint's run, which waits for
    more attempts.
    """
    before = hass.states.get(ACCESS_EVENT)
    fire_gate(
        hass, "access/attempt", {"result": result, "credential": "card", "credential_id": card}
    )
    await async_wait_for_state(hass, ACCESS_EVENT, lambda state: state != before)


async def async_attempt_later(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    result: str,
    waits: WaitsArmed,
    *,
    counting: bool = True,
) -> None:
    """Let `seconds` pass (firing Home Assistant's timers), then an attempt, then the run waits.

    The blueprint's run waits again after each attempt while it is still counting.
    """
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    armed = len(waits.armed.recorded)
    await async_attempt(hass, result)
    if counting:
        await waits.armed.wait(armed + 1)


class WaitsArmed(logging.Handler):
    """Counts the times an automation's run arms its `wait_for_trigger`.

    A run re-arms its wait a few loop steps after the state it waited for: an attempt sent
    before that is one the blueprint never sees (people are seconds apart, tests are not).
    Home Assistant's script logs each arming: the test waits for that record.
    """

    def __init__(self, automation: str) -> None:
        """Listen to the automation's logger."""
        super().__init__(logging.INFO)
        self.armed: Recorder[str] = Recorder()
        self._logger = logging.getLogger(f"homeassistant.components.{automation}")
        self._logger.setLevel(logging.INFO)
        self._logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        """A record of the run, logged in the event loop's thread."""
        message = record.getMessage()
        if "Repeat at step" in message and "Initialized trigger" in message:
            self.armed.add(message)

    def close(self) -> None:
        """Stop listening."""
        self._logger.removeHandler(self)
        super().close()


@pytest.fixture
def waits_armed() -> Iterator[WaitsArmed]:
    """The denied access blueprint's waits, counted."""
    waits = WaitsArmed("automation.denied_access_alert")
    yield waits
    waits.close()


async def async_wait_for_runs(hass: HomeAssistant, automation: str, runs: int) -> None:
    """Until the automation has this many runs going."""
    await async_wait_for_state(
        hass, automation, lambda state: state.attributes.get("current") == runs
    )


async def async_use_denied_access_alert(hass: HomeAssistant, config_dir: Path) -> str:
    """The denied access blueprint with its defaults, notifying the phone."""
    return await async_use_blueprint(
        hass,
        config_dir,
        "denied_access_alert",
        {"access_event": ACCESS_EVENT, "notify_action": PHONE},
    )


async def test_denied_access_alert_after_three_denied_attempts_within_a_minute(
    hass: HomeAssistant,
    tmp_path: Path,
    access_door: MockConfigEntry,
    service_calls: Callable[[str], ServiceCalls],
    freezer: FrozenDateTimeFactory,
    waits_armed: WaitsArmed,
) -> None:
    """Denied at 0 s, granted at 10 s (not counted), denied at 20 s and 50 s: one alert."""
    notifications = mock_phone(hass, service_calls)
    # The blueprint's defaults: three attempts within 60 seconds.
    automation = await async_use_denied_access_alert(hass, tmp_path)
    await async_attempt(hass, "denied")
    await waits_armed.armed.wait(1)
    await async_attempt_later(hass, freezer, 10, "granted", waits_armed)
    await async_attempt_later(hass, freezer, 10, "denied", waits_armed)
    assert notifications.calls == []
    await async_attempt_later(hass, freezer, 30, "denied", waits_armed, counting=False)

    [alert] = await notifications.wait(1)
    assert alert["title"] == "Repeated denied access"
    assert alert["message"] == "Gate refused access 3 times within 60 seconds."
    assert alert["data"] == {
        "tag": f"devicehub-denied-{ACCESS_EVENT}",
        "group": "devicehub-doors",
    }
    # The event shows the masked card; the full number reaches no notification.
    access = hass.states.get(ACCESS_EVENT)
    assert access is not None
    assert access.attributes["credential_id"] == "****9712"
    assert "0004649712" not in str(alert)
    await async_wait_for_runs(hass, automation, 0)
    assert len(waits_armed.armed.recorded) == 3  # it counted until the third denied


async def test_denied_access_alert_stays_quiet_for_two_or_for_three_spread_out(
    hass: HomeAssistant,
    tmp_path: Path,
    access_door: MockConfigEntry,
    service_calls: Callable[[str], ServiceCalls],
    freezer: FrozenDateTimeFactory,
    waits_armed: WaitsArmed,
) -> None:
    """Two denied within the minute, then a third 61 s after the first: no alert."""
    notifications = mock_phone(hass, service_calls)
    automation = await async_use_denied_access_alert(hass, tmp_path)
    await async_attempt(hass, "denied")
    await waits_armed.armed.wait(1)
    await async_attempt_later(hass, freezer, 30, "denied", waits_armed)
    # The minute of the first attempt ends with two denied: the run ends without an alert.
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await async_wait_for_runs(hass, automation, 0)
    assert notifications.calls == []

    # A third, now, starts a new count of one: two more within its minute alert.
    await async_attempt(hass, "denied")
    await waits_armed.armed.wait(3)
    await async_attempt_later(hass, freezer, 5, "denied", waits_armed)
    assert notifications.calls == []
    await async_attempt_later(hass, freezer, 5, "denied", waits_armed, counting=False)
    [alert] = await notifications.wait(1)
    assert alert["message"] == "Gate refused access 3 times within 60 seconds."
    await async_wait_for_runs(hass, automation, 0)
