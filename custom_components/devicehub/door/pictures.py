"""The latest stranger picture of a door: received, fetched, kept across restarts."""

import asyncio
import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any, Final, TypedDict

from aiohttp import ClientError
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..mqtt_door.errors import DropReason, PayloadError
from ..mqtt_door.payloads import (
    MAX_IMAGE_BYTES,
    image_content_type,
    is_http_url,
)
from ..mqtt_door.topics import TopicKind
from .const import PICTURE_FETCH_TIMEOUT
from .drops import DropLog
from .pinned import pinned_session
from .url_policy import PictureHosts, async_verdict

_LOGGER = logging.getLogger(__name__)
STORE_VERSION: Final = 1
_CHUNK: Final = 64 * 1024
SAVE_DELAY: Final = 5


class _StoredPicture(TypedDict):
    content_type: str
    updated: str
    data: str  # base64


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture with what Home Assistant serves alongside it."""

    content: bytes
    content_type: str
    updated: datetime


def _picture_store(hass: HomeAssistant, entry_id: str) -> Store[_StoredPicture]:
    """A private Store: pictures of people are not for backups' casual readers."""
    return Store(hass, STORE_VERSION, f"{DOMAIN}.door_picture.{entry_id}", private=True)


async def async_remove_saved_picture(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed door's saved picture."""
    await _picture_store(hass, entry_id).async_remove()


class PictureKeeper:
    """Keeps one picture per door, in memory and in Home Assistant's storage."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        drops: DropLog,
        on_new: Callable[[Picture], None],
        allowed_hosts: PictureHosts | None = None,
    ) -> None:
        """Start empty; async_load restores the saved picture; on_new hears of new ones.

        Pictures are fetched from public hosts, and from the local ones in allowed_hosts.
        """
        self._hass = hass
        self._drops = drops
        self._on_new = on_new
        self._allowed_hosts = allowed_hosts or PictureHosts()
        self._store = _picture_store(hass, entry_id)
        self.latest: Picture | None = None

    async def async_load(self) -> Picture | None:
        """Restore and return the picture saved before a restart; ignore a damaged one."""
        try:
            stored = await self._store.async_load()
        except HomeAssistantError as err:  # a newer version's file (after a downgrade)
            _LOGGER.warning("Ignoring a saved stranger picture: %s", err)
            return None
        if not stored:
            return None
        try:
            content = base64.b64decode(stored["data"], validate=True)
            content_type = image_content_type(content)
            updated = dt_util.parse_datetime(stored["updated"])
        except KeyError, TypeError, binascii.Error, PayloadError:
            _LOGGER.warning("Ignoring a damaged saved stranger picture")
            return None
        if updated is not None:
            self.latest = Picture(content, content_type, updated)
        return self.latest

    @callback
    def async_set(self, content: bytes, topic_kind: str) -> bool:
        """Take a new picture if it is a capped JPEG/PNG/GIF/WebP; save it."""
        try:
            content_type = image_content_type(content)
        except PayloadError as err:
            self._drops.record(topic_kind, err.reason, err.detail)
            return False
        picture = Picture(content, content_type, dt_util.utcnow())
        self.latest = picture
        # Coalesce bursts of pictures into one write.
        self._store.async_delay_save(self._to_store, SAVE_DELAY)
        self._on_new(picture)
        return True

    def _to_store(self) -> _StoredPicture:
        assert self.latest is not None
        return {
            "content_type": self.latest.content_type,
            "updated": self.latest.updated.isoformat(),
            "data": base64.b64encode(self.latest.content).decode("ascii"),
        }

    async def async_fetch(self, url: str) -> None:
        """Fetch a picture from the door's picture_url: http(s), capped, with a timeout.

        Only from public hosts or the local ones the user allowed (see url_policy).
        """
        kind = f"{TopicKind.STRANGER.value} picture_url"
        if not is_http_url(url):
            self._drops.record(kind, DropReason.INVALID_PAYLOAD, "not http(s)")
            return
        verdict = await async_verdict(self._hass, url, self._allowed_hosts)
        if verdict.refusal:
            self._drops.record(kind, DropReason.INVALID_PAYLOAD, verdict.refusal)
            return
        try:
            async with asyncio.timeout(PICTURE_FETCH_TIMEOUT):
                if verdict.pinned is None:  # an address, or a name the user trusts
                    content = await self._async_read_capped(
                        async_get_clientsession(self._hass), url
                    )
                else:  # connect where the check looked, not to a second lookup
                    async with pinned_session(verdict.host, verdict.pinned) as session:
                        content = await self._async_read_capped(session, url)
        except (ClientError, TimeoutError, ValueError) as err:
            self._drops.record(kind, DropReason.FETCH_FAILED, type(err).__name__)
            return
        if content is None:
            self._drops.record(kind, DropReason.TOO_LARGE, url)
            return
        self.async_set(content, kind)

    @staticmethod
    async def _async_read_capped(session: Any, url: str) -> bytes | None:
        # A redirect could lead anywhere, a local host included: not followed.
        async with session.get(url, allow_redirects=False) as response:
            response.raise_for_status()
            stream = response.content
            content = bytearray()
            while chunk := await stream.read(_CHUNK):
                content += chunk
                if len(content) > MAX_IMAGE_BYTES:
                    return None
            return bytes(content)
