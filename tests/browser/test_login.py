"""Log-in, log-out and the shell: the token becomes an HttpOnly session cookie, a wrong token is
refused on the form, nothing loads from outside the server, and the shell reads at both sizes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.conftest import make_user
from tests.browser.conftest import PHONE, Dashboard, open_dashboard


def test_log_in_with_the_token_then_out(dashboard: Dashboard) -> None:
    page = dashboard.page
    assert page.get_by_text(dashboard.user.email).is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["winnow_token"]
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
    dashboard.goto("#/runs")
    assert page.get_by_role("heading", name="Runs").is_visible()
    dashboard.shot("runs-empty")
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("API token").wait_for()
    assert "winnow_token" not in {c["name"] for c in page.context.cookies()}
    assert dashboard.external_requests() == []


def test_a_wrong_token_is_refused_on_the_form(
    browser: Any, services: dict, screenshot_dir: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{services['API_PUBLIC_URL']}/dashboard/")
    page.get_by_label("API token").fill("not-a-token")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    alert.get_by_text("That token is not valid.").wait_for()
    page.screenshot(path=str(screenshot_dir / "login-refused.png"))
    context.close()


def test_the_shell_is_keyboard_reachable_on_a_phone(
    browser: Any, services: dict, screenshot_dir: Path
) -> None:
    board = open_dashboard(browser, services["API_PUBLIC_URL"], make_user(), screenshot_dir, PHONE)
    page = board.page
    # Tab from the top of a fresh load (the session cookie keeps the user logged in; right
    # after the log-in click, sequential focus would start where the vanished form was).
    page.reload()
    page.get_by_role("button", name="Log out").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent"))
    assert {"Runs", "Datasets", "Workers"} <= set(focused)
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    board.shot("runs-phone")
    board.page.context.close()
