"""A session kept alive (serve's): after every edit of a sequence, the same bytes and problems as a full build.

The session trusts file stamps, keeps what validate found per object and keeps the search index's rows
serialised; none of that may ever give another site, or other problems, than building the same content anew.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest
from helpers import REPO, copy_example, many_files, write_project

from cxreport.crosscheck import ValidationMemo, validate
from cxreport.fingerprints import RACY_NS
from cxreport.incremental import record
from cxreport.loader import load_sources
from cxreport.pipeline import Session, build
from cxreport.problems import Problems
from cxreport.render.search_index import KINDS, RowTexts, script_of_rows

EXAMPLE_READY = (REPO / "site.yml").is_file() and (REPO / "content" / "journeys").is_dir()
needs_example = pytest.mark.skipif(not EXAMPLE_READY, reason="the example handbook is not there yet")


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def shown(problems) -> list[str]:
    return [p.format() for p in problems.sorted()]


@pytest.fixture
def example(tmp_path) -> Path:
    return copy_example(tmp_path / "project")


def replace(rel: str, old: str, new: str):
    def edit(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def move(rel: str, to: str):
    def edit(root: Path) -> None:
        (root / rel).rename(root / to)

    return edit


def same_size_and_time(rel: str, old: str, new: str):
    """An edit that keeps the file's size and modification time: only its change time (and contents) tell."""
    assert len(old.encode()) == len(new.encode())

    def edit(root: Path) -> None:
        path = root / rel
        st = path.stat()
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns

    return edit


def add(rel: str, text: str):
    def edit(root: Path) -> None:
        (root / rel).write_text(text, encoding="utf-8")

    return edit


PERSONA = "content/personas/drukke-ouder.yml"
STEPS = [  # (what, edit, builds)
    (
        "lane text",
        replace("content/journeys/eerste-bestelling.yml", "Scrolt 's avonds op de bank", "Scrolt 's nachts op de bank"),
        True,
    ),
    (
        "playbook body",
        replace("content/playbooks/handgeschreven-kaartje.md", "\n---\n", "\n---\nEen nieuwe eerste zin.\n\n"),
        True,
    ),
    ("persona quote", replace(PERSONA, "Ik bestel 's avonds", "Ik bestel 's ochtends"), True),
    ("unknown persona", replace("content/journeys/retour.yml", "persona: bewuste-student", "persona: bewuste-studnet"), False),
    ("another file while broken", replace("content/pages/werkwijze.md", "Zo houden we", "Zo bewaren we"), False),
    ("persona fixed", replace("content/journeys/retour.yml", "persona: bewuste-studnet", "persona: bewuste-student"), True),
    ("persona deleted", move(PERSONA, "drukke-ouder.yml.weg"), False),
    ("persona back", move("drukke-ouder.yml.weg", PERSONA), True),
    ("journey renamed", move("content/journeys/eerste-bestelling.yml", "content/journeys/eerste-keer.yml"), False),
    ("journey name back", move("content/journeys/eerste-keer.yml", "content/journeys/eerste-bestelling.yml"), True),
    (
        "same size and time",
        same_size_and_time("content/journeys/eerste-bestelling.yml", "Scrolt 's nachts", "Scrolt 's morgen"),
        True,
    ),
    ("touched only", lambda root: os.utime(root / "content/journeys/retour.yml"), True),
    (
        "new journey",
        add(
            "content/journeys/nog-een.yml",
            "title: Nog een\npersona: drukke-ouder\nstages:\n"
            "  - stage: attention\n    touchpoints:\n      - {id: ad, name: Advertentie, feeling: 1}\n",
        ),
        True,
    ),
    (
        "touchpoint a playbook names renamed",
        replace("content/journeys/eerste-bestelling-2026.yml", "id: welkomstkaartje", "id: welkomst-kaartje"),
        None,
    ),
    (
        "metric row",
        replace("content/metrics/nps.csv", "eerste-bestelling;nps-enquete;ouders;4;", "eerste-bestelling;nps-enquete;ouders;10;"),
        None,
    ),
]


@pytest.mark.slow
@needs_example
def test_a_serve_session_gives_the_bytes_and_problems_of_a_full_build_after_every_edit(example, tmp_path):
    out = tmp_path / "out"
    session = Session(example, out, keep_record=False, in_place=True)
    first = session.build()
    assert first.written, shown(first.problems)
    last_good = tree(out)
    for i, (what, edit, builds) in enumerate(STEPS):
        edit(example)
        result = session.build()
        full_out = tmp_path / f"full-{i}"
        full = build(example, full_out, full=True)
        assert shown(result.problems) == shown(full.problems), what
        assert result.written == full.written, what
        if builds is not None:
            assert result.written == builds, (what, shown(result.problems))
        if result.written:
            assert tree(out) == tree(full_out), what
            last_good = tree(out)
        else:
            assert tree(out) == last_good, what  # a broken edit leaves the last good site
        shutil.rmtree(full_out, ignore_errors=True)


MANY_STEPS = [  # (what, edit) in a handbook whose journeys overview has three pages
    ("journey on page 3 renamed", replace("content/journeys/j0230.yml", "title: Journey 230", "title: Journey 230, renamed")),
    (
        "touchpoint on page 2 changes pillar",
        replace("content/journeys/j0150.yml", "pillars: [reliability]", "pillars: [availability]"),
    ),
    ("lane text", replace("content/journeys/j0010.yml", "feeling: -1", "feeling: -2")),
    (
        "an answer about a journey on page 2",
        replace("content/metrics/nps.csv", "2026-03-15,j0150,ad,s1,3\n", "2026-03-15,j0150,ad,s1,10\n"),
    ),
    (
        "journey added: page 3 grows",
        add(
            "content/journeys/j0250.yml",
            "title: Journey 250\npersona: p000\nstages:\n"
            "  - stage: attention\n    touchpoints:\n      - {id: ad, name: Advert, feeling: 1}\n",
        ),
    ),
    ("journey deleted: page 3 shrinks", move("content/journeys/j0250.yml", "j0250.yml.gone")),
]


@pytest.mark.slow
def test_a_serve_session_over_a_handbook_of_many_pages_gives_the_bytes_of_a_full_build(tmp_path):
    root = write_project(tmp_path / "many", many_files(250, personas=120, metric=True))
    out = tmp_path / "out"
    session = Session(root, out, keep_record=False, in_place=True)
    assert session.build().written
    for i, (what, edit) in enumerate(MANY_STEPS):
        edit(root)
        result = session.build()
        assert result.written and not result.problems.errors, what
        full_out = tmp_path / f"full-{i}"
        assert build(root, full_out, full=True).written
        assert tree(out) == tree(full_out), what
        shutil.rmtree(full_out, ignore_errors=True)
    assert (out / "journeys/page/3.html").read_text(encoding="utf-8").count('<th scope="row">') == 50


@needs_example
def test_a_deleted_persona_is_reported_by_every_file_that_names_it(example):
    memo, parsed = ValidationMemo(), {}  # as a session keeps them: unchanged files give the same objects
    project = load_sources(example, Problems(), parsed)
    first = Problems()
    validate(project, first, memo)
    assert not first.errors
    (example / PERSONA).unlink()
    again = load_sources(example, Problems(), parsed)
    assert again.journeys["retour"] is project.journeys["retour"]
    project = again
    remembered, fresh = Problems(), Problems()
    validate(project, remembered, memo)
    validate(project, fresh)
    assert shown(remembered) == shown(fresh)
    naming = {p.path for p in remembered.errors if "unknown persona 'drukke-ouder'" in p.message}
    assert naming == {
        "content/journeys/eerste-bestelling.yml",
        "content/journeys/eerste-bestelling-2026.yml",
        "content/playbooks/de-zoekgeraakte-regenjas.md",
        "content/playbooks/handgeschreven-kaartje.md",
        "content/playbooks/verjaardagsballon.md",
    }


@pytest.mark.slow
@needs_example
def test_an_edit_that_keeps_size_and_time_is_seen_by_a_new_process(example, tmp_path):
    out = tmp_path / "out"
    assert build(example, out).written
    same_size_and_time("content/journeys/retour.yml", "title: Woonspullen bestellen", "title: Woonspullen bestelden")(example)
    result = build(example, out)  # a new session: the stamps come from the record on disk
    assert not result.unchanged and result.made >= 1
    assert "Woonspullen bestelden" in (out / "journeys/retour.html").read_text(encoding="utf-8")
    assert tree(out) == tree(_full(example, tmp_path))


def _full(root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "full"
    assert build(root, out, full=True).written
    return out


def test_fingerprint_hashes_a_file_once_it_is_old_enough(tmp_path, monkeypatch):
    old, new = tmp_path / "old.yml", tmp_path / "new.yml"
    old.write_text("a: 1\n", encoding="utf-8")
    new.write_text("b: 2\n", encoding="utf-8")
    past = time.time_ns() - 10 * RACY_NS
    os.utime(old, ns=(past, past))
    files = {"old.yml": str(old), "new.yml": str(new)}
    hashed: list[str] = []
    real = record._hash
    monkeypatch.setattr(record, "_hash", lambda path: hashed.append(Path(path).name) or real(path))
    first = record.fingerprint(files)
    assert sorted(hashed) == ["new.yml", "old.yml"]
    hashed.clear()
    again = record.fingerprint(files, first)
    assert hashed == ["new.yml"]  # changed too recently to trust its time stamps: hashed again
    assert again["old.yml"] is first["old.yml"] and again == {k: v if k == "old.yml" else again[k] for k, v in first.items()}
    old.write_text("a: 2\n", encoding="utf-8")  # same size; a new change time (and modification time)
    os.utime(old, ns=(past, past))
    hashed.clear()
    third = record.fingerprint(files, again)
    assert "old.yml" in hashed and third["old.yml"].sha != first["old.yml"].sha


def test_row_texts_give_what_script_of_rows_gives(tmp_path):
    hostile = '</script><!-- & \u2028\u2029 > "quoted" \\ \n\t é'
    pages = [
        [
            [k % len(KINDS), f"Titel {k} {hostile if k % 7 == 0 else ''}", f"p{k % 5}.html#{k}", "ctx", "woorden"]
            for k in range(start, start + n)
        ]
        for start, n in ((0, 3), (10, 0), (20, 9), (40, 1), (50, 4))
    ]
    pages.append([[1, "same", "p1.html#1", "first", ""], [1, "same", "p1.html#1", "second", ""]])  # one key twice
    labels = {"kind.page": "Hoofdstukken <b>", "count": "{n} & meer"}
    rows = RowTexts()
    expected = script_of_rows([r for page in pages for r in page], labels)
    assert rows.script(pages, labels) == expected
    assert rows.script(pages, labels) == expected  # from the kept texts
    pages[2] = [list(r) for r in pages[2]][::-1] + [[0, "Nieuw", "nieuw.html", "", "x"]]  # a page made again
    assert rows.script(pages, labels) == script_of_rows([r for page in pages for r in page], labels)
    assert RowTexts().script([], {}) == script_of_rows([], {})
