"""Layout in a real browser: a journey page on a desktop and on a phone (screenshots kept as test artifacts);
the map scrolls sideways inside its box instead of squeezing its text or widening the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import ARTIFACTS, html_pages, wait_for_charts

pytestmark = pytest.mark.browser

JOURNEY = "journeys/eerste-bestelling.html"
DOCUMENT_WIDTH = "document.documentElement.scrollWidth"


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)])
def test_journey_page_screenshot_and_map_scrolls_inside_its_box(browser, disk, width, height):
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1, is_mobile=width < 600, has_touch=width < 600
    )
    page = context.new_page()
    page.goto(disk + JOURNEY)
    wait_for_charts(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{width}x{height}.png"), full_page=False)
    assert page.evaluate(DOCUMENT_WIDTH) <= width  # the page itself never scrolls sideways
    assert page.evaluate("window.innerWidth") == width
    box = page.locator(".map-scroll")
    scroll_width, client_width = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll_width > client_width  # the map is wider than its box ...
    column = page.locator("#tp-maattabel").bounding_box()["width"]
    assert column >= 190  # ... because its columns keep their width (13-15rem), text is not squeezed
    box.evaluate("el => { el.scrollLeft = 400; }")
    assert box.evaluate("el => el.scrollLeft") == 400  # and it scrolls
    if width < 600:
        assert page.locator(".scroll-hint").is_visible()
        assert page.get_by_role("searchbox").is_visible()
        box.evaluate("el => { el.scrollLeft = 0; }")
        page.locator("#sec-map").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"journey-{width}x{height}-map.png"))
    context.close()


def wider_than_a_phone(browser, site: Path, paths: list[str]) -> dict[str, int]:
    """Give the pages of a built site that are wider than a phone's screen, with their width."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route("**/plotly.min.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    wide = {}
    for path in paths:
        page.goto((site / path).as_uri(), wait_until="load")
        if page.evaluate(DOCUMENT_WIDTH) > 390:
            wide[path] = page.evaluate(DOCUMENT_WIDTH)
    context.close()
    return wide


def test_no_page_is_wider_than_a_phone(browser, site):
    assert wider_than_a_phone(browser, site, html_pages(site)) == {}


def test_no_page_of_a_long_list_is_wider_than_a_phone(browser, many_site):
    paths = [
        p for p in html_pages(many_site) if "/page/" in p or p.endswith("index.html") or p in ("pillars.html", "chapters.html")
    ]
    assert wider_than_a_phone(browser, many_site, paths) == {}
