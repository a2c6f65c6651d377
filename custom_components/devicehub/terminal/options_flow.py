"""Options of a terminal: unlock pulse, code, name encoding, time zone, live capture, people."""

import codecs
from typing import Any
import zoneinfo

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)

from ..schema import vol
from .const import (
    CONF_CODE,
    CONF_ENCODING,
    CONF_LIVE_CAPTURE,
    CONF_PEOPLE,
    CONF_PERSON,
    CONF_POLL_INTERVAL,
    CONF_PRESENCE,
    CONF_PRESENCE_RESET,
    CONF_TIME_ZONE,
    CONF_UNLOCK_SECONDS,
    CONF_USER_ID,
    DEFAULT_ENCODING,
    DEFAULT_LIVE_CAPTURE,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PRESENCE_RESET,
    DEFAULT_UNLOCK_SECONDS,
    ENCODINGS,
)


def _is_known_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


class TerminalOptionsFlow(OptionsFlowWithReload):
    """Tune how Home Assistant uses a terminal; the entry reloads with the new options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose between the terminal's own options and its people."""
        return self.async_show_menu(step_id="init", menu_options=["terminal_options", "people"])

    async def async_step_people(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Link one terminal user to a person (no person: unlink), and the presence reset."""
        options = self.config_entry.options
        people: dict[str, Any] = dict(options.get(CONF_PEOPLE, {}))
        errors: dict[str, str] = {}
        if user_input is not None:
            user_id = str(user_input[CONF_USER_ID]).strip()
            person = user_input.get(CONF_PERSON)
            if not user_id:
                errors[CONF_USER_ID] = "invalid_user_id"
            elif person:
                people[user_id] = {
                    CONF_PERSON: person,
                    CONF_PRESENCE: bool(user_input[CONF_PRESENCE]),
                }
            else:
                people.pop(user_id, None)
            if not errors:
                return self.async_create_entry(
                    data={
                        **options,
                        CONF_PEOPLE: people,
                        CONF_PRESENCE_RESET: user_input[CONF_PRESENCE_RESET],
                    }
                )

        names = self._user_names()
        choices = sorted({*names, *people}, key=lambda user_id: (len(user_id), user_id))
        schema = vol.Schema(
            {
                vol.Required(CONF_USER_ID): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(
                                value=user_id, label=_user_label(user_id, names, people)
                            )
                            for user_id in choices
                        ],
                        custom_value=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Optional(CONF_PERSON): EntitySelector(EntitySelectorConfig(domain="person")),
                vol.Required(CONF_PRESENCE, default=False): BooleanSelector(),
                vol.Required(
                    CONF_PRESENCE_RESET,
                    default=options.get(CONF_PRESENCE_RESET, DEFAULT_PRESENCE_RESET),
                ): TimeSelector(),
            }
        )
        return self.async_show_form(
            step_id="people",
            data_schema=schema,
            errors=errors,
            description_placeholders={"links": _links_text(names, people)},
        )

    def _user_names(self) -> dict[str, str]:
        """Names of the terminal's users as last read, when the terminal is loaded."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return {}
        names: dict[str, str] = self.config_entry.runtime_data.users.names()
        return names

    async def async_step_terminal_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if not _is_known_encoding(user_input[CONF_ENCODING]):
                errors[CONF_ENCODING] = "invalid_encoding"
            else:
                options = {
                    # The people links and their reset time belong to the other step.
                    **self.config_entry.options,
                    **user_input,
                    CONF_UNLOCK_SECONDS: int(user_input[CONF_UNLOCK_SECONDS]),
                    CONF_POLL_INTERVAL: int(user_input[CONF_POLL_INTERVAL]),
                }
                if not options.get(CONF_CODE):
                    options.pop(CONF_CODE, None)
                return self.async_create_entry(data=options)

        # Listing the zones reads tzdata from disk.
        zones = sorted(await self.hass.async_add_executor_job(zoneinfo.available_timezones))
        schema = vol.Schema(
            {
                vol.Required(CONF_UNLOCK_SECONDS, default=DEFAULT_UNLOCK_SECONDS): NumberSelector(
                    NumberSelectorConfig(
                        min=1, max=60, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
                    )
                ),
                vol.Optional(CONF_CODE): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.PASSWORD)
                ),
                vol.Required(CONF_ENCODING, default=DEFAULT_ENCODING): SelectSelector(
                    SelectSelectorConfig(
                        options=list(ENCODINGS),
                        custom_value=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(CONF_TIME_ZONE, default=self.hass.config.time_zone): SelectSelector(
                    SelectSelectorConfig(options=zones, mode=SelectSelectorMode.DROPDOWN)
                ),
                vol.Required(CONF_LIVE_CAPTURE, default=DEFAULT_LIVE_CAPTURE): BooleanSelector(),
                vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL): NumberSelector(
                    NumberSelectorConfig(
                        min=10,
                        max=3600,
                        step=1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="s",
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="terminal_options",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )


def _user_label(user_id: str, names: dict[str, str], people: dict[str, Any]) -> str:
    name = names.get(user_id)
    label = f"{user_id} · {name}" if name else user_id
    if user_id in people:
        label += f" → {people[user_id][CONF_PERSON]}"
    return label


def _links_text(names: dict[str, str], people: dict[str, Any]) -> str:
    """The current links, one per line, for the form's description."""
    if not people:
        # Not "-": under "Linked now:" a lone hyphen makes that line a Markdown heading.
        return "—"
    return "\n".join(
        f"- {_user_label(user_id, names, {})} → {link[CONF_PERSON]}"
        + (" (presence)" if link.get(CONF_PRESENCE) else "")
        for user_id, link in sorted(people.items())
    )
