"""The site in a real browser: pages load without errors from disk and over http, and every chart draws."""

from __future__ import annotations

import pytest
from browser_support import html_pages, journey_pages, undrawn_charts

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("base", ["http"], indirect=True)  # from disk: the next test, over every page with charts
def test_home_and_every_journey_load_cleanly_with_their_charts(watched, site, base):
    pages = ["index.html"] + journey_pages(site)
    assert len(pages) == 4
    for path in pages:
        watched.open(base + path)
        assert watched.page.locator("main h1").first.is_visible(), path
        assert undrawn_charts(watched.page) == [], path
        assert watched.page.locator(".chart svg.main-svg").count() >= 1, path
    assert watched.problems == []


def test_every_page_with_charts_loads_cleanly_and_draws_them_opened_from_disk(watched, site, disk):
    with_charts = [p for p in html_pages(site) if b"data-chart=" in (site / p).read_bytes()]
    assert {"index.html", *journey_pages(site)} <= set(with_charts)
    assert len(with_charts) >= 12  # home, journeys, personas, stories, experiments, metrics
    for path in with_charts:
        watched.open(disk + path)
        assert undrawn_charts(watched.page) == [], path
    assert watched.problems == []


def test_pages_without_charts_load_no_chart_scripts(watched, site, disk):
    without = [p for p in html_pages(site) if b"data-chart=" not in (site / p).read_bytes()]
    assert without
    for path in without:
        watched.open(disk + path)
        assert watched.page.evaluate("typeof window.Plotly") == "undefined", path
    assert watched.problems == []
