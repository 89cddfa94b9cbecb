"""print.html, the report as one document for the PDF; and every page of the site (print page and search box
included) is valid HTML with unique ids and alt texts."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from helpers import REPO, sample_figures

from cxreport.figures import FigureSet
from cxreport.loader import load_sources
from cxreport.problems import Problems
from cxreport.render.printing import PRINT_COLUMNS, PRINT_PATH, map_parts, without_links
from cxreport.render.whole_site import render_site

EXAMPLE_READY = (REPO / "site.yml").is_file() and (REPO / "content" / "journeys").is_dir()
DAY = dt.date(2026, 3, 3)


class Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.images: list[dict] = []
        self.hrefs: list[str] = []
        self.maps: list[list[int]] = []  # per print map: the colspan of each stage head

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "img":
            self.images.append(a)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "table" and "print-map" in (a.get("class") or ""):
            self.maps.append([])
        if tag == "th" and "stage-head" in (a.get("class") or "") and self.maps:
            self.maps[-1].append(int(a["colspan"]))


def scan(html: str) -> Scan:
    s = Scan()
    s.feed(html)
    return s


def render(root, figures=None, print_date=DAY):
    problems = Problems()
    project = load_sources(root, problems)
    assert project is not None, [p.format() for p in problems]
    site = render_site(project, figures if figures is not None else sample_figures(project), problems, print_date=print_date)
    return project, site


@pytest.fixture(scope="module")
def example():
    if not EXAMPLE_READY:
        pytest.skip("the example handbook is not there")
    return render(REPO)


def test_map_parts_keep_whole_stages_within_a_page_width():
    stages = [{"id": str(i), "span": span} for i, span in enumerate([3, 3, 2, 4, 7, 1, 1])]
    parts = map_parts(stages)
    assert [[s["span"] for s in part] for part in parts] == [[3, 3], [2, 4], [7], [1, 1]]
    assert [s for part in parts for s in part] == stages  # every stage once, in order
    assert map_parts([]) == []


def test_without_links_keeps_anchors_within_the_document():
    html = (
        '<a class="fig-label" href="../metrics/nps.html">NPS</a> <a href="#sec-print-pillars">Pijlers</a> '
        '<link rel="stylesheet" href="assets/style.css"><img src="media/logo.svg" alt="">'
    )
    assert without_links(html) == (
        '<a class="fig-label">NPS</a> <a href="#sec-print-pillars">Pijlers</a> '
        '<link rel="stylesheet" href="assets/style.css"><img src="media/logo.svg" alt="">'
    )


def test_print_page_only_when_asked(make_project):
    root = make_project()
    _, site = render(root, FigureSet(), print_date=None)
    assert PRINT_PATH not in site.files and "assets/print.css" in site.files


def test_example_print_page(example):
    project, site = example
    html = site.files.files[PRINT_PATH].decode("utf-8")
    s = scan(html)
    assert '<time datetime="2026-03-03">Stand van 3 mrt. 2026</time>' in html
    assert 'href="assets/print.css"' in html
    assert all(h.startswith("#") for h in s.hrefs)  # links to other files are dropped, the contents' stay
    assert {h[1:] for h in s.hrefs} <= set(s.ids)
    for journey in project.journeys.values():
        assert f'id="sec-print-journey-{journey.id}"' in html
        assert f"tp-{next(iter(journey.touchpoints()))[1].id}" not in s.ids  # the maps carry no anchors of the site
    # Each map part is whole stages that fit the page width (a stage wider than that stands alone).
    assert len(s.maps) >= 3 * 2
    for spans in s.maps:
        assert sum(spans) <= PRINT_COLUMNS or len(spans) == 1, spans
    assert sum(len(spans) for spans in s.maps) == sum(len(j.stages) for j in project.journeys.values())
    # Every chart has its own id and container on the page.
    specs = re.findall(r'data-chart="([^"]+)"', html)
    assert len(specs) == len(set(specs)) >= 3 * 2
    for chart_id in specs:
        assert f'<div id="{chart_id}" class=' in html
    for words in ["Samenvatting", "Inhoud", "Pijlers", "Draaiboeken", "Herstelplannen", "deel 1 van"]:
        assert words in html, words


def test_every_page_is_valid_html_with_unique_ids_and_alt_texts(example):
    html5lib = pytest.importorskip("html5lib")
    _, site = example
    pages = [path for path in site.files.files if path.endswith(".html")]
    assert PRINT_PATH in pages and len(pages) >= 29
    for path in pages:
        html = site.files.files[path].decode("utf-8")
        html5lib.HTMLParser(strict=True).parse(html)  # raises on any parse error
        s = scan(html)
        assert len(s.ids) == len(set(s.ids)), (path, {i for i in s.ids if s.ids.count(i) > 1})
        for img in s.images:
            assert "alt" in img, (path, img)
        if path != PRINT_PATH:
            assert 'id="search-input"' in html and 'for="search-input"' in html, path
