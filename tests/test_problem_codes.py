"""Problem codes: every problem has one from problems.CODES, at its position; docs/problems.md lists them all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MINIMAL_JOURNEY, MINIMAL_PERSONA, MINIMAL_SITE, REPO, write_project

from cxreport.cli import main
from cxreport.pipeline import build, check
from cxreport.problems import CODES, Problem, Problems

NPS_SITE = "title: T\nlanguage: en\nmetrics:\n  - {id: nps, file: metrics/nps.csv, type: nps, label: NPS}\n"
NPS_HEADER = "date,journey,touchpoint,segment,score\n"


def codes_of(root: Path) -> list[tuple[str, int, str]]:
    _, problems = check(root)
    return [(p.path, p.line, p.code) for p in problems]


# one broken input per stage (and a few more), with a problem it must give: (path, line, code)
CASES = {
    "yaml duplicate key": (
        {"content/personas/parent.yml": "name: P\nsegment: s\nname: Q\n"},
        ("content/personas/parent.yml", 3, "yaml-duplicate-key"),
    ),
    "yaml tab": (
        {"content/personas/parent.yml": "name: P\nsegment:\n\t- s\n"},
        ("content/personas/parent.yml", 3, "yaml-tab-indent"),
    ),
    "yaml syntax": (
        {"content/personas/parent.yml": "name: P\nsegment: [a, b\n"},
        ("content/personas/parent.yml", 3, "yaml-syntax"),
    ),
    "yaml tag": (
        {"content/personas/parent.yml": "name: !!python/object:os.system P\nsegment: s\n"},
        ("content/personas/parent.yml", 1, "yaml-forbidden-tag"),
    ),
    "file not utf-8": (
        {"content/personas/parent.yml": "name: P\nsegment: caf\xe9\n".encode("cp1252")},
        ("content/personas/parent.yml", 2, "file-encoding"),
    ),
    "no front matter": (
        {"content/pages/about.md": "# About\n"},
        ("content/pages/about.md", 1, "front-matter-missing"),
    ),
    "front matter duplicate key": (
        {"content/pages/about.md": "---\ntitle: A\ntitle: B\n---\nText.\n"},
        ("content/pages/about.md", 3, "yaml-duplicate-key"),
    ),
    "missing field": (
        {"content/personas/parent.yml": "segment: s\n"},
        ("content/personas/parent.yml", 1, "missing-field"),
    ),
    "unknown field": (
        {"content/personas/parent.yml": "name: P\nsegment: s\nsegmnet: t\n"},
        ("content/personas/parent.yml", 3, "unknown-field"),
    ),
    "invalid text": (
        {"content/personas/parent.yml": "name: P\nsegment: [a, b]\n"},
        ("content/personas/parent.yml", 2, "invalid-text"),
    ),
    "invalid choice": (
        {"content/playbooks/wow.md": "---\ntype: surprise\ntitle: W\ntrigger: t\nstatus: alive\n---\nText.\n"},
        ("content/playbooks/wow.md", 5, "invalid-choice"),
    ),
    "playbook type": (
        {"content/playbooks/wow.md": "---\ntype: suprise\ntitle: W\n---\nText.\n"},
        ("content/playbooks/wow.md", 2, "invalid-choice"),
    ),
    "invalid id": (
        {"content/personas/Big Parent.yml": "name: P\nsegment: s\n"},
        ("content/personas/Big Parent.yml", 1, "invalid-id"),
    ),
    "unknown reference": (
        {
            "content/journeys/first-order.yml": "title: F\npersona: nobody\nstages:\n  - stage: attention\n"
            "    touchpoints:\n      - {id: ad, name: Ad, feeling: 1}\n"
        },
        ("content/journeys/first-order.yml", 2, "unknown-reference"),
    ),
    "touchpoint without feeling": (
        {
            "content/journeys/first-order.yml": "title: F\npersona: parent\nstages:\n  - stage: attention\n"
            "    touchpoints:\n      - {id: ad, name: Ad}\n"
        },
        ("content/journeys/first-order.yml", 6, "touchpoint-without-feeling"),
    ),
    "metric file not found": (
        {"site.yml": NPS_SITE},
        ("site.yml", 4, "file-not-found"),
    ),
    "csv unreadable number": (
        {
            "site.yml": NPS_SITE,
            "content/metrics/nps.csv": NPS_HEADER + "2026-01-15,first-order,ad,parents,8\n"
            "2026-01-16,first-order,ad,parents,eight\n",
        },
        ("content/metrics/nps.csv", 3, "csv-unreadable-number"),
    ),
    "csv score out of range": (
        {"site.yml": NPS_SITE, "content/metrics/nps.csv": NPS_HEADER + "2026-01-15,first-order,ad,parents,11\n"},
        ("content/metrics/nps.csv", 2, "csv-score-out-of-range"),
    ),
    "csv unknown touchpoint": (
        {"site.yml": NPS_SITE, "content/metrics/nps.csv": NPS_HEADER + "2026-01-15,first-order,nope,parents,7\n"},
        ("content/metrics/nps.csv", 2, "csv-unknown-touchpoint"),
    ),
    "csv row width": (
        {"site.yml": NPS_SITE, "content/metrics/nps.csv": NPS_HEADER + "2026-01-15,first-order,ad,parents,7,9\n"},
        ("content/metrics/nps.csv", 2, "csv-row-width"),
    ),
    "csv encoding": (
        {
            "site.yml": NPS_SITE,
            "content/metrics/nps.csv": (NPS_HEADER + "2026-01-15,first-order,ad,caf\xe9,7\n").encode("cp1252"),
        },
        ("content/metrics/nps.csv", 2, "csv-encoding"),
    ),
    "missing column": (
        {"site.yml": NPS_SITE, "content/metrics/nps.csv": "date,journey,touchpoint,segment\n2026-01-15,first-order,ad,p\n"},
        ("site.yml", 4, "missing-column"),
    ),
    "theme not found": (
        {"site.yml": MINIMAL_SITE + "theme: nosuch\n"},
        ("site.yml", 3, "theme-not-found"),
    ),
    "template syntax": (
        {"site.yml": MINIMAL_SITE + "theme: house\n", "themes/house/templates/home.html": "<p>\n{% if %}\n"},
        ("themes/house/templates/home.html", 2, "template-syntax"),
    ),
    "theme labels": (
        {"site.yml": MINIMAL_SITE + "theme: house\n", "themes/house/i18n/en.json": "{'a': 1}\n"},
        ("themes/house/i18n/en.json", 1, "theme-labels"),
    ),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_a_problem_carries_its_code_at_its_position(make_project, files, expected):
    found = codes_of(make_project(files))
    assert expected in found, found


def test_output_problems_carry_their_codes(make_project, tmp_path):
    root = make_project(
        {
            "site.yml": MINIMAL_SITE + "theme: house\n",
            "themes/house/templates/home.html": "{% extends 'base.html' %}\n{% block content %}\n"
            "<p>{{ page.no_such_field }}</p>\n{% endblock %}\n",
        }
    )
    result = build(root, tmp_path / "out", full=True)
    assert [(p.path, p.line, p.code) for p in result.problems.errors] == [
        ("themes/house/templates/home.html", 3, "template-failed")
    ]


def test_a_kept_page_keeps_the_codes_of_its_problems(make_project, tmp_path):
    root = make_project({"content/pages/about.md": "---\ntitle: About\n---\nSee [it](../pages/nope.md).\n"})
    first = build(root, tmp_path / "out")
    found = [(p.path, p.line, p.code) for p in first.problems.warnings]
    assert ("content/pages/about.md", 4, "broken-link") in found
    again = build(root, tmp_path / "out")
    assert again.unchanged
    assert [(p.path, p.line, p.code) for p in again.problems.warnings] == found


def test_json_gives_a_code_for_every_problem(tmp_path):
    # metric files are read only when the rest has no errors: one project broken everywhere else, one in its metrics
    broken: dict[str, str | bytes] = {}
    for case_files, _ in CASES.values():
        broken.update({rel: content for rel, content in case_files.items() if "metrics" not in rel and rel != "site.yml"})
    broken.update(
        {
            "site.yml": MINIMAL_SITE + "theme: house\nstage_model: nosuch\n",
            "content/personas/other.yml": "segment: [a, b]\nmood: fine\n",
            "content/journeys/second.yml": "title: S\npersona: nobody\nstages:\n  - stage: attention\n"
            "    touchpoints:\n      - {id: ad, name: Ad}\n      - {id: ad, name: Ad again, feeling: 1}\n",
            "content/journeys/notes.txt": "not a journey\n",
        }
    )
    metrics = {
        "site.yml": NPS_SITE,
        "content/personas/parent.yml": MINIMAL_PERSONA,
        "content/journeys/first-order.yml": MINIMAL_JOURNEY,
        "content/metrics/nps.csv": NPS_HEADER + "2026-01-15,first-order,ad,parents,eight\n"
        "2026-01-15,first-order,nope,parents,11\n2026-13-45,nobody,ad,,7\n2026-01-15,first-order,ad,parents,7.5\n",
    }
    data = []
    for name, files in (("broken", broken), ("metrics", metrics)):
        root = write_project(tmp_path / name, files)
        result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
        assert result.exit_code == 1, result.output
        data += json.loads(result.stdout)
    assert len(data) >= 20
    assert all(p["code"] in CODES for p in data), [p for p in data if p["code"] not in CODES]
    assert len({p["code"] for p in data}) >= 15, sorted({p["code"] for p in data})


def test_github_annotations_are_titled_with_the_code():
    p = Problem("content/a,b.yml", 3, 4, "error", "unknown persona 'x'", code="unknown-reference")
    assert p.as_github() == "::error file=content/a%2Cb.yml,line=3,col=4,title=unknown-reference::unknown persona 'x'"


def test_a_problem_needs_a_known_code():
    problems = Problems()
    with pytest.raises(TypeError):
        problems.error("a.yml", 1, 1, "wrong")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="not-a-code"):
        problems.warning("a.yml", 1, 1, "wrong", code="not-a-code")
    assert problems.error("a.yml", 1, 1, "wrong", code="yaml-syntax").code == "yaml-syntax"


def test_codes_are_kebab_case_and_each_is_used():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "cxreport").rglob("*.py") if p.name != "problems.py")
    for code, meaning in CODES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert meaning and "\n" not in meaning, code
        assert f'"{code}"' in source, f"{code} is in CODES but no problem is made with it"


def test_docs_list_exactly_the_codes():
    text = (REPO / "docs" / "problems.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.M)
    assert len(documented) == len(set(documented)), "a code is documented twice"
    assert sorted(documented) == sorted(CODES)
