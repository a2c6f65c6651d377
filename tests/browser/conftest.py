"""Browser test fixtures: Debian's Chromium driven by Playwright, reaching only 127.0.0.1.

Playwright's Python package drives the browser Debian installs (scripts/setup installs the
`chromium` package); Playwright's own browser downloads are never used.
"""

from collections.abc import Iterator
import os
from pathlib import Path
import re
import shutil
from typing import Any

from playwright.sync_api import Page, Route, ViewportSize, sync_playwright
import pytest

from tests.mosquitto import (  # noqa: F401 - fixtures used by the tests here
    MosquittoBroker,
    mosquitto_broker,
    mosquitto_executable,
)
from tests.zksim_fixtures import zk_simulator  # noqa: F401
from tools.mqttdoor.broker import free_port

from .homeassistant import HomeAssistantProcess, running_home_assistant

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every host name but the loopback address fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
# Requests anywhere but Home Assistant on the loopback address are aborted, not sent.
NOT_LOOPBACK = re.compile(r"^(?!(http|ws)://127\.0\.0\.1[:/])[a-z]+://")
VIEWPORT = ViewportSize(width=1280, height=800)
TIMEOUT_MS = 30_000
# Home Assistant's first start installs its own requirements; on a busy machine (two cores
# shared) that can take minutes.
HASS_START_TIMEOUT = 240.0
# Set to a folder (docs/screenshots) to refresh the README's pictures from a run.
SCREENSHOTS_ENV = "DEVICEHUB_SCREENSHOTS"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; missing: fail when CI=true (scripts/setup installs it), else skip."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        msg = "chromium is not installed (apt-get install chromium; scripts/setup does it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return executable


def _abort(route: Route) -> None:
    route.abort("blockedbyclient")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, for fixtures that report on failures."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def failed(request: pytest.FixtureRequest) -> bool:
    """Whether the test body of this request failed."""
    report = request.node.stash.get(REPORTS, {}).get("call")
    return bool(report is not None and report.failed)


@pytest.fixture
def page(
    request: pytest.FixtureRequest, chromium_executable: str, tmp_path: Path
) -> Iterator[Page]:
    """A page in a fresh, empty Chromium profile; the browser is closed at teardown.

    When the test fails, the page as it was is saved as failure.png in its tmp_path.
    """
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium_executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport=VIEWPORT,
            locale="en-GB",
            timezone_id="UTC",
            color_scheme="light",
            reduced_motion="reduce",
        )
        try:
            context.route(NOT_LOOPBACK, _abort)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.pages[0] if context.pages else context.new_page()
            yield page
            if failed(request):
                page.screenshot(path=tmp_path / "failure.png")
                print(f"The page at the failure: {page.url}, {tmp_path / 'failure.png'}")
        finally:
            context.close()


class Screenshots:
    """PNG screenshots of the page; also copied to $DEVICEHUB_SCREENSHOTS when set."""

    def __init__(self, page: Page, directory: Path, publish_to: Path | None) -> None:
        self._page = page
        self.directory = directory
        self._publish_to = publish_to
        self.taken: list[str] = []

    def take(self, name: str) -> Path:
        """Save the page as <name>.png and check that a PNG was written."""
        path = self.directory / f"{name}.png"
        self._page.screenshot(path=path, animations="disabled", caret="hide")
        assert path.read_bytes().startswith(PNG_SIGNATURE), f"{path} is not a PNG"
        self.taken.append(name)
        if self._publish_to is not None:
            self._publish_to.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, self._publish_to / path.name)
        return path


@pytest.fixture
def screenshots(page: Page, tmp_path: Path) -> Screenshots:
    """Screenshots of this test's page, kept in its temporary folder."""
    directory = tmp_path / "screenshots"
    directory.mkdir()
    publish = os.environ.get(SCREENSHOTS_ENV)
    return Screenshots(page, directory, Path(publish).resolve() if publish else None)


@pytest.fixture
def hass_server(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    mosquitto_broker: MosquittoBroker,  # noqa: F811 - the fixture imported above
) -> Iterator[HomeAssistantProcess]:
    """Home Assistant on a free loopback port, connected to the test broker.

    When the test fails, Home Assistant's last output is printed.
    """
    with running_home_assistant(
        tmp_path / "config",
        http_port=free_port(),
        mqtt_port=mosquitto_broker.port,
        start_timeout=HASS_START_TIMEOUT,
    ) as hass:
        yield hass
        if failed(request):
            print(f"Home Assistant's last output:\n{hass.output_tail()}")
