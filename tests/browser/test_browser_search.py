"""Search in a real browser: Dutch words in any case and with stray accents find a touchpoint, by keyboard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

JOURNEY = "journeys/eerste-bestelling.html"


def results(page) -> dict[str, list[str]]:
    """Give the shown results: per group heading, the hrefs of its links."""
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('#search-results ul.search-group'))
        .map(ul => [document.getElementById(ul.getAttribute('aria-labelledby')).textContent,
                    Array.from(ul.querySelectorAll('a')).map(a => a.getAttribute('href'))]))""")


def type_query(page, query: str) -> None:
    page.locator("#search-input").click()
    page.keyboard.type(query, delay=15)  # as a person types: the results follow each key
    page.wait_for_selector("#search-results a.search-hit")


@pytest.mark.parametrize(
    "base, query, touchpoint", [("file", "MAATTABÉL", "maattabel"), ("http", "bezorgïng", "bezorging")], indirect=["base"]
)
def test_search_finds_a_touchpoint_and_the_link_lands_on_it(watched, base, query, touchpoint):
    page = watched.page
    watched.open(base + "index.html")
    box = page.get_by_role("searchbox", name="Zoeken in het handboek")
    assert box.is_visible()
    type_query(page, query)
    target = f"{JOURNEY}#tp-{touchpoint}"
    shown = results(page)
    assert target in shown["Contactmomenten"], shown
    # Keyboard only: down the results until the touchpoint's link has focus, then Enter.
    page.keyboard.press("ArrowDown")
    for _ in range(20):
        if page.evaluate("document.activeElement.getAttribute('href')") == target:
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == target
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base + target
    landed = page.locator(f"#tp-{touchpoint}")
    landed.wait_for(state="visible")
    box_ = landed.bounding_box()
    viewport = page.viewport_size
    assert box_["x"] >= 0 and box_["x"] + box_["width"] <= viewport["width"], box_  # scrolled into the map's view
    assert 0 <= box_["y"] < viewport["height"], box_
    assert page.evaluate(f"document.querySelector('#tp-{touchpoint}').matches(':target')")
    assert watched.problems == []


def test_search_groups_results_by_kind_and_keys_move_through_them(watched, disk):
    page = watched.page
    watched.open(disk + "personas/drukke-ouder.html")  # a page one folder down: links stay relative
    type_query(page, "maatt")  # the start of a word is enough
    shown = results(page)
    assert next(iter(shown)) == "Contactmomenten"  # the best match's group first
    assert {"Contactmomenten", "Klantreizen"} <= set(shown)
    assert all(href.startswith("../") for hrefs in shown.values() for href in hrefs)
    assert "resultaten" in page.locator("#search-status").text_content()
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.press("Escape")
    assert page.locator("#search-results").is_hidden()
    page.keyboard.press("Escape")
    assert page.locator("#search-input").input_value() == ""
    page.locator("main h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert watched.problems == []


def test_enter_opens_the_best_result_and_nothing_found_says_so(watched, disk):
    page = watched.page
    watched.open(disk + "pillars.html")
    type_query(page, "track en trace")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("#tp-track-en-trace") and "/journeys/eerste-bestelling" in page.url
    page.locator("#search-input").fill("qqqzzz")
    page.wait_for_selector("#search-results .search-none")
    assert "Niets gevonden voor ‘qqqzzz’" in page.locator("#search-results").text_content()
    assert watched.problems == []
