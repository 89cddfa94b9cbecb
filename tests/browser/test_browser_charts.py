"""Charts as Chromium draws them: names and labels holding HTML are drawn as plain text by Plotly."""

from __future__ import annotations

import pytest
from browser_support import Watched
from markup_project import BIG, BOLD, LINK, write_markup_project

pytestmark = pytest.mark.browser

# What Plotly makes of markup in a text: a link, bold or a style on an SVG text element.
DRAWN_MARKUP = """() => Array.from(document.querySelectorAll('.js-plotly-plot svg')).flatMap(svg => [
  ...Array.from(svg.querySelectorAll('a')).map(a => 'link ' + a.getAttribute('href')),
  ...Array.from(svg.querySelectorAll('tspan[style], text[style*="bold"]'))
      .filter(e => /bold|font-size:\\s*200/.test(e.getAttribute('style') || '')).map(e => 'style ' + e.getAttribute('style')),
])"""
# Hover over the first point of every chart, so its hover label (a touchpoint's name, a variant) is drawn too.
HOVER = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(gd => window.Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: 0}]))"""
TEXTS = "() => Array.from(document.querySelectorAll('.js-plotly-plot svg text')).map(t => t.textContent)"


@pytest.fixture(scope="module")
def markup_site(tmp_path_factory):
    from cxreport.pipeline import build

    base = tmp_path_factory.mktemp("markup")
    result = build(write_markup_project(base / "project"), base / "site")
    assert result.written, [p.format() for p in result.problems]
    return base / "site"


@pytest.mark.parametrize("path", ["metrics/nps.html", "metrics/conv.html", "journeys/first-order.html", "playbooks/test.html"])
def test_markup_in_chart_text_is_drawn_as_text(browser, markup_site, path):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = Watched(context.new_page())
    page.open((markup_site / path).as_uri())
    page.page.evaluate(HOVER)
    assert page.page.evaluate(DRAWN_MARKUP) == []
    texts = "\n".join(page.page.evaluate(TEXTS))
    shown = {"metrics/nps.html": BOLD, "metrics/conv.html": BIG, "journeys/first-order.html": LINK}.get(path, LINK)
    assert shown in texts, texts  # legend entries, ticks, axis titles and hover labels read as written, tags and all
    assert page.problems == []
    context.close()
