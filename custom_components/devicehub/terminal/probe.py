"""Connects to a terminal once to check the connection data a user entered."""

import asyncio
from collections.abc import Mapping
from typing import Any

from custom_components.devicehub.zk.errors import (
    TerminalAuthFailed,
    TerminalBusy,
    TerminalCannotConnect,
    TerminalError,
)
from custom_components.devicehub.zk.models import TerminalInfo
from custom_components.devicehub.zk.terminal import AsyncTerminal

from .const import LOGGER
from .settings import terminal_config

# The client tries TCP, then UDP, each for its timeout: a terminal that accepts the
# connection but never answers would cost twice the timeout; call that a timeout sooner.
PROBE_DEADLINE_FACTOR = 1.5


class ProbeError(Exception):
    """Connecting failed; reason is the flow's error key."""

    def __init__(self, reason: str) -> None:
        """Keep the error key."""
        super().__init__(reason)
        self.reason = reason


async def async_probe_terminal(data: Mapping[str, Any]) -> TerminalInfo:
    """Connect with entry data and read the terminal's identity; raises ProbeError."""
    config = terminal_config(data)
    terminal = AsyncTerminal(config)
    try:
        async with asyncio.timeout(config.timeout * PROBE_DEADLINE_FACTOR):
            return await terminal.get_info()
    except TerminalAuthFailed as err:
        raise ProbeError("invalid_auth") from err
    except TerminalBusy as err:
        raise ProbeError("busy") from err
    except TimeoutError as err:
        raise ProbeError("timeout") from err
    except TerminalCannotConnect as err:
        raise ProbeError("cannot_connect") from err
    except TerminalError as err:
        LOGGER.debug("Terminal at %s answered unexpectedly: %s", config.host, err)
        raise ProbeError("invalid_response") from err
    except Exception as err:
        LOGGER.exception("Unexpected error probing the terminal at %s", config.host)
        raise ProbeError("unknown") from err
    finally:
        await terminal.close()
