"""Contract 1.1 switches: a door's extra outputs, on and off as the door confirms them.

Like the lock, a switch is turned on or off by a command and shows the door's own report:
the action returns once the door confirms, and fails if it does not within the command
timeout of the door's options.
"""

import asyncio
from datetime import datetime
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN
from ..mqtt_door.access_control import RelayReport
from ..mqtt_door.models import Relay
from .const import CONF_COMMAND_TIMEOUT, DEFAULT_COMMAND_TIMEOUT
from .entity import DoorEntity
from .runtime import DoorConfigEntry, DoorRuntime


async def async_setup_switch(
    hass: HomeAssistant, entry: DoorConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add one switch per declared relay."""
    runtime = entry.runtime_data
    async_add_entities(RelaySwitch(runtime, relay) for relay in runtime.hand_shake.relays)


class RelaySwitch(DoorEntity, SwitchEntity):
    """One output of the door; unknown until the door reports it."""

    _follows = "relays"

    def __init__(self, runtime: DoorRuntime, relay: Relay) -> None:
        """Describe the relay by the name the door declares."""
        self.entity_description = SwitchEntityDescription(
            key=f"relay_{relay.key}", name=relay.name or relay.key
        )
        super().__init__(runtime, self.entity_description.key)
        self._relay_key = relay.key
        self._timeout: float = runtime.entry.options.get(
            CONF_COMMAND_TIMEOUT, DEFAULT_COMMAND_TIMEOUT
        )
        self._command_lock = asyncio.Lock()
        self._waiting: tuple[bool, asyncio.Future[bool]] | None = None
        self._report: RelayReport | None = self._reported

    @property
    def _reported(self) -> RelayReport | None:
        return self.coordinator.data.relays.get(self._relay_key)

    @property
    @override
    def is_on(self) -> bool | None:
        """As the door last reported."""
        return None if (report := self._reported) is None else report.is_on

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the output on and wait for the door to confirm."""
        await self._async_switch(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the output off and wait for the door to confirm."""
        await self._async_switch(False)

    async def _async_switch(self, turn_on: bool) -> None:
        async with self._command_lock:
            confirmed = self.hass.loop.create_future()
            self._waiting = (turn_on, confirmed)

            @callback
            def expire(_now: datetime) -> None:
                if not confirmed.done():
                    confirmed.set_result(False)

            cancel_timer = async_call_later(self.hass, self._timeout, expire)
            try:
                await self.runtime.async_send_relay_command(self._relay_key, turn_on)
                if await confirmed:
                    return
            finally:
                cancel_timer()
                self._waiting = None
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="relay_not_confirmed",
            translation_placeholders={
                "name": self.runtime.name,
                "relay": self._relay_key,
                "timeout": f"{self._timeout:g}",
            },
        )

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """A new report of this relay confirms the command it matches."""
        report = self._reported
        if report is not None and report is not self._report:
            self._report = report
            waiting = self._waiting
            if waiting is not None and waiting[0] is report.is_on and not waiting[1].done():
                waiting[1].set_result(True)
        super()._handle_coordinator_update()

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Let a waiting command return."""
        await super().async_will_remove_from_hass()
        if self._waiting is not None and not self._waiting[1].done():
            self._waiting[1].set_result(False)

    @override
    def _shown_data(self) -> object:
        return self._reported
