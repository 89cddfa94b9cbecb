"""References across files resolve, with did-you-mean hints; map rules give warnings."""

from __future__ import annotations

from helpers import hints_of, problems_of

J = "content/journeys/first-order.yml"


def journey(body: str) -> dict[str, str]:
    return {J: "title: First order\npersona: parent\n" + body}


def test_unknown_persona_suggests_the_nearest(make_project):
    root = make_project(
        {J: "title: X\npersona: parnt\nstages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n"}
    )
    assert problems_of(root) == [(J, 2, 10, "unknown persona 'parnt'")]
    assert hints_of(root) == ["did you mean 'parent'?"]


def test_stage_not_in_model_and_listed_twice(make_project):
    root = make_project(
        journey("""\
stages:
  - stage: atention
    touchpoints: [{id: a, name: A, feeling: 0}]
  - stage: action
    touchpoints: [{id: b, name: B, feeling: 0}]
  - stage: action
    touchpoints: [{id: c, name: C, feeling: 0}]
""")
    )
    assert problems_of(root) == [
        (J, 4, 12, "stage 'atention' is not in stage model 'aidas'"),
        (J, 8, 12, "stage 'action' is listed twice (first on line 6)"),
    ]
    assert hints_of(root)[0].startswith("did you mean 'attention'")


def test_map_rule_warnings(make_project):
    root = make_project(
        journey("""\
stages:
  - stage: action
    touchpoints:
      - {id: a, name: A}
  - stage: attention
    touchpoints: []
""")
    )
    assert problems_of(root, "warning") == [
        (J, 6, 9, "touchpoint 'a' has no feeling"),
        (J, 7, 12, "stage 'attention' comes after 'action' but the stage model 'aidas' puts it before"),
        (J, 7, 12, "stage 'attention' has no touchpoints"),
    ]


def test_duplicate_touchpoint_unknown_pillar_and_metric(make_project):
    root = make_project(
        journey("""\
stages:
  - stage: attention
    touchpoints:
      - {id: a, name: A, feeling: 0, pillars: [reliabilty]}
      - id: a
        name: B
        feeling: 0
        pillars: {availability: always there, speed: fast}
        metrics: [nps]
""")
    )
    assert problems_of(root) == [
        (J, 6, 48, "unknown pillar 'reliabilty'"),
        (J, 7, 13, "touchpoint id 'a' is used twice in this journey (first on line 6)"),
        (J, 10, 47, "unknown pillar 'speed'"),
        (J, 11, 19, "unknown metric 'nps'"),
    ]


def test_custom_stage_model_and_pillars_from_site(make_project):
    root = make_project(
        {
            "site.yml": """\
title: T
stage_model: service
stage_models:
  service:
    - {id: ask, name: Ask}
    - {id: solve, name: Solve}
pillars:
  speed: {name: Speed}
""",
            J: (
                "title: X\npersona: parent\nstages:\n  - stage: ask\n"
                "    touchpoints: [{id: a, name: A, feeling: 0, pillars: [speed]}]\n"
            ),
        }
    )
    assert problems_of(root) == []


def test_compare_to_must_name_another_journey(make_project):
    root = make_project(
        journey("compare_to: first-ordr\nstages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n")
    )
    assert problems_of(root) == [(J, 3, 13, "unknown journey 'first-ordr'")]
    assert hints_of(root) == ["did you mean 'first-order'?"]


def test_playbook_references(make_project):
    root = make_project(
        {
            "content/playbooks/s.md": (
                "---\ntitle: S\ntype: surprise\ntrigger: birthday\njourney: first-order\ntouchpoint: chekout\n"
                "audience: nobody\nsuccess_metric: nps\n---\n"
            ),
            "content/playbooks/st.md": "---\ntitle: St\ntype: story\npath: [ad, checkout]\n---\n",
        }
    )
    assert problems_of(root) == [
        ("content/playbooks/s.md", 6, 13, "unknown touchpoint of journey 'first-order' 'chekout'"),
        ("content/playbooks/s.md", 7, 11, "unknown persona 'nobody'"),
        ("content/playbooks/s.md", 8, 17, "unknown metric 'nps'"),
        ("content/playbooks/st.md", 4, 8, "path 'ad' needs a journey"),
        ("content/playbooks/st.md", 4, 12, "path 'checkout' needs a journey"),
    ]


def test_experiment_rules(make_project):
    root = make_project(
        {
            "site.yml": "title: T\nmetrics:\n  - {id: nps, file: metrics/nps.csv, type: nps}\n",
            "content/metrics/nps.csv": "date,score\n2026-01-01,9\n",
            "content/playbooks/e1.md": "---\ntitle: E\ntype: experiment\nhypothesis: h\n---\n",
            "content/playbooks/e2.md": "---\ntitle: E\ntype: experiment\nhypothesis: h\nmetric: nps\n---\n",
            "content/playbooks/e3.md": (
                "---\ntitle: E\ntype: experiment\nhypothesis: h\nresults:\n  a: {n: 10, conversions: 11}\n---\n"
            ),
        }
    )
    assert problems_of(root) == [
        ("content/playbooks/e1.md", 2, 1, "an experiment needs 'results' or 'metric'"),
        ("content/playbooks/e2.md", 5, 1, "'control' is required with 'metric'"),
        ("content/playbooks/e2.md", 5, 9, "metric 'nps' is a nps metric; an experiment needs a value metric"),
        ("content/playbooks/e3.md", 6, 6, "a: conversions cannot exceed n"),
    ]


def test_metric_declarations(make_project):
    root = make_project(
        {
            "site.yml": """\
title: T
metrics:
  - {id: a, file: ../../etc/passwd, type: nps}
  - {id: a, file: /etc/passwd, type: nps}
  - {id: b, file: metrics/missing.csv, type: nps, pillar: speedy}
targets:
  nsp: {good: 30, bad: 0}
"""
        }
    )
    assert problems_of(root) == [
        ("site.yml", 3, 19, "metric file '../../etc/passwd' lies outside the project"),
        ("site.yml", 4, 10, "metric id 'a' is declared twice (first on line 3)"),
        ("site.yml", 4, 19, "metric file '/etc/passwd' lies outside the project"),
        ("site.yml", 5, 19, "metric file 'content/metrics/missing.csv' does not exist"),
        ("site.yml", 5, 59, "unknown pillar 'speedy'"),
        ("site.yml", 7, 3, "targets: 'nsp' is neither a metric type nor a metric id"),
    ]
    assert hints_of(root)[-1] == "did you mean 'nps'?"


def test_logo_outside_the_project(make_project):
    root = make_project({"site.yml": "title: T\nbrand:\n  logo: ../../logo.png\n"})
    assert problems_of(root) == [("site.yml", 3, 9, "logo '../../logo.png' lies outside the project")]


def test_the_list_of_valid_choices_reads_as_english(make_project):
    root = make_project(
        {J: "title: X\npersona: zzz\nstages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n"}
    )
    assert hints_of(root) == ["valid personas: 'parent'"]
    assert hints_of(make_project({"content/personas/parent.yml": "name: P\nzzzz: x\n"}))[0] == (
        "valid fields: 'channels', 'description', 'frustrations', 'goals', 'id', 'name', 'quote', 'segment'"
    )
