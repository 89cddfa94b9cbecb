"""The search index: folding, the words kept, safe and byte-stable script, and entries for every kind of page."""

from __future__ import annotations

import json
import random
import re

import pytest
from helpers import REPO, sample_figures

from cxreport.figures import FigureSet
from cxreport.loader import load_sources
from cxreport.problems import Problems
from cxreport.render.search_index import INDEX_PATH, KINDS, MAX_TEXT, SearchEntry, fold, index_script, words_of
from cxreport.render.whole_site import render_site

EXAMPLE_READY = (REPO / "site.yml").is_file() and (REPO / "content" / "journeys").is_dir()


def render(root, figures=None):
    problems = Problems()
    project = load_sources(root, problems)
    assert project is not None, [p.format() for p in problems]
    return project, render_site(project, figures if figures is not None else sample_figures(project), problems)


def index_of(site) -> dict:
    text = site.files.files[INDEX_PATH].decode("utf-8")
    assert text.startswith("window.CXSEARCH=") and text.endswith(";\n")
    return json.loads(text[len("window.CXSEARCH=") : -2])


@pytest.fixture(scope="module")
def example():
    if not EXAMPLE_READY:
        pytest.skip("the example handbook is not there")
    return render(REPO)


@pytest.mark.parametrize(
    "text, folded",
    [
        ("MAATTABÉL", "maattabel"),
        ("bezorgïng", "bezorging"),
        ("Één café, twee crèmes!", "een cafe twee cremes"),
        ("Straße", "strasse"),
        ("track-en-trace_mail", "track en trace mail"),
        ("  ‘Is dit stevig?’ — 98/104 cm  ", "is dit stevig 98 104 cm"),
        ("ﬁets", "fiets"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_words_leave_out_the_title_stop_words_repeats_and_single_letters():
    entry = SearchEntry(
        "touchpoint",
        "Maattabel",
        "j.html#tp-m",
        "Eerste bestelling · Interesse",
        "De maattabel is per merk anders; een merk, een maat. Opent de Maattabel x",
    )
    assert words_of(entry, frozenset({"de", "is", "een"})) == "per merk anders maat opent"


def test_words_stop_at_the_limit_on_a_word_boundary():
    text = " ".join(f"woord{i:04d}" for i in range(500))
    words = words_of(SearchEntry("page", "T", "p.html", "", text))
    assert len(words) <= MAX_TEXT
    assert all(re.fullmatch(r"woord\d{4}", w) for w in words.split())


def _words_one_by_one(entry: SearchEntry, stop: frozenset[str]) -> str:
    """The words kept, as the definition says it word by word: folded, not short, not a stop word, not in the
    title or context, each once in the order it first appears, until the next would pass MAX_TEXT."""
    shown = set(fold(entry.title).split()) | set(fold(entry.context).split())
    kept: list[str] = []
    for word in fold(entry.text).split():
        if len(word) < 2 or word in stop or word in shown or word in kept:
            continue
        if len(" ".join([*kept, word])) > MAX_TEXT:
            break
        kept.append(word)
    return " ".join(kept)


@pytest.mark.parametrize("seed", range(40))
def test_words_are_those_of_the_word_by_word_definition(seed):
    rnd = random.Random(seed)
    vocabulary = ["de", "a", "klant", "Klant", "KLANT!", "één", "een", "pakket", "x" * 90, "levering", "é", "maat"]
    vocabulary += [f"w{rnd.randrange(10**6)}" for _ in range(rnd.randrange(1, 400))]
    text = " ".join(rnd.choice(vocabulary) for _ in range(rnd.randrange(0, 3000)))
    entry = SearchEntry("page", "Klant en pakket", "p.html", rnd.choice(["", "Levering · Actie"]), text)
    stop = frozenset({"de", "een"})
    assert words_of(entry, stop) == _words_one_by_one(entry, stop)


def test_index_script_is_safe_inside_a_script_element_and_byte_stable():
    entries = [
        SearchEntry("page", "</script><!-- & \u2028", "pages/a.html", "x </SCRIPT>", "<b>vet</b>"),
        SearchEntry("journey", "Reis", "journeys/r.html"),
        SearchEntry("touchpoint", "Kassa", "journeys/r.html#tp-kassa", "Reis · Actie", "betalen"),
    ]
    script = index_script(entries, {"kind.page": "Hoofdstukken <b>"}, "nl")
    for unsafe in ("<", ">", "\u2028", "\u2029"):
        assert unsafe not in script
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)
    assert index_script(shuffled, {"kind.page": "Hoofdstukken <b>"}, "nl") == script
    data = json.loads(script[len("window.CXSEARCH=") : -2])
    assert data["kinds"] == list(KINDS)
    assert [row[2] for row in data["items"]] == ["journeys/r.html", "journeys/r.html#tp-kassa", "pages/a.html"]
    assert data["items"][2][1] == "</script><!-- & \u2028"  # the text itself is kept, only written safely
    with pytest.raises(ValueError):
        index_script([SearchEntry("elephant", "x", "x.html")], {})


def test_example_index_has_every_kind_and_every_touchpoint_at_its_anchor(example):
    project, site = example
    data = index_of(site)
    items = data["items"]
    kinds = {data["kinds"][row[0]] for row in items}
    assert kinds == set(KINDS) - {"comment"}  # sample figures have no comments: tests/test_comments.py indexes them
    urls = {row[2]: row for row in items}
    for journey in project.journeys.values():
        assert f"journeys/{journey.id}.html" in urls
        for _stage, tp in journey.touchpoints():
            row = urls[f"journeys/{journey.id}.html#tp-{tp.id}"]
            assert row[1] == tp.name and row[3].startswith(journey.title + " · ")
    for persona in project.personas.values():
        assert f"personas/{persona.id}.html" in urls
    for pb in project.playbooks.values():
        assert f"playbooks/{pb.id}.html" in urls
    for page in project.pages.values():
        assert f"pages/{page.id}.html" in urls
    for metric in project.config.metrics:
        assert f"metrics/{metric.id}.html" in urls
    assert "pillars.html#sec-pillar-reliability" in urls
    # Lanes are searchable: a word only in a touchpoint's pain points finds it.
    row = urls["journeys/eerste-bestelling.html#tp-maattabel"]
    assert "merk" in row[4].split()
    assert data["labels"]["kind.touchpoint"] == "Contactmomenten"


def test_example_index_links_land_on_existing_ids(example):
    _, site = example
    for row in index_of(site)["items"]:
        path, _, anchor = row[2].partition("#")
        assert path in site.files, row
        if anchor:
            assert f'id="{anchor}"' in site.files.files[path].decode("utf-8"), row


def test_example_index_stays_small(example):
    _, site = example
    size = len(site.files.files[INDEX_PATH])
    assert size < 40_000, size  # about 30 KB for 3 journeys, 46 touchpoints, 10 playbooks and their sections


def test_every_page_has_a_labelled_search_box(example):
    _, site = example
    for page in site.pages:
        html = site.files.files[page.path].decode("utf-8")
        assert '<label class="visually-hidden" for="search-input">Zoeken in het handboek</label>' in html, page.path
        assert re.search(r'<input id="search-input" class="search-input" type="search"', html), page.path
        root = "../" * page.path.count("/")  # the further pages of a long list lie deeper (metrics/m/breakdown/page/2.html)
        assert f'data-index="{root}assets/search-index.js"' in html, page.path
        assert f'<script src="{root}assets/search.js"></script>' in html, page.path
    assert "assets/search.js" in site.files


def test_english_site_gets_english_labels(make_project):
    root = make_project({"content/pages/about.md": "---\ntitle: About\n---\n## How we work\n\nText.\n"})
    _, site = render(root, FigureSet())
    data = index_of(site)
    assert data["labels"]["kind.touchpoint"] == "Touchpoints" and data["labels"]["none"].startswith("Nothing found")
    rows = {row[2]: row for row in data["items"]}
    assert rows["pages/about.html#how-we-work"][1:4] == ["How we work", "pages/about.html#how-we-work", "About"]
    assert rows["journeys/first-order.html#tp-checkout"][3] == "First order · Action"
    assert "Search the handbook" in site.files.files["index.html"].decode("utf-8")
