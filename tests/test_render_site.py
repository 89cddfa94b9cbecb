"""The site rendered from the example handbook and from small projects: every page kind, labels, links, ids."""
from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import REPO, sample_figures

from cxreport.figures import FigureSet
from cxreport.loader import load_sources
from cxreport.problems import Problems
from cxreport.render import render_site
from cxreport.render.site import relative_url

EXAMPLE_READY = (REPO / "site.yml").is_file() and (REPO / "content" / "journeys").is_dir()


class PageScan(HTMLParser):
    """Collects what the checks need from one page: ids, links, images, scripts, chart specs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[str] = []
        self.images: list[dict] = []
        self.scripts: list[str] = []
        self.chart_json: list[str] = []
        self._in_chart = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "link" and "href" in a:
            self.links.append(a["href"])
        if tag == "img":
            self.images.append(a)
            self.links.append(a.get("src", ""))
        if tag == "script":
            if "src" in a:
                self.scripts.append(a["src"])
            self._in_chart = a.get("type") == "application/json"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_chart = False

    def handle_data(self, data):
        if self._in_chart:
            self.chart_json.append(data)
        else:
            self.text.append(data)


def scan(html: str) -> PageScan:
    p = PageScan()
    p.feed(html)
    return p


def render(root: Path, figures: FigureSet | None = None):
    problems = Problems()
    project = load_sources(root, problems)
    assert project is not None, [p.format() for p in problems]
    site = render_site(project, figures if figures is not None else sample_figures(project), problems)
    return site, problems


def html_of(site, path: str) -> str:
    data = site.files.files[path]
    assert isinstance(data, bytes), path
    return data.decode("utf-8")


@pytest.fixture(scope="module")
def example():
    if not EXAMPLE_READY:
        pytest.skip("the example handbook (site.yml + content/) is not there yet")
    return render(REPO)


# --- the example handbook ----------------------------------------------------------------------

def test_example_renders_every_page_kind(example):
    site, problems = example
    assert not problems.errors
    kinds = {p.kind for p in site.pages}
    assert kinds == {"home", "journeys", "journey", "personas", "persona", "pillars", "playbooks", "playbook", "chapter",
                     "metrics", "metric", "metric-table"}  # the sample figures fill a breakdown of more than PAGE_ROWS
    templates = {p.template for p in site.pages}
    assert {"surprise.html", "recovery.html", "story.html", "experiment.html", "chapter.html"} <= templates
    paths = [p.path for p in site.pages]
    assert len(paths) == len(set(paths))
    for page in site.pages:
        assert page.path in site.files


def test_example_pages_are_valid_html_with_unique_ids_and_alt_texts(example):
    html5lib = pytest.importorskip("html5lib")
    site, _ = example
    for page in site.pages:
        html = html_of(site, page.path)
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(html)  # raises on any parse error
        s = scan(html)
        dupes = {i for i in s.ids if s.ids.count(i) > 1}
        assert not dupes, (page.path, dupes)
        for img in s.images:
            assert "alt" in img, (page.path, img)


def test_every_touchpoint_has_an_anchor_on_its_journey_page(example):
    site, _ = example
    problems = Problems()
    project = load_sources(REPO, problems)
    for journey in project.journeys.values():
        ids = scan(html_of(site, f"journeys/{journey.id}.html")).ids
        for _, tp in journey.touchpoints():
            assert f"tp-{tp.id}" in ids
        for stage in journey.stages:
            assert f"stage-{stage.stage}" in ids


def test_example_is_in_dutch(example):
    site, _ = example
    journey = html_of(site, "journeys/eerste-bestelling.html")
    for word in ["Aandacht", "Interesse", "Verlangen", "Actie", "Tevredenheid", "Contactmoment", "Pijnpunten"]:
        assert word in journey
    pillars = html_of(site, "pillars.html")
    for word in ["Betrouwbaarheid", "Beschikbaarheid", "Persoonlijke aandacht", "Inspelen op de situatie"]:
        assert word in pillars
    assert 'lang="nl"' in journey
    assert "Bewustwording" in html_of(site, "journeys/retour.html")  # the funnel model's stages too


def test_example_charts_only_where_drawn_and_plotly_once(example):
    site, _ = example
    plotly = [p for p in site.files.files if p.endswith("plotly.min.js")]
    assert plotly == ["assets/plotly.min.js"]
    for page in site.pages:
        s = scan(html_of(site, page.path))
        loads = [src for src in s.scripts if src.endswith("plotly.min.js")]
        assert len(loads) == (1 if page.charts else 0), page.path
        assert len(s.chart_json) == len(page.charts)
        for spec in s.chart_json:
            fig = json.loads(spec)
            assert set(fig) == {"data", "layout", "config"}
            assert "template" not in fig["layout"]


def test_example_links_resolve(example):
    site, _ = example
    for page in site.pages:
        s = scan(html_of(site, page.path))
        for link in s.links + s.scripts:
            if link.startswith(("http:", "https:", "mailto:", "tel:")):
                continue
            target, _, fragment = link.partition("#")
            assert not target.startswith("/"), (page.path, link)
            if not target:
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), target))
            assert resolved in site.files, (page.path, link, resolved)
            if fragment and resolved.endswith(".html"):
                assert fragment in scan(html_of(site, resolved)).ids, (page.path, link)


def test_journey_page_shows_figures_playbooks_evidence_and_compare(example):
    site, _ = example
    current = html_of(site, "journeys/eerste-bestelling.html")
    assert "contactmomenten rusten op onderzoek" in current
    assert 'id="chart-emotion"' in current and 'id="chart-nps"' in current
    assert "Als een pakket te laat komt" in current  # a recovery plan at its touchpoint
    assert 'class="fig status-' in current  # figures beside stages and touchpoints
    future = html_of(site, "journeys/eerste-bestelling-2026.html")
    assert 'id="sec-compare"' in future and 'id="chart-compare"' in future
    assert "Wat er verandert" in future


def test_playbook_pages(example):
    site, _ = example
    board = html_of(site, "playbooks/index.html")
    for status in ["Idee", "Gepland", "Loopt", "Gestopt"]:
        assert status in board
    experiment = html_of(site, "playbooks/maathulp-productpagina.html")
    assert "Geen duidelijk verschil" in experiment and 'id="chart-intervals"' in experiment
    assert "95%-interval" in experiment
    story = html_of(site, "playbooks/de-zoekgeraakte-regenjas.html")
    assert 'id="chart-story"' in story


def test_metric_pages_offer_downloads(example):
    site, _ = example
    page = html_of(site, "metrics/nps-webshop.html")
    assert 'href="nps-webshop.csv"' in page and 'href="../data/figures.json"' in page
    csv = site.files.files["metrics/nps-webshop.csv"]
    assert csv.startswith("\ufeffmetric;type;period".encode())  # Dutch: semicolons for Excel
    assert json.loads(site.files.files["data/figures.json"])["figures"]


# --- small projects ------------------------------------------------------------------------------

def test_english_site_labels_and_numbers(make_project):
    root = make_project({"site.yml": "title: T\nlanguage: en\nmetrics:\n  - {id: nps, file: m.csv, type: nps}\n",
                         "content/m.csv": "date,score\n2026-01-01,9\n"})
    site, _ = render(root)
    journey = html_of(site, "journeys/first-order.html")
    assert "Attention" in journey and "Action" in journey and "Touchpoint" in journey
    assert 'lang="en"' in journey
    assert re.search(r"\d\.\d", html_of(site, "metrics/nps.html"))


def test_stage_without_touchpoints_keeps_a_column(make_project):
    root = make_project({"content/journeys/first-order.yml": """\
        title: First order
        persona: parent
        stages:
          - stage: attention
          - stage: action
            touchpoints:
              - {id: checkout, name: Checkout, feeling: 1}
        """})
    site, _ = render(root, FigureSet())
    html = html_of(site, "journeys/first-order.html")
    assert 'id="stage-attention"' in html and "tp-empty" in html
    assert html.count('<col class="tp-col">') == 2


def test_no_figures_renders_without_charts_of_figures(make_project):
    root = make_project()
    site, problems = render(root, FigureSet())
    assert not problems.errors
    home = html_of(site, "index.html")
    assert "Geen" not in home  # English site
    assert "No figures yet" in home


def test_project_theme_overrides_a_template_and_a_static_file(make_project):
    root = make_project({
        "site.yml": "title: T\ntheme: house\n",
        "themes/house/templates/home.html": '{% extends "base.html" %}{% block content %}<h1>House {{ site.title }}</h1>{% endblock %}',
        "themes/house/static/style.css": "body { color: red; }",
        "themes/house/i18n/en.json": '{"nav.home": "Start"}',
    })
    site, _ = render(root, FigureSet())
    assert "<h1>House T</h1>" in html_of(site, "index.html")
    assert site.files.files["assets/style.css"] == root / "themes/house/static/style.css"
    assert "Start" in html_of(site, "journeys/first-order.html")
    assert "assets/charts.js" in site.files  # the rest still comes from the built-in theme


def test_brand_logo_colour_and_footer(make_project):
    root = make_project({
        "site.yml": "title: T\nbrand: {logo: assets/logo.svg, primary_color: '#123456', footer: 'Team CX & co'}\n",
        "content/assets/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    })
    site, _ = render(root, FigureSet())
    html = html_of(site, "journeys/first-order.html")
    assert "--primary: #123456" in html
    assert 'src="../media/logo.svg"' in html
    assert "Team CX &amp; co" in html
    assert "media/logo.svg" in site.files


def test_links_between_content_files_become_page_links(make_project):
    root = make_project({
        "content/pages/a.md": "---\ntitle: A\n---\nSee [B](b.md#x), [map](../journeys/first-order.yml) and ![p](../assets/p.png).\n"
                              "And [gone](nowhere.md).\n",
        "content/pages/b.md": "---\ntitle: B\n---\n## X\n",
        "content/assets/p.png": b"\x89PNG",
    })
    site, problems = render(root, FigureSet())
    html = html_of(site, "pages/a.html")
    assert 'href="b.html#x"' in html and 'href="../journeys/first-order.html"' in html
    assert 'src="../media/p.png"' in html
    warnings = [(p.path, p.line, p.message) for p in problems.warnings]
    assert ("content/pages/a.md", 5, "link 'nowhere.md' leads to no page or file of the site") in warnings


def test_relative_url():
    assert relative_url("index.html", "journeys/a.html") == "journeys/a.html"
    assert relative_url("journeys/a.html", "index.html") == "../index.html"
    assert relative_url("journeys/a.html", "journeys/b.html#tp-x") == "b.html#tp-x"
    assert relative_url("journeys/a.html", "assets/style.css") == "../assets/style.css"


def test_pillars_page_of_a_large_handbook_keeps_to_a_row_per_journey_and_short_lists(monkeypatch):
    import cxreport.render.site as site_module

    full = html_of(render(REPO)[0], "pillars.html")
    monkeypatch.setattr(site_module, "PILLAR_MATRIX_JOURNEYS", 1)
    monkeypatch.setattr(site_module, "PILLAR_LIST_LIMIT", 1)
    site, _ = render(REPO)
    html = html_of(site, "pillars.html")
    assert len(html) < len(full)
    assert 'class="journey-row"' not in html and 'class="journey-row"' in full
    assert "Per klantreis het aantal contactmomenten per pijler." in html
    # one row per journey: its title links to the journey, its cells are the totals of the full matrix
    project = load_sources(REPO, Problems())
    for journey in project.journeys.values():
        assert f'<th scope="row"><a href="journeys/{journey.id}.html">{journey.title}</a></th>' in html
    assert re.search(r"En nog \d+: die staan op de kaart van elke klantreis\.", html)
    lists = re.findall(r'<h3>(Gaten|Contactmomenten)</h3>\s*<ul class="plain-list">(.*?)</ul>', html, re.DOTALL)
    assert lists and all(items.count("<li>") == 1 for _, items in lists)
    full_lists = re.findall(r'<h3>(Gaten|Contactmomenten)</h3>\s*<ul class="plain-list">(.*?)</ul>', full, re.DOTALL)
    assert max(items.count("<li>") for _, items in full_lists) > 1
