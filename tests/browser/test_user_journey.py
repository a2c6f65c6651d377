"""A new user's path through Home Assistant's own UI, in Debian's Chromium.

Onboarding, adding a ZKTeco terminal (the zksim simulator) in the config flow, a punch pushed
by the terminal, unlocking its door from the device page, a simulated MQTT door discovered
and added, a stranger with a picture, and the example dashboard from docs/dashboard.yaml.
Every step is checked against what the devices saw and against Home Assistant's states.
The screenshots are the README's (DEVICEHUB_SCREENSHOTS=docs/screenshots refreshes them).
"""

from collections.abc import Callable, Iterator
import re

from playwright.sync_api import Locator, Page, expect
import pytest

from tests.mosquitto import MosquittoBroker
from tests.zksim_fixtures import SimulatorFactory
from tools.mqttdoor import DoorConfig, SimulatedDoor, make_jpeg
from tools.mqttdoor.access import ACCESS_CONTROL_FEATURES, DEFAULT_RELAYS
from tools.mqttdoor.contract import FEATURES
from tools.zksim import SimulatorConfig, TerminalSimulator

from .conftest import Screenshots
from .homeassistant import DASHBOARD_URL_PATH, HomeAssistantProcess, RestApi

DEVICE_TIMEOUT = 20.0  # seconds for a simulated device to see what Home Assistant did

TERMINAL_NAME = "Front door"
DOOR_ID = "back_door"
DOOR_NAME = "Back door"
UNLOCK_SECONDS = 2  # set in the terminal's options (the default is 3)
PICTURE_URL = re.compile(r"/api/image_proxy/image\.back_door_stranger_picture\?token=")
STRANGER_PICTURE_SIZE = (320, 240)
PERSON = "person.ada_lovelace"  # the owner's person, made by onboarding
PERSON_NAME = "Ada Lovelace"
PRESENCE = "binary_sensor.front_door_ada_lovelace_on_site"

# Every state change of the watched entities, recorded in the page from Home Assistant's
# websocket, so that short-lived states (a 3 s unlock pulse) are not missed.
WATCH_STATES = """entityIds => {
  window.devicehubStates = Object.fromEntries(entityIds.map(id => [id, []]));
  const hass = document.querySelector('home-assistant').hass;
  return hass.connection.subscribeEvents(event => {
    const {entity_id: id, new_state: state} = event.data;
    if (id in window.devicehubStates && state) window.devicehubStates[id].push(state.state);
  }, 'state_changed').then(() => true);
}"""
STATE_IS = """([id, value]) => {
  const state = document.querySelector('home-assistant').hass.states[id];
  return state !== undefined && state.state === value;
}"""
STATE_IS_NOT = """([id, values]) => {
  const state = document.querySelector('home-assistant').hass.states[id];
  return state !== undefined && !values.includes(state.state);
}"""


@pytest.fixture
def terminal(zk_simulator: SimulatorFactory) -> TerminalSimulator:
    """A simulated terminal with a few users and an old attendance log."""
    return zk_simulator(SimulatorConfig(users=12, records=40, seed=3))


@pytest.fixture
def door_factory(mosquitto_broker: MosquittoBroker) -> Iterator[Callable[[], SimulatedDoor]]:
    """Starts the simulated back door on demand; stops it at teardown."""
    doors: list[SimulatedDoor] = []

    def start() -> SimulatedDoor:
        door = SimulatedDoor(
            DoorConfig(
                DOOR_ID,
                host=mosquitto_broker.host,
                port=mosquitto_broker.port,
                name=DOOR_NAME,
                heartbeat=None,
                # Contract 1.1 access control: the dashboard shows its contact and doorbell.
                features=FEATURES + ACCESS_CONTROL_FEATURES,
                relays=DEFAULT_RELAYS,
            )
        )
        doors.append(door)
        door.start()
        return door

    yield start
    for door in doors:
        door.stop()


def onboard(page: Page, url: str) -> None:
    """Create the owner account and accept every onboarding default."""
    page.goto(url)
    page.get_by_role("button", name="Create my smart home").click()
    page.locator("input[name='name']").fill("Ada Lovelace")
    page.locator("input[name='username']").fill("ada")
    page.locator("input[name='password']").fill("devicehub-browser-test")
    page.locator("input[name='password_confirm']").fill("devicehub-browser-test")
    page.get_by_role("button", name="Create account").click()
    page.locator("onboarding-location").get_by_role("button", name="Next").click()
    page.locator("onboarding-core-config").get_by_role("button", name="Next").click()
    page.locator("onboarding-analytics").get_by_role("button", name="Next").click()
    page.locator("onboarding-integrations").get_by_role("button", name="Finish").click()
    expect(page.locator("home-assistant-main")).to_be_attached()
    page.wait_for_function("() => document.querySelector('home-assistant')?.hass?.connected")


def access_token(page: Page) -> str:
    """The owner's access token, as the frontend stored it."""
    token = page.evaluate("() => JSON.parse(localStorage.getItem('hassTokens')).access_token")
    assert isinstance(token, str)
    assert token
    return token


def wait_for_state(page: Page, entity_id: str, value: str) -> None:
    """Wait until the frontend shows the entity in this state (pushed by Home Assistant)."""
    page.wait_for_function(STATE_IS, arg=[entity_id, value])


def open_add_device_menu(page: Page, url: str) -> Locator:
    """Settings -> Devices & services -> Add integration -> devicehub."""
    page.goto(f"{url}/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("devicehub")
    page.locator("ha-integration-list-item").filter(has_text="devicehub").click()
    flow = page.locator("dialog-data-entry-flow")
    expect(flow.get_by_text("Choose the kind of device to add.")).to_be_visible()
    return flow


def pick(page: Page, field: Locator, search: str, item: str) -> None:
    """Choose an item of a frontend picker (ha-generic-picker): open it, type, click the item.

    Playwright's locators reach into the pickers' shadow roots; the list opens in a popover
    outside the form, so the search box and the items are looked up on the page.
    """
    field.locator("ha-picker-field").click()
    search_box = page.locator("ha-picker-combo-box").locator("input").first
    expect(search_box).to_be_visible()
    search_box.fill(search)
    page.locator("ha-picker-combo-box").get_by_text(item, exact=True).first.click()
    expect(page.locator("ha-picker-combo-box")).to_be_hidden()


def devicehub_entries(api: RestApi) -> dict[str, str]:
    """Title -> state of every devicehub config entry."""
    entries = api.get("/api/config/config_entries/entry?domain=devicehub")
    return {entry["title"]: entry["state"] for entry in entries}


def open_device_page(page: Page, url: str, name: str) -> None:
    """Settings -> Devices & services -> Devices -> the device."""
    page.goto(f"{url}/config/devices/dashboard")
    page.locator("ha-data-table").get_by_text(name, exact=True).click()
    expect(page.locator("ha-config-device-page")).to_be_visible()
    expect(page.locator("ha-config-device-page").get_by_text(name).first).to_be_visible()


@pytest.mark.timeout(420)
def test_new_user_adds_a_terminal_and_a_door_and_opens_them(
    page: Page,
    screenshots: Screenshots,
    hass_server: HomeAssistantProcess,
    terminal: TerminalSimulator,
    door_factory: Callable[[], SimulatedDoor],
) -> None:
    url = hass_server.url

    # Onboarding, as on a new installation.
    onboard(page, url)
    api = RestApi(url, access_token(page))
    assert api.get("/api/config")["state"] == "RUNNING"

    # Add integration -> devicehub -> ZKTeco terminal.
    flow = open_add_device_menu(page, url)
    expect(flow.get_by_text("MQTT door")).to_be_visible()
    expect(flow.get_by_text("Import terminals from devices.json")).to_be_visible()
    screenshots.take("add-device-menu")
    flow.get_by_text("ZKTeco terminal").click()
    flow.locator("input[name='host']").fill("127.0.0.1")
    flow.locator("ha-selector-number input[max='65535']").fill(str(terminal.port))
    flow.locator("input[name='name']").fill(TERMINAL_NAME)
    screenshots.take("terminal-form")
    flow.get_by_role("button", name="Submit").click()
    # Created: the new device (a ZKTeco K40), to name and place in an area.
    expect(flow.locator("step-flow-create-entry")).to_contain_text("ZKTeco")
    flow.get_by_role("button", name="Skip and finish").click()
    expect(flow).to_be_hidden()
    assert devicehub_entries(api) == {TERMINAL_NAME: "loaded"}
    wait_for_state(page, "lock.front_door", "locked")

    # A punch at the terminal reaches Home Assistant by push (live capture).
    assert terminal.wait_for_listeners(1, timeout=DEVICE_TIMEOUT)
    user = terminal.users[2]
    terminal.inject_punch(user.user_id, punch=0, verify=15)
    wait_for_state(page, "sensor.front_door_last_punch", user.name)
    punch = api.state("event.front_door_punch")["attributes"]
    assert punch["event_type"] == "check_in"
    assert (punch["user_id"], punch["user_name"]) == (user.user_id, user.name)
    assert punch["verify"] == "face"
    assert (punch["terminal"], punch["late"]) == (TERMINAL_NAME, False)

    # The terminal's options: a shorter unlock pulse. Saving reloads the terminal.
    page.goto(f"{url}/config/integrations/integration/devicehub")
    entry_row = page.locator("ha-config-entry-row").filter(has_text=TERMINAL_NAME)
    entry_row.get_by_role("button", name="Configure").click()
    flow = page.locator("dialog-data-entry-flow")
    # A terminal asks which part of its options to change.
    expect(flow.get_by_text("People")).to_be_visible()
    flow.get_by_text("Terminal options").click()
    unlock_time = flow.locator("ha-selector-number input[max='60']")
    expect(unlock_time).to_have_value("3")
    unlock_time.fill(str(UNLOCK_SECONDS))
    screenshots.take("terminal-options")
    assert page.evaluate(WATCH_STATES, ["lock.front_door"])
    flow.get_by_role("button", name="Submit").click()
    expect(flow).to_be_hidden()
    # Reloaded: the lock went away for a moment and is back, locked.
    page.wait_for_function(
        "() => window.devicehubStates['lock.front_door'].includes('unavailable')"
        " && window.devicehubStates['lock.front_door'].at(-1) === 'locked'"
    )
    assert devicehub_entries(api) == {TERMINAL_NAME: "loaded"}

    # People: the terminal user is Ada Lovelace (her person was made at onboarding), with a
    # presence sensor. Both are picked from the frontend's dropdowns, searched by typing.
    page.goto(f"{url}/config/integrations/integration/devicehub")
    entry_row.get_by_role("button", name="Configure").click()
    flow = page.locator("dialog-data-entry-flow")
    flow.get_by_text("People").click()
    expect(flow.get_by_text("Link a terminal user to a Home Assistant person")).to_be_visible()
    pick(page, flow.locator("ha-selector-select"), user.user_id, f"{user.user_id} · {user.name}")
    pick(page, flow.locator("ha-selector-entity"), "Ada", PERSON_NAME)
    presence_switch = flow.locator("ha-selector-boolean").get_by_role("switch")
    # The switch's thumb covers its input: click the input itself.
    presence_switch.check(force=True)
    expect(presence_switch).to_be_checked()
    screenshots.take("terminal-people")
    assert page.evaluate(WATCH_STATES, [PRESENCE])
    flow.get_by_role("button", name="Submit").click()
    expect(flow).to_be_hidden()
    # Reloaded with the link: the presence sensor is there, off until Ada checks in.
    wait_for_state(page, PRESENCE, "off")
    assert api.state(PRESENCE)["attributes"]["person"] == PERSON
    wait_for_state(page, "lock.front_door", "locked")
    terminal.inject_punch(user.user_id, punch=0, verify=1)
    wait_for_state(page, PRESENCE, "on")
    punch = api.state("event.front_door_punch")["attributes"]
    assert (punch["event_type"], punch["user_id"], punch["person"]) == (
        "check_in",
        user.user_id,
        PERSON,
    )
    assert api.state("sensor.front_door_last_punch")["attributes"]["person"] == PERSON
    assert page.evaluate(f"() => window.devicehubStates['{PRESENCE}']") == ["off", "on"]

    # The device page: press Unlock on the terminal's lock.
    open_device_page(page, url, TERMINAL_NAME)
    lock_row = page.locator("hui-lock-entity-row").filter(has_text=TERMINAL_NAME)
    expect(lock_row.get_by_role("button", name="Unlock")).to_be_visible()
    screenshots.take("terminal-device")
    assert page.evaluate(WATCH_STATES, ["lock.front_door"])
    assert terminal.unlocks == []
    lock_row.get_by_role("button", name="Unlock").click()
    page.wait_for_function("() => window.devicehubStates['lock.front_door'].includes('unlocked')")
    assert [pulse.seconds for pulse in terminal.unlocks] == [UNLOCK_SECONDS]
    expect(lock_row.get_by_role("button", name="Lock")).to_be_visible()
    # The relay re-locks by itself after the pulse; so does the lock in Home Assistant.
    page.wait_for_function(
        "() => window.devicehubStates['lock.front_door'].at(-1) === 'locked'",
        timeout=(UNLOCK_SECONDS + 10) * 1000,
    )
    assert page.evaluate("() => window.devicehubStates['lock.front_door']") == [
        "unlocked",
        "locked",
    ]
    assert api.state("lock.front_door")["attributes"]["changed_by"] == "Home Assistant"

    # An MQTT door announces itself: it shows up under Discovered.
    door = door_factory()
    page.goto(f"{url}/config/integrations/dashboard")
    page.get_by_placeholder("Search integrations").fill("devicehub")
    discovered = page.locator("ha-config-flow-card").filter(has_text=DOOR_NAME)
    expect(discovered).to_be_visible()
    screenshots.take("door-discovered")
    discovered.get_by_role("button", name="Add").click()
    flow = page.locator("dialog-data-entry-flow")
    question = f"Add the door {DOOR_NAME} (ID {DOOR_ID}, model SimDoor 1)"
    expect(flow.get_by_text(question)).to_be_visible()
    screenshots.take("door-confirm")
    flow.get_by_role("button", name="Submit").click()
    expect(flow.locator("step-flow-create-entry")).to_contain_text("SimDoor 1")
    flow.get_by_role("button", name="Skip and finish").click()
    expect(flow).to_be_hidden()
    assert devicehub_entries(api) == {TERMINAL_NAME: "loaded", DOOR_NAME: "loaded"}
    assert door.wait_for_ack(DEVICE_TIMEOUT) == {"accepted": True}
    wait_for_state(page, "lock.back_door", "locked")

    # Unlock the door from its device page: the door gets the command and confirms it.
    open_device_page(page, url, DOOR_NAME)
    door_row = page.locator("hui-lock-entity-row").filter(has_text=DOOR_NAME)
    door_row.get_by_role("button", name="Unlock").click()
    assert door.wait_for_command("unlock", DEVICE_TIMEOUT)
    wait_for_state(page, "lock.back_door", "unlocked")
    assert door.received_commands == ["unlock"]

    # A stranger at the door, with a picture that Home Assistant serves itself.
    door.publish_stranger(image=make_jpeg(*STRANGER_PICTURE_SIZE, seed=5))
    page.wait_for_function(
        STATE_IS_NOT, arg=["image.back_door_stranger_picture", ["unknown", "unavailable"]]
    )
    stranger = api.state("event.back_door_stranger")
    assert stranger["attributes"]["event_type"] == "stranger"
    screenshots.take("door-device")

    # Adding a door by hand: the form, for the README.
    flow = open_add_device_menu(page, url)
    flow.get_by_text("MQTT door").click()
    expect(flow.locator("input[name='device_id']")).to_be_visible()
    screenshots.take("door-form")

    # The example dashboard of docs/dashboard.yaml, with the lock, last punch and stranger.
    page.goto(f"{url}/{DASHBOARD_URL_PATH}/doors")
    picture = page.locator("hui-picture-entity-card img")
    expect(picture).to_be_visible()
    expect(picture).to_have_attribute("src", PICTURE_URL)
    # The browser got the picture through Home Assistant, behind its auth.
    loaded = "img => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=picture.element_handle())
    assert picture.evaluate("img => [img.naturalWidth, img.naturalHeight]") == list(
        STRANGER_PICTURE_SIZE
    )
    expect(page.locator("hui-entities-card").get_by_text(user.name)).to_be_visible()
    expect(page.locator("hui-markdown-card").get_by_text(user.name)).to_be_visible()
    expect(page.locator("hui-tile-card").filter(has_text=TERMINAL_NAME)).to_contain_text("Locked")
    # The back door's contact and doorbell (contract 1.1), as the door reports them.
    contact = page.locator("hui-tile-card").filter(has_text="Back door contact")
    doorbell = page.locator("hui-tile-card").filter(has_text="Back door doorbell")
    expect(doorbell).to_contain_text("Unknown")  # never rung yet
    door.publish_contact(True)
    expect(contact).to_contain_text("Open")
    door.ring_doorbell()
    expect(doorbell).not_to_contain_text("Unknown")
    assert api.state("event.back_door_doorbell")["attributes"]["event_type"] == "ring"
    door.publish_contact(False)
    expect(contact).to_contain_text("Closed")
    screenshots.take("dashboard")

    assert screenshots.taken == [
        "add-device-menu",
        "terminal-form",
        "terminal-options",
        "terminal-people",
        "terminal-device",
        "door-discovered",
        "door-confirm",
        "door-device",
        "door-form",
        "dashboard",
    ]
