"""Names of a terminal's users, cached so a punch does not cost a full user list transfer."""

from time import monotonic

from ..zk.async_terminal import AsyncTerminal
from ..zk.errors import TerminalError
from ..zk.models import User
from .const import LOGGER, USER_REFRESH_COOLDOWN


class UserDirectory:
    """user_id -> name, refreshed when an unknown user punches (at most once a minute)."""

    def __init__(self, terminal: AsyncTerminal) -> None:
        """Start empty; names load on the first refresh."""
        self._terminal = terminal
        self._names: dict[str, str] = {}
        self._user_ids: dict[int, str] = {}  # uid (the terminal's serial) -> user_id
        self._refreshed_at: float | None = None

    def __len__(self) -> int:
        """How many users are known."""
        return len(self._names)

    def name(self, user_id: str) -> str | None:
        """The cached name of a user, without asking the terminal."""
        return self._names.get(user_id)

    def user_id(self, uid: int) -> str | None:
        """The user_id (PIN) of the user with this internal serial number, if known."""
        return self._user_ids.get(uid)

    def names(self) -> dict[str, str]:
        """Every cached user_id and name."""
        return dict(self._names)

    def update(self, users: list[User]) -> None:
        """Replace the cache with a fresh user list."""
        # Terminals store an empty name for users enrolled by PIN only.
        self._names = {user.user_id: user.name for user in users if user.name}
        self._user_ids = {user.uid: user.user_id for user in users}
        self._refreshed_at = monotonic()

    async def async_refresh(self) -> None:
        """Read the user list from the terminal."""
        self.update(await self._terminal.get_users())

    async def async_resolve(self, user_id: str) -> str | None:
        """The name of a user, refreshing the cache first if the user is unknown.

        A failed refresh leaves the name unknown: a punch is delivered without a name rather
        than not at all.
        """
        if user_id in self._names or not self._may_refresh():
            return self._names.get(user_id)
        try:
            await self.async_refresh()
        except TerminalError as err:
            # Remember the attempt, so a dead link is not asked again for every punch.
            self._refreshed_at = monotonic()
            LOGGER.debug("Could not refresh the user list: %s", err)
        return self._names.get(user_id)

    def _may_refresh(self) -> bool:
        return (
            self._refreshed_at is None
            or monotonic() - self._refreshed_at >= USER_REFRESH_COOLDOWN.total_seconds()
        )
