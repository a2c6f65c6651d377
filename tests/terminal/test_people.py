"""People across terminals: copying users with fingerprints, enabling and disabling them,
linking them to persons, and presence from their punches."""

from datetime import timedelta
import logging
from typing import Any

from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.devicehub.const import DOMAIN
from custom_components.devicehub.terminal.sensor import LastPunchStoredData
from tests.states import async_wait_for_state
from tests.zksim_fixtures import SimulatorFactory
from tools.zksim import TerminalSimulator, UserDisabledError

from .conftest import SERIAL, async_setup_entry, async_wait_live, entry_data

LAST_PUNCH = "sensor.front_desk_last_punch"
PRESENCE = "binary_sensor.front_desk_ada_on_site"
PUNCH = "event.front_desk_punch"
ADA = "person.ada"
# Two fingers of Ada (uid 1 on the front desk): distinctive bytes, to look for leaks.
FINGER_0 = b"SECRET-FINGER-ZERO" * 30
FINGER_6 = bytes(range(256)) * 2
PEOPLE_OPTIONS = {
    "people": {"1001": {"person": ADA, "presence": True}},
    "presence_reset": "03:00:00",
}


async def call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    """Call a devicehub action and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


def device_of(hass: HomeAssistant, serial: str) -> str:
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, serial)
    assert entry is not None
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, serial), entry.entry_id)
    assert device is not None
    return device.id


@pytest.fixture
async def back_door(
    hass: HomeAssistant, zk_simulator: SimulatorFactory, loaded_entry: MockConfigEntry
) -> TerminalSimulator:
    """A second terminal, loaded, with no users; the front desk holds Ada's two fingers."""
    back = zk_simulator(users=0, serial="BACK1", seed=7)
    entry = MockConfigEntry(
        domain=DOMAIN, title="Back door", unique_id="BACK1", data=entry_data(back)
    )
    await async_setup_entry(hass, entry)
    return back


@pytest.fixture
def fingers(simulator: TerminalSimulator) -> None:
    """Ada (user 1001, uid 1) has fingers 0 and 6 on the front desk."""
    simulator.add_template(1, 0, FINGER_0)
    simulator.add_template(1, 6, FINGER_6)


@pytest.mark.usefixtures("fingers")
async def test_copy_user_with_two_fingerprints(
    hass: HomeAssistant, simulator: TerminalSimulator, back_door: TerminalSimulator
) -> None:
    """A dry run writes nothing; the copy reads back identical; a second copy skips."""
    source, target = device_of(hass, SERIAL), device_of(hass, "BACK1")

    plan = await call(hass, "copy_users", source=source, targets=[target], dry_run=True)
    assert plan["dry_run"] is True
    assert plan["faces_copied"] is False
    assert "Faces are not copied" in plan["faces"]
    (planned,) = plan["targets"]
    assert planned["terminal"] == "Back door"
    assert (planned["would_copy"], planned["copied"], planned["failed"]) == (3, 0, 0)
    assert planned["users"][0] == {
        "user_id": "1001",
        "name": "Ada Lovelace",
        "change": "new",
        "fingerprints": 2,
        "status": "would_copy",
    }
    assert back_door.users == []

    result = await call(
        hass, "copy_users", source=source, targets=[target], user_ids=["1001", "4040"]
    )
    (copied,) = result["targets"]
    assert [(u["user_id"], u["change"], u["status"]) for u in copied["users"]] == [
        ("1001", "new", "copied"),
        ("4040", "not_on_source", "skipped"),
    ]
    # Read back through the client: the user and both fingers, byte for byte.
    back_runtime = next(
        e.runtime_data
        for e in hass.config_entries.async_loaded_entries(DOMAIN)
        if e.title == "Back door"
    )
    users, templates = await back_runtime.terminal.get_users_and_templates()
    (ada,) = users
    assert (ada.user_id, ada.name, ada.privilege, ada.card) == ("1001", "Ada Lovelace", 0, 0)
    assert {(t.uid, t.fid): t.template for t in templates} == {
        (ada.uid, 0): FINGER_0,
        (ada.uid, 6): FINGER_6,
    }
    assert back_runtime.users.name("1001") == "Ada Lovelace"

    again = await call(hass, "copy_users", source=source, targets=[target])
    assert [(u["user_id"], u["change"], u["status"]) for u in again["targets"][0]["users"]] == [
        ("1001", "unchanged", "skipped"),
        ("1002", "new", "copied"),
        ("1003", "new", "copied"),
    ]
    assert {u.user_id: u.card for u in back_door.users} == {"1001": 0, "1002": 0, "1003": 123456}


@pytest.mark.usefixtures("fingers")
async def test_copy_replaces_changed_users_and_fingers(
    hass: HomeAssistant, simulator: TerminalSimulator, back_door: TerminalSimulator
) -> None:
    """A user that differs is rewritten: name, and fingers the source does not have go."""
    source, target = device_of(hass, SERIAL), device_of(hass, "BACK1")
    await call(hass, "copy_users", source=source, targets=[target], user_ids=["1001"])
    uid = back_door.users[0].uid
    back_door.add_template(uid, 3, b"\x01" * 64)  # a finger only the target has
    result = await call(hass, "copy_users", source=source, targets=[target], user_ids=["1001"])
    assert result["targets"][0]["users"][0]["change"] == "changed"
    assert result["targets"][0]["users"][0]["status"] == "copied"
    assert sorted(t.fid for t in back_door.templates) == [0, 6]

    # Without fingerprints only the user record counts, and none are written.
    result = await call(
        hass, "copy_users", source=source, targets=[target], user_ids=["1002"], fingerprints=False
    )
    assert result["targets"][0]["users"][0]["fingerprints"] == 0
    assert result["targets"][0]["copied"] == 1


async def test_copy_refuses_the_source_as_target(
    hass: HomeAssistant, simulator: TerminalSimulator, back_door: TerminalSimulator
) -> None:
    """The source cannot be a target; an unreadable target reports every user failed."""
    source, target = device_of(hass, SERIAL), device_of(hass, "BACK1")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "copy_users", source=source, targets=[target, source])
    assert err.value.translation_key == "copy_to_source"

    back_door.faults.mute = True
    result = await call(hass, "copy_users", source=source, targets=[target], user_ids=["1001"])
    back_door.faults.reset()
    (user,) = result["targets"][0]["users"]
    assert (user["status"], user["change"]) == ("failed", "unknown")
    assert "error" in user

    simulator.faults.mute = True
    with pytest.raises(HomeAssistantError):
        await call(hass, "copy_users", source=source, targets=[target])
    simulator.faults.reset()


@pytest.mark.usefixtures("fingers")
async def test_templates_never_leak(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: TerminalSimulator,
    back_door: TerminalSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not in logs (debug on), responses, errors or diagnostics: not even a few bytes."""
    caplog.set_level(logging.DEBUG)
    source, target = device_of(hass, SERIAL), device_of(hass, "BACK1")
    texts: list[str] = []
    # The template upload refused, then the record write refused: both fail per user.
    for refused in (110, 8):
        back_door.faults.error_commands = frozenset({refused})
        result = await call(hass, "copy_users", source=source, targets=[target], user_ids=["1001"])
        (user,) = result["targets"][0]["users"]
        assert user["status"] == "failed"
        texts += [str(result), user["error"]]
    back_door.faults.reset()
    texts.append(str(await call(hass, "copy_users", source=source, targets=[target])))
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        texts.append(str(await get_diagnostics_for_config_entry(hass, hass_client, entry)))
    runtime = next(iter(hass.config_entries.async_loaded_entries(DOMAIN))).runtime_data
    _users, templates = await runtime.terminal.get_users_and_templates()
    texts += [repr(templates), str(templates[0])]
    texts.append(caplog.text)
    assert sorted(t.fid for t in back_door.templates) == [0, 6]
    for secret in (FINGER_0, FINGER_6):
        for shown in (secret[:8].hex(), secret[-8:].hex(), repr(secret[:8])[2:-1], "SECRET"):
            for text in texts:
                assert shown not in text


async def test_disable_and_enable_user(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A disabled user is refused by the terminal; enabled again, they punch."""
    device = device_of(hass, SERIAL)
    before = simulator.user("1003")
    assert before is not None
    result = await call(hass, "disable_user", device_id=device, user_id="1003")
    assert result["user"]["enabled"] is False
    after = simulator.user("1003")
    assert after is not None
    assert after.privilege == 1
    # Every other field as it was.
    assert (after.uid, after.name, after.card, after.group_id, after.password) == (
        before.uid,
        before.name,
        before.card,
        before.group_id,
        before.password,
    )
    with pytest.raises(UserDisabledError):
        simulator.inject_punch("1003")
    assert simulator.record_count == 0

    # Updating a disabled user keeps them disabled.
    await call(
        hass, "set_user", device_id=device, user_id="1003", name="Grace B. Hopper", card=123456
    )
    renamed = simulator.user("1003")
    assert renamed is not None
    assert (renamed.name, renamed.privilege, renamed.card) == ("Grace B. Hopper", 1, 123456)
    await call(hass, "set_user", device_id=device, user_id="1003", name=before.name, card=123456)

    result = await call(hass, "enable_user", device_id=device, user_id="1003")
    assert result["user"]["enabled"] is True
    assert simulator.user("1003") == before
    simulator.inject_punch("1003")
    assert simulator.record_count == 1
    # An admin keeps the admin level through disable and enable.
    await call(hass, "disable_user", device_id=device, user_id="1002")
    admin = simulator.user("1002")
    assert admin is not None
    assert admin.privilege == 15
    await call(hass, "enable_user", device_id=device, user_id="1002")
    admin = simulator.user("1002")
    assert admin is not None
    assert admin.privilege == 14

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "enable_user", device_id=device, user_id="4040")
    assert err.value.translation_key == "unknown_user"


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Ada (user 1001) is linked to her person, with a presence sensor."""
    return PEOPLE_OPTIONS


@pytest.fixture
def ada(hass: HomeAssistant) -> None:
    """Ada's person entity."""
    hass.states.async_set(ADA, "unknown", {"friendly_name": "Ada"})


@pytest.mark.usefixtures("ada")
async def test_linked_punch_names_the_person_and_moves_presence(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    loaded_entry: MockConfigEntry,
) -> None:
    """Check-in turns presence on, check-out off; others' punches leave it; reset ends it."""
    assert hass.states.get(PRESENCE).state == "off"
    assert hass.states.get(PRESENCE).attributes["device_class"] == "presence"
    await async_wait_live(hass, simulator)
    # One second apart: a terminal logs one punch of a kind per user and second.
    start = simulator.clock.now().replace(microsecond=0) - timedelta(seconds=4)
    at = [start + timedelta(seconds=step) for step in range(4)]
    await hass.async_add_executor_job(lambda: simulator.inject_punch("1001", punch=0, when=at[0]))
    state = await async_wait_for_state(hass, PUNCH, lambda s: s.attributes.get("person") == ADA)
    assert state.attributes["user_id"] == "1001"
    sensor = await async_wait_for_state(hass, LAST_PUNCH, lambda s: s.state == "Ada Lovelace")
    assert sensor.attributes["person"] == ADA
    await async_wait_for_state(hass, PRESENCE, lambda s: s.state == "on")

    # An unlinked user's punch carries no person and leaves Ada's presence alone.
    await hass.async_add_executor_job(lambda: simulator.inject_punch("1002", punch=1, when=at[1]))
    state = await async_wait_for_state(hass, PUNCH, lambda s: s.attributes["user_id"] == "1002")
    assert "person" not in state.attributes
    assert hass.states.get(PRESENCE).state == "on"

    await hass.async_add_executor_job(lambda: simulator.inject_punch("1001", punch=1, when=at[2]))
    await async_wait_for_state(hass, PRESENCE, lambda s: s.state == "off")
    await hass.async_add_executor_job(lambda: simulator.inject_punch("1001", punch=0, when=at[3]))
    await async_wait_for_state(hass, PRESENCE, lambda s: s.state == "on")

    # The end-of-day reset (03:00) turns it off.
    now = dt_util.now()
    reset = now.replace(hour=3, minute=0, second=0, microsecond=0)
    if reset <= now:
        reset += timedelta(days=1)
    async_fire_time_changed(hass, reset)
    await hass.async_block_till_done()
    assert hass.states.get(PRESENCE).state == "off"


@pytest.mark.usefixtures("ada")
async def test_presence_ignores_punches_before_the_reset(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """A check-in stamped before the last reset (a day-old one) does not turn presence on."""
    await async_wait_live(hass, simulator)
    old = simulator.clock.now().replace(microsecond=0) - timedelta(days=2)
    await hass.async_add_executor_job(lambda: simulator.inject_punch("1001", punch=0, when=old))
    await async_wait_for_state(hass, PUNCH, lambda s: s.attributes.get("person") == ADA)
    presence = hass.states.get(PRESENCE)
    assert presence.state == "off"
    assert (presence.attributes["person"], presence.attributes["last_punch"]) == (ADA, None)
    # A punch of no known kind says nothing about presence either.
    now = simulator.clock.now().replace(microsecond=0)
    await hass.async_add_executor_job(lambda: simulator.inject_punch("1001", punch=9, when=now))
    await async_wait_for_state(hass, PUNCH, lambda s: s.attributes.get("event_type") == "other")
    assert hass.states.get(PRESENCE).attributes["last_punch"] is None


async def test_restore_after_restart(
    hass: HomeAssistant,
    simulator: TerminalSimulator,
    config_entry: MockConfigEntry,
    unload_at_teardown: None,
) -> None:
    """The last punch comes back with its attributes; presence with its state."""
    punched_at = dt_util.now() - timedelta(minutes=5)
    attributes = {
        "user_id": "1001",
        "punch": "check_in",
        "verify": "fingerprint",
        "timestamp": punched_at.isoformat(),
        "person": ADA,
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LAST_PUNCH, "Ada Lovelace"),
                {
                    "native_value": "Ada Lovelace",
                    "native_unit_of_measurement": None,
                    "punch_attributes": {**attributes, "injected": "<script>"},
                },
            ),
            (State(PRESENCE, "on", {"last_punch": punched_at.isoformat(), "person": ADA}), {}),
        ],
    )
    await async_setup_entry(hass, config_entry)
    sensor = hass.states.get(LAST_PUNCH)
    assert sensor.state == "Ada Lovelace"
    assert {key: sensor.attributes.get(key) for key in attributes} == attributes
    assert "injected" not in sensor.attributes
    presence = hass.states.get(PRESENCE)
    assert presence.state == "on"
    assert presence.attributes["last_punch"] == punched_at.isoformat()


def test_last_punch_stored_data_round_trip() -> None:
    """What is stored reads back; a value stored without attributes is not taken for one."""
    data = LastPunchStoredData("Ada", None, {"user_id": "1001", "punch": "check_in"})
    assert LastPunchStoredData.from_dict(data.as_dict()) == data
    assert (
        LastPunchStoredData.from_dict({"native_value": "Ada", "native_unit_of_measurement": None})
        is None
    )
    assert LastPunchStoredData.from_dict({"punch_attributes": {}}) is None


async def test_presence_sensors_follow_the_links(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Unlinking Ada in the options removes her presence sensor."""
    assert entity_registry.async_get(PRESENCE) is not None
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "people"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"user_id": "1001", "presence": False, "presence_reset": "03:00:00"}
    )
    await hass.async_block_till_done()
    assert loaded_entry.options["people"] == {}
    assert entity_registry.async_get(PRESENCE) is None


async def test_people_options(
    hass: HomeAssistant, simulator: TerminalSimulator, loaded_entry: MockConfigEntry
) -> None:
    """Link, change and unlink users; a blank user id is refused; other options stay."""
    flow = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    form = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "people"}
    )
    assert form["step_id"] == "people"
    assert form["description_placeholders"] == {
        "links": "- 1001 · Ada Lovelace → person.ada (presence)"
    }
    choices = form["data_schema"].schema["user_id"].config["options"]
    assert choices == [
        {"value": "1001", "label": "1001 · Ada Lovelace → person.ada"},
        {"value": "1002", "label": "1002 · Alan Turing"},
        {"value": "1003", "label": "1003 · Grace Hopper"},
    ]
    form = await hass.config_entries.options.async_configure(
        form["flow_id"], {"user_id": "  ", "presence": False, "presence_reset": "03:00:00"}
    )
    assert form["errors"] == {"user_id": "invalid_user_id"}
    done = await hass.config_entries.options.async_configure(
        form["flow_id"],
        {
            "user_id": "1002",
            "person": "person.alan",
            "presence": False,
            "presence_reset": "22:30:00",
        },
    )
    assert done["type"] == "create_entry"
    await hass.async_block_till_done()
    assert loaded_entry.options == {
        "people": {
            "1001": {"person": ADA, "presence": True},
            "1002": {"person": "person.alan", "presence": False},
        },
        "presence_reset": "22:30:00",
    }
    assert loaded_entry.runtime_data.settings.presence_reset.hour == 22

    # The terminal's own options keep the links.
    flow = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    form = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "terminal_options"}
    )
    await hass.config_entries.options.async_configure(
        form["flow_id"],
        {
            "unlock_seconds": 4,
            "encoding": "utf-8",
            "time_zone": "UTC",
            "live_capture": False,
            "poll_interval": 60,
        },
    )
    await hass.async_block_till_done()
    assert loaded_entry.options["people"]["1002"] == {"person": "person.alan", "presence": False}
    assert loaded_entry.options["unlock_seconds"] == 4


@pytest.mark.usefixtures("unload_at_teardown")
async def test_people_options_of_an_unloaded_terminal(
    hass: HomeAssistant, simulator: TerminalSimulator
) -> None:
    """Without a loaded terminal no names are known: user ids are typed in."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(simulator))
    entry.add_to_hass(hass)
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    form = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "people"}
    )
    assert form["description_placeholders"] == {"links": "—"}
    assert form["data_schema"].schema["user_id"].config["options"] == []
    done = await hass.config_entries.options.async_configure(
        form["flow_id"],
        {"user_id": "77", "person": "person.ada", "presence": True, "presence_reset": "00:00:00"},
    )
    assert done["type"] == "create_entry"
    assert entry.options["people"] == {"77": {"person": "person.ada", "presence": True}}


async def test_restore_a_value_stored_without_attributes(
    hass: HomeAssistant, config_entry: MockConfigEntry, unload_at_teardown: None
) -> None:
    """A last punch stored before its attributes were: the value comes back alone."""
    mock_restore_cache_with_extra_data(
        hass,
        [(State(LAST_PUNCH, "1001"), {"native_value": "1001", "native_unit_of_measurement": None})],
    )
    await async_setup_entry(hass, config_entry)
    sensor = hass.states.get(LAST_PUNCH)
    assert sensor.state == "1001"
    assert "punch" not in sensor.attributes
