"""The Galleries page of a real completed run: corrupt files with their reasons, duplicates
beside their originals, removed samples beside their nearest selected one, thumbnails loaded
from this server, histograms drawn on canvas; readable at 1280x800 and 390x844."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import make_user
from tests.browser.conftest import DESKTOP, PHONE, Dashboard, open_dashboard
from tests.flow.conftest import s3  # noqa: F401 - the stack's S3 client
from tests.flow.galleries_run import GalleriesRun, completed_run


@pytest.fixture
def run(services: dict[str, str], s3: Any) -> GalleriesRun:  # noqa: F811
    return completed_run(services, s3)


def _open(browser: Any, run: GalleriesRun, shots: Path, viewport: dict[str, int]) -> Dashboard:
    board = open_dashboard(browser, run.api.url, run.api.user, shots, viewport)
    board.goto(f"#/runs/{run.run_id}/galleries")
    board.page.get_by_role("heading", name="Metadata histograms").wait_for()
    return board


def _wait_for_images(board: Dashboard) -> None:
    """Scroll through the page (thumbnails load lazily) until every image has settled."""
    page = board.page
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height + 800, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
    page.wait_for_function(
        "[...document.querySelectorAll('.thumb img')].every((i) => i.complete)", timeout=15000
    )
    page.evaluate("window.scrollTo(0, 0)")


def _loaded(board: Dashboard, section: str) -> dict[str, int]:
    """File name -> naturalWidth of the thumbnails in a section."""
    result: dict[str, int] = board.page.evaluate(
        """(id) => Object.fromEntries([...document.getElementById(id).closest('section')
             .querySelectorAll('.thumb img')].map((i) => [i.alt, i.naturalWidth]))""",
        section,
    )
    return result


def test_the_galleries_of_a_run(browser: Any, run: GalleriesRun, screenshot_dir: Path) -> None:
    board = _open(browser, run, screenshot_dir, DESKTOP)
    page = board.page
    _wait_for_images(board)

    corrupt = page.locator("#g-corrupt").locator("xpath=..").locator("figure")
    assert corrupt.count() == 2
    captions = {
        f.locator(".fname").inner_text(): f.locator(".reason").inner_text() for f in corrupt.all()
    }
    assert set(captions) == run.images.corrupt and all(captions.values())

    pairs = page.locator("#g-duplicates").locator("xpath=..").locator("li.pair")
    shown = {tuple(p.locator(".fname").all_inner_texts()) for p in pairs.all()}
    assert shown == {
        ("z_copies/img_00_copy.jpg", "a/img_00.jpg"),
        ("z_copies/img_03_copy.png", "a/img_03.png"),
    }
    assert all(width > 0 for width in _loaded(board, "g-duplicates").values())

    nearest = page.locator("#g-pairs").locator("xpath=..").locator("li.pair")
    assert nearest.count() == 4
    assert all(t.startswith("d = ") for t in nearest.locator(".pair-arrow").all_inner_texts())
    pair_widths = _loaded(board, "g-pairs")
    assert pair_widths and all(width > 0 for width in pair_widths.values())

    canvases = page.locator("canvas[data-hist]")
    assert canvases.count() >= 3
    sharpness = page.locator('canvas[data-hist="lightly.sharpness"]')
    assert "8 samples" in (sharpness.get_attribute("aria-label") or "")
    # Something was drawn: the canvas has non-blank pixels.
    painted = sharpness.evaluate(
        """(c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data
                 .some((v, i) => i % 4 === 3 && v > 0)"""
    )
    assert painted

    page.get_by_role("link", name="Back to the run").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    board.shot("galleries-desktop")
    assert board.external_requests() == []
    page.context.close()


def test_the_galleries_on_a_phone_and_for_a_stranger(
    browser: Any, run: GalleriesRun, screenshot_dir: Path
) -> None:
    board = _open(browser, run, screenshot_dir, PHONE)
    _wait_for_images(board)
    assert board.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    board.shot("galleries-phone")
    assert board.external_requests() == []
    board.page.context.close()

    stranger = open_dashboard(browser, run.api.url, make_user(), screenshot_dir, DESKTOP)
    stranger.goto(f"#/runs/{run.run_id}/galleries")
    stranger.page.get_by_role("alert").get_by_text("404").wait_for()
    stranger.page.context.close()
