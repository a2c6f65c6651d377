"""Connects to a terminal once to check the connection data a user entered."""

from collections.abc import Mapping
from typing import Any

from ..zk.async_terminal import AsyncTerminal
from ..zk.errors import (
    TerminalAuthFailed,
    TerminalBusy,
    TerminalCannotConnect,
    TerminalError,
    TerminalIdentityUnknown,
    TerminalTimeout,
)
from ..zk.models import TerminalInfo
from .const import LOGGER
from .settings import terminal_config


class ProbeError(Exception):
    """Connecting failed; reason is the flow's error key."""

    def __init__(self, reason: str) -> None:
        """Keep the error key."""
        super().__init__(reason)
        self.reason = reason


async def async_probe_terminal(data: Mapping[str, Any]) -> TerminalInfo:
    """Connect with entry data and read the terminal's identity; raises ProbeError.

    No deadline of its own: every socket operation of the client is bounded by the
    configured timeout, and the client tells a terminal that stayed silent on every
    transport (TerminalTimeout) from one that refused or could not be reached. A deadline
    here would race the client's TCP-to-UDP fallback, and could not stop the worker anyway.
    """
    config = terminal_config(data)
    terminal = AsyncTerminal(config)
    try:
        return await terminal.get_info()
    except TerminalAuthFailed as err:
        raise ProbeError("invalid_auth") from err
    except TerminalBusy as err:
        raise ProbeError("busy") from err
    except TerminalTimeout as err:
        raise ProbeError("timeout") from err
    except TerminalIdentityUnknown as err:
        raise ProbeError("no_identity") from err
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
