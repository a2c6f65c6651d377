"""The schema library, imported one way everywhere in devicehub.

Home Assistant 2026.x types its schemas with probatio and keeps `voluptuous` as a run-time
shim of it (older versions ship voluptuous itself): type checkers see probatio, the running
code imports whichever Home Assistant provides under the voluptuous name.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import probatio as vol
else:
    import voluptuous as vol

__all__ = ["vol"]
