"""The site rendered from the example handbook and from small projects: every page kind, labels, links, ids."""

from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from helpers import REPO, many_files, sample_figures, write_project

from cxreport.figures import FigureSet
from cxreport.loader import load_sources
from cxreport.problems import Problems
from cxreport.render.site import relative_url
from cxreport.render.whole_site import render_site

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
    assert kinds == {
        "home",
        "journeys",
        "journey",
        "personas",
        "persona",
        "pillars",
        "playbooks",
        "playbook",
        "chapter",
        "metrics",
        "metric",
        "metric-table",
        "drivers",
    }  # the sample figures fill a breakdown of more than PAGE_ROWS
    templates = {p.template for p in site.pages}
    assert {"surprise.html", "recovery.html", "story.html", "experiment.html", "chapter.html"} <= templates
    paths = [p.path for p in site.pages]
    assert len(paths) == len(set(paths))
    for page in site.pages:
        assert page.path in site.files


def valid_html_with_unique_ids_and_alt_texts(site) -> None:
    html5lib = pytest.importorskip("html5lib")
    for page in site.pages:
        html = html_of(site, page.path)
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(html)  # raises on any parse error
        s = scan(html)
        dupes = {i for i in s.ids if s.ids.count(i) > 1}
        assert not dupes, (page.path, dupes)
        for img in s.images:
            assert "alt" in img, (page.path, img)


def test_example_pages_are_valid_html_with_unique_ids_and_alt_texts(example):
    valid_html_with_unique_ids_and_alt_texts(example[0])


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


def links_resolve(site) -> None:
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


@pytest.mark.slow
def test_example_links_resolve(example):
    links_resolve(example[0])


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
    root = make_project(
        {
            "site.yml": "title: T\nlanguage: en\nmetrics:\n  - {id: nps, file: m.csv, type: nps}\n",
            "content/m.csv": "date,score\n2026-01-01,9\n",
        }
    )
    site, _ = render(root)
    journey = html_of(site, "journeys/first-order.html")
    assert "Attention" in journey and "Action" in journey and "Touchpoint" in journey
    assert 'lang="en"' in journey
    assert re.search(r"\d\.\d", html_of(site, "metrics/nps.html"))


def test_stage_without_touchpoints_keeps_a_column(make_project):
    root = make_project(
        {
            "content/journeys/first-order.yml": """\
        title: First order
        persona: parent
        stages:
          - stage: attention
          - stage: action
            touchpoints:
              - {id: checkout, name: Checkout, feeling: 1}
        """
        }
    )
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
    root = make_project(
        {
            "site.yml": "title: T\ntheme: house\n",
            "themes/house/templates/home.html": '{% extends "base.html" %}{% block content %}<h1>House {{ site.title }}</h1>{% endblock %}',
            "themes/house/static/style.css": "body { color: red; }",
            "themes/house/i18n/en.json": '{"nav.home": "Start"}',
        }
    )
    site, _ = render(root, FigureSet())
    assert "<h1>House T</h1>" in html_of(site, "index.html")
    assert site.files.files["assets/style.css"] == root / "themes/house/static/style.css"
    assert "Start" in html_of(site, "journeys/first-order.html")
    assert "assets/charts.js" in site.files  # the rest still comes from the built-in theme


def test_brand_logo_colour_and_footer(make_project):
    root = make_project(
        {
            "site.yml": "title: T\nbrand: {logo: assets/logo.svg, primary_color: '#123456', footer: 'Team CX & co'}\n",
            "content/assets/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        }
    )
    site, _ = render(root, FigureSet())
    html = html_of(site, "journeys/first-order.html")
    assert "--primary: #123456" in html
    assert 'src="../media/logo.svg"' in html
    assert "Team CX &amp; co" in html
    assert "media/logo.svg" in site.files


def test_links_between_content_files_become_page_links(make_project):
    root = make_project(
        {
            "content/pages/a.md": "---\ntitle: A\n---\nSee [B](b.md#x), [map](../journeys/first-order.yml) and ![p](../assets/p.png).\n"
            "And [gone](nowhere.md).\n",
            "content/pages/b.md": "---\ntitle: B\n---\n## X\n",
            "content/assets/p.png": b"\x89PNG",
        }
    )
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
    import cxreport.render.families.pillars as pillars_module

    full = html_of(render(REPO)[0], "pillars.html")
    monkeypatch.setattr(pillars_module, "PILLAR_MATRIX_JOURNEYS", 1)
    monkeypatch.setattr(pillars_module, "PILLAR_LIST_LIMIT", 1)
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
    # three surprise plans serve personal attention, two serve the situation: one is listed, the others counted
    assert (
        html.count("En nog 2: die staan bij de draaiboeken.") == 1 and html.count("En nog 1: die staan bij de draaiboeken.") == 1
    )
    assert "die staan bij de draaiboeken" not in full


# --- long lists over pages -----------------------------------------------------------------------

PAGER = re.compile(r'<nav class="pager" aria-label="([^"]*)">\s*<p class="pager-range">([^<]*)</p>(.*?)</nav>', re.DOTALL)


def pager_of(html: str) -> tuple[str, str, list[tuple[str, str, bool]]] | None:
    """Give a page's pager: its label, its range and its items as (href, text, is the current page); a gap is ('', '…')."""
    match = PAGER.search(html)
    if match is None:
        return None
    items = []
    for item in re.findall(r"<li[^>]*>(.*?)</li>", match[3]):
        link = re.match(r'<a href="([^"]*)"', item)
        items.append((link[1] if link else "", re.sub(r"<[^>]+>", "", item).strip(), 'aria-current="page"' in item))
    return match[1], match[2], items


def main_of(html: str) -> str:
    """Give what a page shows in its main part (not the navigation, which lists journeys and chapters)."""
    return html[html.index('<main id="main"') : html.index("</main>")]


def rows(html: str) -> int:
    return html.count('<th scope="row">')


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A generated handbook: 250 journeys, 120 personas, 250 guides, more surprises and recoveries than a preview shows."""
    root = write_project(
        tmp_path_factory.mktemp("many"),
        many_files(
            250, personas=120, playbooks={"surprise": 12, "recovery": 11, "story": 3, "experiment": 2, "guide": 250}, metric=True
        ),
    )
    site, problems = render(root)
    assert not problems.errors
    return site


def test_250_journeys_go_over_three_pages_of_100(many):
    first, second, third = (html_of(many, p) for p in ("journeys/index.html", "journeys/page/2.html", "journeys/page/3.html"))
    assert "journeys/page/4.html" not in many.files
    assert [rows(first), rows(second), rows(third)] == [100, 100, 50]
    assert '<a href="j0100.html">Journey 100</a>' not in second and '<a href="../j0100.html">Journey 100</a>' in second
    assert "<title>Journeys, page 2 · Many</title>" in second and "<h1>Journeys, page 2</h1>" in second
    assert "<h1>Journeys</h1>" in first
    assert pager_of(first) == (
        "Pages of Journeys",
        "1–100 of 250",
        [("index.html", "1", True), ("page/2.html", "2", False), ("page/3.html", "3", False), ("page/2.html", "Next →", False)],
    )
    assert pager_of(second) == (
        "Pages of Journeys",
        "101–200 of 250",
        [
            ("../index.html", "← Previous", False),
            ("../index.html", "1", False),
            ("2.html", "2", True),
            ("3.html", "3", False),
            ("3.html", "Next →", False),
        ],
    )
    assert pager_of(third) == (
        "Pages of Journeys",
        "201–250 of 250",
        [("2.html", "← Previous", False), ("../index.html", "1", False), ("2.html", "2", False), ("3.html", "3", True)],
    )
    assert '<a href="../index.html" aria-label="Page 1">1</a>' in second  # a screen reader hears 'Page 1', not '1'


def test_personas_overview_goes_over_pages_and_a_card_counts_journeys_beyond_ten(many, make_project):
    assert [
        rows(html_of(many, p).replace('<h2 class="card-title">', '<th scope="row">'))
        for p in ("personas/index.html", "personas/page/2.html")
    ] == [100, 20]
    assert pager_of(html_of(many, "personas/page/2.html"))[1] == "101–120 of 120"
    site, _ = render(write_project(make_project(minimal=False), many_files(13, personas=1)))
    card = main_of(html_of(site, "personas/index.html"))
    assert card.count('<a href="../journeys/j00') == 10 and "Journey 9</a> and 3 more</p>" in card
    assert pager_of(card) is None


def test_the_playbooks_overview_shows_ten_of_each_section_and_links_to_the_whole_section(many):
    overview = html_of(many, "playbooks/index.html")
    live = overview[overview.index('id="sec-board-live"') : overview.index('id="sec-board-retired"')]
    assert 'Live <span class="count">(12)</span>' in live and live.count('<article class="card">') == 10
    assert (
        '<p class="more"><a href="surprise-live/index.html">Show all 12<span class="visually-hidden"> '
        "(Surprise plans: Live)</span></a></p>"
    ) in live
    recoveries = overview[overview.index('id="sec-recovery"') : overview.index('id="sec-stories"')]
    assert recoveries.count("<tr><td>") == 10 and 'href="recovery/index.html">Show all 11<' in recoveries
    stories = overview[overview.index('id="sec-stories"') : overview.index('id="sec-experiments"')]
    assert stories.count("<li>") == 3 and 'class="more"' not in stories
    assert 'href="guide/index.html">Show all 250<' in overview
    whole = {path for path in many.files.files if path.startswith("playbooks/") and path.count("/") > 1}
    assert whole == {
        "playbooks/surprise-live/index.html",
        "playbooks/recovery/index.html",
        "playbooks/guide/index.html",
        "playbooks/guide/page/2.html",
        "playbooks/guide/page/3.html",
    }
    section = html_of(many, "playbooks/surprise-live/index.html")
    assert section.count('<article class="card">') == 12 and pager_of(section) is None
    assert "<h1>Surprise plans: Live</h1>" in section and '<h2><a href="../s000.html">Surprise 0</a></h2>' in section
    assert html_of(many, "playbooks/recovery/index.html").count("<tr><td>") == 11
    guides = [main_of(html_of(many, f"playbooks/guide/{p}")) for p in ("index.html", "page/2.html", "page/3.html")]
    assert [len(re.findall(r'<li><a href="[./]*g\d+\.html"', g)) for g in guides] == [100, 100, 50]
    assert pager_of(guides[1])[2][0] == ("../index.html", "← Previous", False)


def test_the_home_page_shows_ten_live_surprises_and_links_to_all(many):
    home = html_of(many, "index.html")
    live = home[home.index('id="sec-surprises"') : home.index('id="sec-experiments"')]
    assert live.count("<li>") == 10
    assert '<a href="playbooks/surprise-live/index.html">Show all 12<' in live
    assert 'class="more"' not in home[home.index('id="sec-experiments"') :]  # two running experiments: all shown


def test_the_pillar_matrix_goes_over_pages_and_the_print_page_keeps_it_whole(many, tmp_path):
    import datetime as dt

    first, second = html_of(many, "pillars.html"), html_of(many, "pillars/page/2.html")
    assert [rows(first), rows(second), rows(html_of(many, "pillars/page/3.html"))] == [100, 100, 50]
    assert 'id="sec-pillar-reliability"' in first  # the pillars' own sections stay on the first page only
    assert '<a href="../../pillars.html#sec-pillar-reliability">' in second and 'id="sec-pillar' not in second
    assert pager_of(second)[2][:2] == [
        ("../../pillars.html#sec-matrix", "← Previous", False),
        ("../../pillars.html#sec-matrix", "1", False),
    ]
    root = write_project(tmp_path / "p", many_files(250, playbooks={"recovery": 11}))
    problems = Problems()
    project = load_sources(root, problems)
    printed = html_of(render_site(project, FigureSet(), problems, print_date=dt.date(2026, 3, 1)), "print.html")
    matrix = printed[printed.index('id="sec-print-pillars"') :]
    assert matrix.count('<th scope="row">Journey ') == 250 and matrix.count("<tr><td>Recovery ") == 11


def test_chapters_go_over_pages_numbered_on(many):
    second = main_of(html_of(many, "chapters/page/2.html"))
    assert '<ol class="plain-list chapters" start="101">' in second
    assert len(re.findall(r'<li><a href="[./]*playbooks/g\d+\.html"', second)) == 100
    assert '<ol class="plain-list chapters">' in html_of(many, "chapters.html")


def test_a_metric_table_longer_than_a_page_goes_on_over_pages_of_its_own(many):
    page = html_of(many, "metrics/nps.html")
    breakdown = page[page.index('id="sec-breakdown"') :]
    label, shown, links = pager_of(breakdown)
    total = int(shown.rsplit(" ", 1)[1].replace(",", ""))
    count = -(-total // 100)
    assert label == "Pages of Over all periods, by place and group" and shown == f"1–100 of {total:,}"
    assert links[-1] == ("nps/breakdown/page/2.html", "Next →", False)
    made = sorted(p for p in many.files.files if p.startswith("metrics/nps/"))
    assert made == sorted(f"metrics/nps/breakdown/page/{n}.html" for n in range(2, count + 1))
    last = html_of(many, f"metrics/nps/breakdown/page/{count}.html")
    assert last.count("<tr><td>") == total - (count - 1) * 100
    assert '<a href="../../../nps.html">NPS</a>' in last and "nps.csv" in last
    assert pager_of(last)[2][1] == ("../../../nps.html#sec-breakdown", "1", False)


def test_the_pager_numbers_the_first_and_last_page_and_two_around_the_current_one(make_project, monkeypatch):
    import cxreport.render.paging as paging_module

    monkeypatch.setattr(paging_module, "PAGE_ROWS", 10)
    site, _ = render(write_project(make_project(minimal=False), many_files(130)))

    def numbers(path):
        return [text for _, text, _ in pager_of(html_of(site, path))[2]]

    assert numbers("journeys/page/7.html") == ["← Previous", "1", "…", "5", "6", "7", "8", "9", "…", "13", "Next →"]
    assert numbers("journeys/page/4.html") == ["← Previous", "1", "2", "3", "4", "5", "6", "…", "13", "Next →"]
    assert numbers("journeys/index.html") == ["1", "2", "3", "…", "13", "Next →"]
    assert '<li class="pager-gap" aria-hidden="true">…</li>' in html_of(site, "journeys/page/7.html")


@pytest.mark.slow
def test_pages_of_long_lists_are_valid_html_with_links_that_resolve(many):
    valid_html_with_unique_ids_and_alt_texts(many)
    links_resolve(many)


def test_the_example_fits_on_one_page_a_list(example):
    site, _ = example
    for page in site.pages:
        html = html_of(site, page.path)
        if page.kind not in ("metric", "metric-table"):  # the sample figures fill a breakdown with more than a page
            assert 'class="pager"' not in html and 'class="more"' not in html, page.path
    assert not any("/page/" in p and not p.startswith("metrics/") for p in site.files.files)
    assert not any(p.startswith("playbooks/") and p.count("/") > 1 for p in site.files.files)


def test_theme_lookups_on_dicts_find_keys_first_then_methods_then_fail_strictly(tmp_path):
    # Views are dicts: `x.name` takes the key (quickly), a dict's own method only when no key has that name.
    from cxreport.render.theme import _environment

    (tmp_path / "t.html").write_text("{{ d.items }}|{% for k, v in e.items() %}{{ k }}={{ v }}{% endfor %}|{{ d.name }}")
    env = _environment(((str(tmp_path), str(tmp_path)),))
    assert env.get_template("t.html").render(d={"items": "three", "name": "<b>"}, e={"a": 1}) == "three|a=1|&lt;b&gt;"
    (tmp_path / "missing.html").write_text("{{ d.nothing }}")
    with pytest.raises(jinja2.UndefinedError, match="'dict object' has no attribute 'nothing'"):
        env.get_template("missing.html").render(d={})


def test_themes_doc_lists_every_key_of_each_template_context():
    """docs/themes.md names, per page kind, its context type and every key of it (cxreport.render.contexts)."""
    from cxreport.render import contexts

    doc = (REPO / "docs" / "themes.md").read_text(encoding="utf-8")
    per_kind = doc.split("### Per page kind", 1)[1].split("\n## ", 1)[0]
    bullets = {b.split("**", 1)[0]: b for b in per_kind.split("\n- **")[1:]}
    assert set(bullets) == set(contexts.CONTEXTS)
    for kind, typ in contexts.CONTEXTS.items():
        text = bullets[kind]
        assert f"`{typ.__name__}`" in text, kind
        for key in typ.__required_keys__:
            assert f"`{key}" in text or f" {key}`" in text, (kind, key)
    common = doc.split("## Variables every template gets", 1)[1].split("\n### ", 1)[0]
    for key in contexts.Common.__required_keys__:
        assert f"`{key}" in common, key
