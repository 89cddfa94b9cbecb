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


def ten_touchpoints() -> dict[str, str]:
    """Give a project with one journey of ten touchpoints, two per stage, each with a line or two in four lanes."""
    journey = "title: Ten touchpoints\npersona: parent\nstages:\n"
    for i, stage in enumerate(("attention", "interest", "desire", "action", "satisfaction")):
        journey += f"  - stage: {stage}\n    touchpoints:\n"
        for k in (2 * i, 2 * i + 1):
            journey += (
                f"      - id: tp{k}\n        name: Touchpoint {k}\n        channel: web\n        feeling: {k % 5 - 2}\n"
                "        doing:\n          - Looks at the page and reads the first lines\n"
                "        thinking:\n          - Is this the right size for my child?\n"
                "        pain_points:\n          - The sizes are hard to compare\n          - Shipping costs show late\n"
                "        opportunities:\n          - Show a size helper next to the table\n"
            )
    return {
        "site.yml": "title: Ten\nlanguage: en\n",
        "content/personas/parent.yml": "name: Parent\n",
        "content/journeys/ten.yml": journey,
    }


@pytest.fixture(scope="module")
def ten_site(tmp_path_factory) -> Path:
    from helpers import write_project

    from cxreport.pipeline import build

    base = tmp_path_factory.mktemp("ten")
    result = build(write_project(base / "project", ten_touchpoints()), base / "site")
    assert result.written, [p.format() for p in result.problems]
    return base / "site"


# The touchpoint columns wholly inside the map's box as it is scrolled now.
VISIBLE = """() => { const box = document.querySelector('.map-scroll').getBoundingClientRect();
  return Array.from(document.querySelectorAll('.tp-head')).filter(h => {
    const r = h.getBoundingClientRect(); return r.left >= box.left - 1 && r.right <= box.right + 1; }).length; }"""


@pytest.mark.parametrize("width, height, visible", [(1440, 900, 5), (1920, 1080, 7)])
def test_the_map_uses_the_width_of_the_screen(browser, ten_site, width, height, visible):
    # before: 3 of 10 touchpoints at 1440 px and 4 at 1920 px, the content capped at 96rem beside a 16rem menu
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto((ten_site / "journeys/ten.html").as_uri())
    wait_for_charts(page)
    assert page.evaluate(VISIBLE) == visible
    assert page.evaluate(DOCUMENT_WIDTH) <= width
    context.close()


def test_the_compact_view_fits_a_whole_journey_on_a_laptop_and_is_remembered(browser, ten_site):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto((ten_site / "journeys/ten.html").as_uri())
    wait_for_charts(page)
    toggle = page.get_by_role("button", name="Compact view")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    box = page.locator(".map-scroll")
    assert page.evaluate(VISIBLE) == 10  # every touchpoint, without scrolling sideways
    page.wait_for_function("() => { const el = document.querySelector('.map-scroll'); return el.scrollWidth <= el.clientWidth; }")
    assert box.evaluate("el => el.querySelector('table.map').getBoundingClientRect().height") < 900  # and top to bottom
    # the emotion curve is drawn again across the narrower columns: its last point over the last column
    page.wait_for_function(
        "() => { const cell = document.querySelector('.emotion-cell'), svg = cell.querySelector('svg.main-svg');"
        " return svg && Math.abs(svg.getBoundingClientRect().width - cell.clientWidth) <= 2; }"
    )
    last_point = page.evaluate(
        "() => Array.from(document.querySelectorAll('.emotion-cell .point')).pop().getBoundingClientRect()"
    )
    last_column = page.locator("#tp-tp9").bounding_box()
    assert last_column["x"] <= last_point["x"] <= last_column["x"] + last_column["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#sec-map").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "journey-1440x900-compact.png"))
    page.reload()  # the choice is kept in this browser
    wait_for_charts(page)
    assert page.get_by_role("button", name="Compact view").get_attribute("aria-pressed") == "true"
    assert page.evaluate(VISIBLE) == 10
    context.close()


def test_lane_heads_and_touchpoint_names_stay_in_view_while_the_map_scrolls(browser, disk):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(disk + JOURNEY)
    wait_for_charts(page)
    box = page.locator(".map-scroll")
    box.scroll_into_view_if_needed()
    top, left = box.evaluate("el => [el.getBoundingClientRect().top, el.getBoundingClientRect().left]")
    box.evaluate("el => { el.scrollLeft = 600; el.scrollTop = 300; }")
    assert box.evaluate("el => [el.scrollLeft, el.scrollTop]") == [600, 300]  # it scrolls both ways inside its box
    lane = page.locator("tr.lane-doing .lane-head").bounding_box()
    assert abs(lane["x"] - left) <= 1.5  # the lane's name stays at the left edge
    name = page.locator("#tp-maattabel").bounding_box()
    assert abs(name["y"] - top) <= 1.5  # the touchpoint row stays at the top
    context.close()
