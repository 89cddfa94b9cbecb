"""A first load shared out over processes gives the same project and the same problems as one on one process."""

from __future__ import annotations

import pytest
from helpers import REPO, copy_example

from cxreport import loader
from cxreport.loader import load_sources
from cxreport.problems import Problems


def load(root, jobs):
    problems = Problems()
    project = load_sources(root, problems, jobs=jobs)
    return project, [p.format() for p in problems.sorted()]


@pytest.fixture
def broken_example(tmp_path):
    root = copy_example(tmp_path / "hb")
    journeys = root / "content" / "journeys"
    (journeys / "kapot.yml").write_text("title: [niet gesloten\n", encoding="utf-8")
    (journeys / "dubbel.yml").write_text("title: A\ntitle: B\npersona: niemand\nstages: []\n", encoding="utf-8")
    (journeys / "latin1.yml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    (root / "content" / "playbooks" / "geen-type.md").write_text("---\ntitle: X\n---\nTekst\n", encoding="utf-8")
    (root / "content" / "pages" / "notitie.txt").write_text("genegeerd\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("which", ["example", "broken"])
def test_parallel_first_load_is_the_serial_one(which, broken_example, monkeypatch):
    root = REPO if which == "example" else broken_example
    serial, serial_problems = load(root, jobs=1)
    monkeypatch.setattr(loader, "PARALLEL_FILES", 1)
    parallel, parallel_problems = load(root, jobs=2)
    assert parallel_problems == serial_problems
    if which == "broken":
        assert [p.split("\n")[0] for p in serial_problems] == [
            "content/journeys/dubbel.yml:2:1: error: duplicate key 'title' (first on line 1, again on line 2)",
            "content/journeys/dubbel.yml:4:9: error: stages: must not be empty",
            "content/journeys/kapot.yml:2:1: error: YAML syntax error: did not find expected ',' or ']'",
            "content/journeys/latin1.yml:1:11: error: file is not UTF-8 text (byte 0xE9 cannot be read)",
            "content/pages/notitie.txt: warning: file ignored: page files end in .md",
            "content/playbooks/geen-type.md:2:1: error: missing required field 'type'",
        ]
    else:
        assert serial_problems == []
    for kind in ("journeys", "personas", "playbooks", "pages"):
        assert getattr(parallel, kind) == getattr(serial, kind)
    assert parallel.broken == serial.broken
    assert {k: (o.path, o.body_line) for k, o in parallel.origins.items()} == {
        k: (o.path, o.body_line) for k, o in serial.origins.items()
    }
    for key, origin in serial.origins.items():  # positions read when asked for, in the parent, as on one process
        assert parallel.origins[key].locator == origin.locator
