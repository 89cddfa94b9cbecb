"""All problems in one run: references of an object whose other fields failed, and metric rows checked while
content files have errors (issue 18, point 1)."""

from __future__ import annotations

from click.testing import CliRunner
from helpers import problems_of

from cxreport.cli import main
from cxreport.pipeline import build

J = "content/journeys/first-order.yml"
M = "content/metrics/nps.csv"
NPS = "title: Test\nlanguage: en\nmetrics:\n  - {id: nps, file: metrics/nps.csv, type: nps}\n"


def test_a_journey_with_a_wrong_field_still_names_its_unknown_persona_stage_pillar_and_metric(make_project):
    root = make_project(
        {
            J: """\
            title: First order
            persona: parnet
            stages:
              - stage: atention
                touchpoints:
                  - id: ad
                    name: Advert
                    feling: 1
                    pillars: [reliablity]
                    metrics: [nsp]
            """
        }
    )
    assert problems_of(root) == [
        (J, 2, 10, "unknown persona 'parnet'"),
        (J, 4, 12, "stage 'atention' is not in stage model 'aidas'"),
        (J, 8, 9, "unknown field 'feling'"),
        (J, 9, 19, "unknown pillar 'reliablity'"),
        (J, 10, 19, "unknown metric 'nsp'"),
    ]


def test_references_are_placed_at_their_line_when_earlier_items_failed(make_project):
    """A touchpoint taken out of the object (it lacks its name) does not shift the lines of those after it."""
    root = make_project(
        {
            J: """\
            title: First order
            persona: parent
            stages:
              - stage: Levering
                touchpoints: [{id: a, name: A, feeling: 0}]
              - stage: action
                touchpoints:
                  - {id: b, feeling: 0}
                  - {id: c, name: C, feeling: 0, metrics: [nope]}
                  - {id: c, name: C again, feeling: 0}
            """
        }
    )
    assert problems_of(root) == [
        (J, 4, 12, "stage: 'Levering' is not a valid id"),
        (J, 8, 9, "missing required field 'name'"),
        (J, 9, 48, "unknown metric 'nope'"),
        (J, 10, 14, "touchpoint id 'c' is used twice in this journey (first on line 9)"),
    ]


def test_what_a_salvaged_object_lacks_is_not_reported(make_project):
    """Its errors took values out: no 'has no feeling', 'has no touchpoints' or 'needs results' follow from that."""
    root = make_project(
        {
            J: """\
            title: First order
            persona: nobody
            stages:
              - stage: attention
                touchpoints:
                  - {id: a, name: A, feeling: {score: 3}}
            """,
            "content/playbooks/e.md": "---\ntype: experiment\ntitle: E\nhypothesis: [h]\n"
            "results: {a: {n: 1, conversions: 5}, b: {n: 3, conversions: 1}}\naudience: x\n---\n",
        }
    )
    assert problems_of(root) == [
        (J, 2, 10, "unknown persona 'nobody'"),
        (J, 6, 43, "score: '3' is out of range: must be from -2 to 2"),
        ("content/playbooks/e.md", 4, 13, "hypothesis: expected text, found a list"),
        ("content/playbooks/e.md", 5, 14, "a: conversions cannot exceed n"),
        ("content/playbooks/e.md", 6, 1, "unknown field 'audience'"),
    ]


def test_a_file_whose_name_is_not_an_id_is_checked_through(make_project):
    root = make_project(
        {
            "content/journeys/Eerste Bestelling.yml": "title: E\npersona: parnet\nstage: x\n"
            "stages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n",
            "content/personas/Drukke Ouder.yml": "name: D\n",
            "content/journeys/second.yml": "title: S\npersona: drukke-ouder\n"
            "stages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n",
        }
    )
    assert problems_of(root) == [
        ("content/journeys/Eerste Bestelling.yml", 1, 1, "file name 'Eerste Bestelling' is not a valid id"),
        ("content/journeys/Eerste Bestelling.yml", 2, 10, "unknown persona 'parnet'"),
        ("content/journeys/Eerste Bestelling.yml", 3, 1, "unknown field 'stage'"),
        ("content/personas/Drukke Ouder.yml", 1, 1, "file name 'Drukke Ouder' is not a valid id"),
    ]


def test_metric_rows_are_checked_while_a_journey_has_errors(make_project):
    root = make_project(
        {
            "site.yml": NPS,
            J: """\
            title: First order
            persona: parnet
            stages:
              - stage: attention
                touchpoints:
                  - {id: ad, name: Advert, feling: 1}
            """,
            M: "date,score,touchpoint\n2026-01-01,11,ad\n2026-01-02,x,ad\n2026-01-03,5,nowhere\n",
        }
    )
    assert problems_of(root) == [
        (J, 2, 10, "unknown persona 'parnet'"),
        (J, 6, 32, "unknown field 'feling'"),
        (M, 2, 2, "score '11' in column 'score' is out of range: an nps score is 0 to 10"),
        (M, 3, 2, "unreadable number 'x' in column 'score'"),
        (M, 4, 3, "unknown touchpoint 'nowhere' in column 'touchpoint'"),
    ]


def test_rows_naming_the_map_wait_while_a_journey_cannot_be_read(make_project):
    """A journey whose YAML cannot be parsed may hold any touchpoint: rows naming one are judged once it loads."""
    root = make_project(
        {
            "site.yml": NPS,
            "content/journeys/broken.yml": "title: B\npersona: parent\nstages: [\n",
            M: "date,score,touchpoint\n2026-01-01,11,ad\n2026-01-03,5,nowhere\n",
        }
    )
    found = problems_of(root)
    assert [(p, line) for p, line, _, _ in found] == [("content/journeys/broken.yml", 4), (M, 2)]
    assert found[1][3] == "score '11' in column 'score' is out of range: an nps score is 0 to 10"


def test_build_reports_the_metric_rows_too_and_writes_nothing(make_project):
    root = make_project(
        {
            "site.yml": NPS,
            "content/personas/parent.yml": "name: P\nnmae: x\n",
            M: "date,score\n2026-01-01,11\n",
        }
    )
    result = build(root)
    assert not result.written
    assert [(p.path, p.line, p.code) for p in result.problems] == [
        ("content/metrics/nps.csv", 2, "csv-score-out-of-range"),
        ("content/personas/parent.yml", 2, "unknown-field"),
    ]
    run = CliRunner().invoke(main, ["build", str(root)])
    assert run.exit_code == 1
    assert "content/metrics/nps.csv:2:2: error: score '11'" in run.stderr
