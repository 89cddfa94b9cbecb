"""Every page of the site is reached from the home page by clicking links."""

from __future__ import annotations

import posixpath

import pytest
from browser_support import html_pages

pytestmark = pytest.mark.browser


def test_every_page_is_reached_from_home_by_clicks(watched, site, server):
    page = watched.page
    # Charts are not what this test is about: an empty Plotly keeps the page loads quick (charts.js then draws
    # nothing, quietly).
    page.route("**/plotly.min.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    pages = set(html_pages(site))

    def here() -> str:
        return posixpath.normpath(page.url.split("#")[0].removeprefix(server))

    def unreached_link() -> str | None:
        """Give the href of a visible link on this page to a page not reached yet."""
        for raw, absolute in page.eval_on_selector_all(
            "a[href]", "els => els.filter(a => a.checkVisibility()).map(a => [a.getAttribute('href'), a.href])"
        ):
            target = absolute.split("#")[0]
            if (
                target.startswith(server)
                and target.endswith(".html")
                and posixpath.normpath(target.removeprefix(server)) not in reached
            ):
                return raw
        return None

    # Depth first: follow a link to a new page from where we are; back up the trail when a page has none left.
    page.goto(server + "index.html", wait_until="domcontentloaded")
    reached = {here()}
    trail = [here()]
    clicks = 0
    while trail:
        if here() != trail[-1]:
            page.goto(server + trail[-1], wait_until="domcontentloaded")  # a page reached earlier by a click
        raw = unreached_link()
        if raw is None:
            trail.pop()
            continue
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator(f'a[href="{raw}"]').filter(visible=True).first.click()
        clicks += 1
        reached.add(here())
        trail.append(here())
    assert reached == pages
    assert clicks == len(pages) - 1
    assert [p for p in watched.problems if "ERR_ABORTED" not in p] == []  # leaving a page mid-load aborts its requests
