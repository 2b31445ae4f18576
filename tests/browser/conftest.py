"""Browser tests: Debian's Chromium, driven by Playwright (no browser download), against the
running stack's API process, which serves the dashboard.

``CHROMIUM_PATH`` names the binary (default: ``chromium`` on the PATH, as ``make install`` puts
it). Screenshots land in ``<pytest basetemp>/screenshots/`` (printed once per session).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ApiUser, make_user
from tests.flow.conftest import services  # noqa: F401 - the stack's processes

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    """The Chromium binary the tests drive."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail("no chromium binary: `make install` installs Debian's chromium package")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)
    print(f"\nbrowser screenshots: {folder}")
    return folder


@dataclass
class Dashboard:
    """A logged-in browser page on the dashboard, recording every URL the page requested."""

    base_url: str
    user: ApiUser
    page: Any
    shots: Path
    requested: list[str] = field(default_factory=list)

    def goto(self, hash_route: str) -> None:
        """Open a view (``#/runs``) and wait until the page has loaded it."""
        self.page.goto(f"{self.base_url}/dashboard/{hash_route}")
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str) -> Path:
        """A full-page PNG under the screenshots folder, after checking the accessibility basics
        of what is shown (every visible control has a name)."""
        unnamed = unnamed_controls(self.page)
        assert not unnamed, f"{name}: controls without an accessible name: {unnamed}"
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def external_requests(self) -> list[str]:
        """Requests to anything but this server (there must be none)."""
        return [u for u in self.requested if not u.startswith((self.base_url, "data:", "blob:"))]


# Visible form controls and buttons without an accessible name: a <label>, aria-label,
# aria-labelledby, a title, or (buttons, links) their text.
_UNNAMED_CONTROLS_JS = """() => {
  const named = (el) => {
    const labels = el.labels ? [...el.labels].map((l) => l.textContent.trim()).join(" ") : "";
    const by = el.getAttribute("aria-labelledby");
    const byText = by ? by.split(" ").map((id) => document.getElementById(id)?.textContent || "")
      .join(" ") : "";
    const own = ["BUTTON", "A", "SUMMARY"].includes(el.tagName) ? el.textContent : "";
    return [labels, el.getAttribute("aria-label"), byText, el.getAttribute("title"), own]
      .some((t) => t && t.trim());
  };
  const selector = "input, select, textarea, button, a[href], canvas[tabindex], summary";
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.type !== "hidden" && el.getClientRects().length > 0 && !named(el))
    .map((el) => el.outerHTML.slice(0, 120));
}"""


def unnamed_controls(page: Any) -> list[str]:
    """The visible controls of the page that a screen reader could not name."""
    found: list[str] = page.evaluate(_UNNAMED_CONTROLS_JS)
    return found


def open_dashboard(
    browser: Any, base_url: str, user: ApiUser, shots: Path, viewport: dict[str, int]
) -> Dashboard:
    """A new browser context logged in as ``user`` through the log-in form."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    board = Dashboard(base_url, user, page, shots)
    page.on("request", lambda request: board.requested.append(request.url))
    page.goto(f"{base_url}/dashboard/")
    page.get_by_label("API token").fill(user.token)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    return board


@pytest.fixture
def dashboard(
    browser: Any,
    services: dict[str, str],  # noqa: F811 - the imported fixture
    screenshot_dir: Path,
) -> Iterator[Dashboard]:
    board = open_dashboard(
        browser, services["API_PUBLIC_URL"], make_user(), screenshot_dir, DESKTOP
    )
    try:
        yield board
    finally:
        board.page.context.close()
