"""Incremental builds: after any edit, an incremental build gives the same bytes as a full build of the edited project."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from helpers import REPO, copy_example, many_files, write_project

from cxreport.incremental.record import Record
from cxreport.pipeline import Session, build

EXAMPLE_READY = (REPO / "site.yml").is_file() and (REPO / "content" / "journeys").is_dir()
pytestmark = pytest.mark.skipif(not EXAMPLE_READY, reason="the example handbook is not there yet")


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def example(tmp_path) -> Path:
    return copy_example(tmp_path / "project")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def full_build_of(root: Path, tmp_path: Path, name: str) -> dict[str, str]:
    out = tmp_path / name
    result = build(root, out, full=True)
    assert result.written, [p.format() for p in result.problems]
    return tree(out)


EDITS = [  # (what, file, old text, new text, pages made at most: None = any)
    ("lane text", "content/journeys/eerste-bestelling.yml", "Scrolt 's avonds op de bank", "Scrolt 's nachts op de bank", 3),
    ("feeling", "content/journeys/eerste-bestelling.yml", "{score: 1, label: nieuwsgierig}", "{score: -2, label: boos}", None),
    (
        "touchpoint name",
        "content/journeys/eerste-bestelling.yml",
        "name: Instagram-advertentie",
        "name: Reclame op Instagram",
        None,
    ),
    ("journey title", "content/journeys/retour.yml", "title: ", "title: Nieuw - ", None),
    ("persona quote", "content/personas/drukke-ouder.yml", "Ik bestel 's avonds", "Ik bestel 's ochtends", None),
    ("playbook body", "content/playbooks/handgeschreven-kaartje.md", "\n---\n", "\n---\nEen nieuwe eerste zin.\n\n", 2),
    ("playbook status", "content/playbooks/handgeschreven-kaartje.md", "status: planned", "status: live", None),
    (
        "playbook moved",
        "content/playbooks/handgeschreven-kaartje.md",
        "journey: eerste-bestelling-2026\ntouchpoint: welkomstkaartje\n",
        "journey: retour\n",
        None,
    ),
    ("page body", "content/pages/werkwijze.md", "Zo houden we", "Zo bewaren we", 2),
    ("page order", "content/pages/werkwijze.md", "order: 2", "order: 99", None),
    ("broken link", "content/pages/werkwijze.md", "Zo houden we", "Zie [weg](../pages/bestaat-niet.md). Zo houden we", 2),
    (
        "metric row",
        "content/metrics/nps.csv",
        "eerste-bestelling;nps-enquete;ouders;4;",
        "eerste-bestelling;nps-enquete;ouders;10;",
        None,
    ),
    ("site title", "site.yml", "title: ", "title: Anders - ", None),
    (
        "survey answer",
        "content/metrics/klantonderzoek.csv",
        "R_0409,2026-01-05,ouders,7,2,",
        "R_0409,2026-01-05,ouders,7,5,",
        None,
    ),
    (
        "driver analysis",
        "site.yml",
        "drivers: [csat-bezorging, csat-website, ces-bestellen]",
        "drivers: [csat-bezorging, csat-website]",
        None,
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("what, rel, old, new, most", EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_rebuilds_to_the_same_bytes_as_a_full_build(example, tmp_path, what, rel, old, new, most):
    out = tmp_path / "out"
    first = build(example, out)
    assert first.written and first.made == first.pages
    edit(example, rel, old, new)
    again = build(example, out)
    assert again.written and not again.unchanged, [p.format() for p in again.problems]
    assert tree(out) == full_build_of(example, tmp_path, "full")
    if most is not None:
        assert again.made <= most, (what, again.made)
    assert again.made >= 1
    warnings = [p.format() for p in again.problems.warnings]
    unchanged = build(example, out)
    assert unchanged.unchanged and [p.format() for p in unchanged.problems.warnings] == warnings


def test_a_lane_edit_remakes_its_journey_only(example, tmp_path):
    session = Session(example, tmp_path / "out")
    assert session.build().written
    edit(example, "content/journeys/retour.yml", "summary: |\n", "summary: |\n  Een nieuwe eerste zin.\n")
    result = session.build()
    assert result.made == 1  # the journey page; the search index is made again too (it is not a page)
    assert tree(tmp_path / "out") == full_build_of(example, tmp_path, "full")


def test_files_added_and_removed(example, tmp_path):
    out = tmp_path / "out"
    assert build(example, out).written
    (example / "content/pages/werkwijze.md").unlink()
    (example / "content/playbooks/nieuw.md").write_text("---\ntype: guide\ntitle: Nieuw\n---\nTekst.\n", encoding="utf-8")
    assert build(example, out).written
    assert tree(out) == full_build_of(example, tmp_path, "full")


@pytest.mark.slow
def test_a_theme_change_remakes_every_page(example, tmp_path):
    out = tmp_path / "out"
    assert build(example, out).written
    templates = example / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    base = (REPO / "themes/default/templates/chapter.html").read_text(encoding="utf-8")
    (templates / "chapter.html").write_text(base.replace("<h1>", '<h1 class="eigen">'), encoding="utf-8")
    result = build(example, out)
    assert result.made == result.pages
    assert 'class="eigen"' in (out / "pages/werkwijze.html").read_text(encoding="utf-8")
    assert tree(out) == full_build_of(example, tmp_path, "full")


def test_nothing_changed_writes_nothing(example, tmp_path):
    out = tmp_path / "out"
    assert build(example, out).written
    before = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    result = build(example, out)
    assert result.unchanged and result.written and result.pages == 35
    assert {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "empty", "other layout", "missing entries"])
def test_a_damaged_record_means_a_full_build(example, tmp_path, damage):
    out = tmp_path / "out"
    session = Session(example, out)
    assert session.build().written
    record = session.record_path
    if damage == "garbage":
        record.write_text("{not json", encoding="utf-8")
    elif damage == "empty":
        record.write_text("", encoding="utf-8")
    elif damage == "other layout":
        record.write_text(record.read_text(encoding="utf-8").replace('"layout":1', '"layout":99'), encoding="utf-8")
    else:
        record.with_name(record.stem + ".entries.json").unlink()
    edit(example, "content/journeys/retour.yml", "title: ", "title: Nieuw - ")
    result = build(example, out)
    assert result.written and result.made == result.pages
    assert tree(out) == full_build_of(example, tmp_path, "full")


def test_a_record_with_wrong_digests_never_gives_a_wrong_site(example, tmp_path):
    """A record that claims an old page is current is caught by the input hashes, not trusted."""
    out = tmp_path / "out"
    session = Session(example, out)
    assert session.build().written
    edit(example, "content/journeys/retour.yml", "title: ", "title: Nieuw - ")
    # the edit keeps size and time stamp as they were: only the hash can tell
    record = Record.load(session.record_path)
    assert record is not None
    result = build(example, out)
    assert "Nieuw - " in (out / "journeys/retour.html").read_text(encoding="utf-8")
    assert result.made >= 1


def test_an_output_changed_by_hand_is_made_again(example, tmp_path):
    out = tmp_path / "out"
    assert build(example, out).written
    (out / "journeys/retour.html").write_text("changed by hand", encoding="utf-8")
    (out / "extra.html").write_text("left by someone", encoding="utf-8")
    result = build(example, out)
    assert not result.unchanged
    assert tree(out) == full_build_of(example, tmp_path, "full")


def test_a_session_keeps_parsed_files_and_figures(example, tmp_path, monkeypatch):
    from cxreport import pipeline

    session = Session(example, tmp_path / "out", keep_record=False)
    assert session.build().written
    calls = []
    real = pipeline.join_metrics
    monkeypatch.setattr(pipeline, "join_metrics", lambda *a, **k: calls.append(1) or real(*a, **k))
    edit(example, "content/journeys/retour.yml", "title: ", "title: Nieuw - ")
    assert session.build().written
    assert calls == []  # the maps the metrics join to did not change: the figures are kept
    assert not session.record_path.exists()
    assert tree(tmp_path / "out") == full_build_of(example, tmp_path, "full")


@pytest.mark.slow
def test_a_session_that_updates_in_place_gives_the_same_site(example, tmp_path):
    session = Session(example, tmp_path / "out", keep_record=False, in_place=True)
    assert session.build().written
    edit(example, "content/journeys/eerste-bestelling.yml", "Scrolt 's avonds op de bank", "Scrolt 's nachts op de bank")
    (example / "content/pages/werkwijze.md").unlink()
    assert session.build().written
    assert tree(tmp_path / "out") == full_build_of(example, tmp_path, "full")
    edit(example, "content/journeys/eerste-bestelling.yml", "Scrolt 's nachts", "Scrolt 's ochtends")
    result = session.build()
    assert result.made == 2 and tree(tmp_path / "out") == full_build_of(example, tmp_path, "full2")


# --- a handbook whose overviews go over pages ------------------------------------------------------


@pytest.fixture
def many(tmp_path) -> Path:
    """250 journeys (three pages of the journeys overview), 120 personas (two), 11 live surprises (a list of their own)."""
    return write_project(tmp_path / "many", many_files(250, personas=120, playbooks={"surprise": 11, "guide": 20}, metric=True))


@pytest.mark.slow
def test_a_journey_edit_remakes_only_the_pages_of_the_lists_that_show_it(many, tmp_path, monkeypatch):
    from cxreport.render.site import Planner

    out = tmp_path / "out"
    assert build(many, out, jobs=1).written
    made: list[tuple[str, int]] = []
    for name in ("journeys_page", "personas_page", "pillars_page"):
        real = getattr(Planner, name)
        monkeypatch.setattr(
            Planner, name, lambda self, number=1, _real=real, _name=name: made.append((_name, number)) or _real(self, number)
        )
    edit(many, "content/journeys/j0230.yml", "title: Journey 230", "title: Journey 230, renamed")
    assert build(many, out, jobs=1).written
    # j0230 is on page 3 of the journeys and of the pillar matrix (pillars.html shows every journey's gaps);
    # its persona p110 on page 2 of the personas
    assert sorted(made) == [("journeys_page", 3), ("personas_page", 2), ("pillars_page", 1), ("pillars_page", 3)]
    assert "Journey 230, renamed" in (out / "journeys/page/3.html").read_text(encoding="utf-8")
    assert tree(out) == full_build_of(many, tmp_path, "full")


@pytest.mark.slow
@pytest.mark.parametrize("in_place", [False, True], ids=["build", "serve"])
def test_a_section_that_shrinks_to_a_preview_loses_its_own_pages_and_gets_them_back(many, tmp_path, in_place):
    out = tmp_path / "out"
    session = Session(many, out, in_place=in_place)
    assert session.build().written
    assert (out / "playbooks/surprise-live/index.html").is_file()
    edit(many, "content/playbooks/s003.md", "status: live", "status: idea")
    assert session.build().written
    assert not (out / "playbooks/surprise-live/index.html").exists()  # 10 live surprises: the overview shows them all
    assert tree(out) == full_build_of(many, tmp_path, "full")
    edit(many, "content/playbooks/s003.md", "status: idea", "status: live")
    assert session.build().written
    assert (out / "playbooks/surprise-live/index.html").is_file()
    assert tree(out) == full_build_of(many, tmp_path, "full-again")


@pytest.mark.slow
def test_a_handbook_of_many_pages_builds_byte_identical_twice(many, tmp_path):
    assert full_build_of(many, tmp_path, "one") == full_build_of(many, tmp_path, "two")


def test_a_survey_edit_remakes_the_drivers_page_and_the_journey_page(example, tmp_path):
    out = tmp_path / "out"
    assert build(example, out).written
    before = tree(out)
    edit(example, "content/metrics/klantonderzoek.csv", "R_0409,2026-01-05,ouders,7,2,", "R_0409,2026-01-05,ouders,7,5,")
    again = build(example, out)
    assert again.written and not again.unchanged
    after = tree(out)
    changed = {k for k in after if before.get(k) != after[k]}
    assert {"drivers/index.html", "journeys/eerste-bestelling.html", "data/drivers.json"} <= changed
    assert after == full_build_of(example, tmp_path, "full")
