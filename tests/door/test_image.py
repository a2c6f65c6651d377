"""The stranger picture: raw bytes, fetched URLs, caps, auth and restore after restart."""

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from aiohttp import ClientError
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, MqttMockHAClient

from custom_components.devicehub.door.const import CONF_PICTURE_HOSTS
from custom_components.devicehub.mqtt_door.payloads import MAX_IMAGE_BYTES

from .conftest import ENTRY_ID, Fire

PICTURE = "image.front_door_stranger_picture"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x02" * 32
URL = "http://door.local/stranger.jpg"
# The door serves its pictures itself, on the LAN: the user allowed its host.
LOCAL_PICTURES = {CONF_PICTURE_HOSTS: "door.local"}
STORE_KEY = f"devicehub.door_picture.{ENTRY_ID}"


async def served(hass: HomeAssistant, client: ClientSessionGenerator) -> tuple[int, bytes, str]:
    """Fetch the picture the way the frontend does."""
    http = await client()
    response = await http.get(f"/api/image_proxy/{PICTURE}")
    return response.status, await response.read(), response.content_type


async def test_picture_from_bytes(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Raw bytes on stranger/image become the picture, served behind HA's auth and saved."""
    assert hass.states.get(PICTURE).state == STATE_UNKNOWN
    fire("stranger/image", PNG)
    await hass.async_block_till_done()
    assert hass.states.get(PICTURE).state != STATE_UNKNOWN
    assert await served(hass, hass_client) == (HTTPStatus.OK, PNG, "image/png")
    status, _, _ = await served(hass, hass_client_no_auth)
    assert status == HTTPStatus.FORBIDDEN
    assert STORE_KEY not in hass_storage  # saved a little later, once per burst
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert hass_storage[STORE_KEY]["data"]["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "invalid_image"),
        (JPEG + b"\x00" * MAX_IMAGE_BYTES, "too_large"),
    ],
)
async def test_rejected_pictures(
    hass: HomeAssistant, setup_door: MockConfigEntry, fire: Fire, payload: bytes, reason: str
) -> None:
    """Anything but a capped JPEG/PNG/GIF/WebP is dropped."""
    fire("stranger/image", payload)
    await hass.async_block_till_done()
    assert hass.states.get(PICTURE).state == STATE_UNKNOWN
    assert setup_door.runtime_data.drops.by_reason == {reason: 1}


@pytest.mark.parametrize("door_options", [LOCAL_PICTURES])
async def test_picture_from_url(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    aioclient_mock: AiohttpClientMocker,
    hass_client: ClientSessionGenerator,
) -> None:
    """A stranger's picture_url is fetched with HA's shared client."""
    aioclient_mock.get(URL, content=JPEG)
    fire("stranger", {"picture_url": URL})
    await hass.async_block_till_done()
    assert aioclient_mock.call_count == 1
    assert await served(hass, hass_client) == (HTTPStatus.OK, JPEG, "image/jpeg")
    assert hass.states.get("event.front_door_stranger").attributes["picture_url"] == URL


@pytest.mark.parametrize("door_options", [LOCAL_PICTURES])
@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ({"status": HTTPStatus.NOT_FOUND}, "fetch_failed"),
        ({"exc": TimeoutError()}, "fetch_failed"),
        ({"exc": ClientError()}, "fetch_failed"),
        ({"content": JPEG + b"\x00" * MAX_IMAGE_BYTES}, "too_large"),
        ({"content": b"GIF87"}, "invalid_image"),
    ],
)
async def test_failed_fetches(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    aioclient_mock: AiohttpClientMocker,
    response: dict[str, Any],
    reason: str,
) -> None:
    """Errors, timeouts, oversized and non-image answers leave the picture alone."""
    aioclient_mock.get(URL, **response)
    fire("stranger", {"picture_url": URL})
    await hass.async_block_till_done()
    assert hass.states.get(PICTURE).state == STATE_UNKNOWN
    assert setup_door.runtime_data.drops.by_reason == {reason: 1}


async def test_fetch_refuses_other_schemes(
    hass: HomeAssistant, setup_door: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """Only http(s) is fetched, whoever asks."""
    await setup_door.runtime_data.pictures.async_fetch("file:///etc/passwd")
    assert aioclient_mock.call_count == 0
    assert setup_door.runtime_data.drops.by_reason == {"invalid_payload": 1}


async def test_picture_survives_restart(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    door_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    hass_client: ClientSessionGenerator,
) -> None:
    """The saved picture is served again after a restart, with its time."""
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORE_KEY,
        "data": {
            "content_type": "image/png",
            "updated": "2024-05-01T10:00:00+00:00",
            "data": "iVBORw0KGgoBAQEB",
        },
    }
    door_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PICTURE).state == "2024-05-01T10:00:00+00:00"
    status, content, content_type = await served(hass, hass_client)
    assert (status, content_type) == (HTTPStatus.OK, "image/png")
    assert content == b"\x89PNG\r\n\x1a\n\x01\x01\x01\x01"


async def test_removing_the_door_deletes_its_picture(
    hass: HomeAssistant,
    setup_door: MockConfigEntry,
    fire: Fire,
    hass_storage: dict[str, Any],
) -> None:
    """A removed door leaves no picture of a person behind in storage."""
    fire("stranger/image", PNG)
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert STORE_KEY in hass_storage
    await hass.config_entries.async_remove(setup_door.entry_id)
    await hass.async_block_till_done()
    assert STORE_KEY not in hass_storage


@pytest.mark.parametrize(
    "stored",
    [
        {"content_type": "image/png", "updated": "2024-05-01T10:00:00+00:00", "data": "!!"},
        {"content_type": "image/png", "updated": "2024-05-01T10:00:00+00:00", "data": "PHN2Zz4="},
        {"content_type": "image/png", "data": "iVBORw0KGgoBAQEB"},
        {"content_type": "image/png", "updated": "someday", "data": "iVBORw0KGgoBAQEB"},
    ],
    ids=["not-base64", "not-an-image", "no-time", "bad-time"],
)
async def test_damaged_saved_picture(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    door_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    stored: dict[str, str],
) -> None:
    """A damaged saved picture is ignored."""
    hass_storage[STORE_KEY] = {"version": 1, "minor_version": 1, "key": STORE_KEY, "data": stored}
    door_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(door_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PICTURE).state == STATE_UNKNOWN
