"""cxreport diff over a review's commits: renames found by what they still share, journey order, the average
feeling, a new stage shown once (issue 18, point 9)."""

from __future__ import annotations

import json

from helpers import write_project
from test_diff import _git_env, commit, diff, git, init_repo  # noqa: F401 (_git_env: the fixture)

SITE = "title: Test\nlanguage: en\n"
PERSONA = "name: Parent\n"
JOURNEY = """\
title: First order
persona: parent
stages:
  - stage: attention
    touchpoints:
      - id: zebra-ad
        name: Advert
        feeling: 1
      - id: search
        name: Search result
        channel: web
        feeling: 0
        doing: [Types a query, Compares shops]
        pain_points: [Too many adverts, No reviews]
  - stage: action
    touchpoints:
      - id: apple-pay
        name: Pay
        feeling: 0
"""
J = "content/journeys/first-order.yml"


def edit(repo, rel, old, new):
    path = repo / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def start(tmp_path):
    repo = init_repo(tmp_path / "handbook")
    write_project(repo, {"site.yml": SITE, "content/personas/parent.yml": PERSONA, J: JOURNEY})
    commit(repo, "base")
    return repo


def changes(*args):
    result = diff(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return [{k: c[k] for k in ("kind", "action", "id", "from_id", "changes")} for c in json.loads(result.stdout)["changes"]]


def test_a_touchpoint_renamed_then_changed_over_three_commits_keeps_its_history(tmp_path):
    repo = start(tmp_path)
    edit(repo, J, "id: search\n        name: Search result", "id: zoeken\n        name: Zoekresultaat")
    commit(repo, "Dutch names")
    edit(repo, J, "channel: web\n        feeling: 0", "channel: web\n        feeling: -1")
    commit(repo, "the search hurts")
    edit(repo, J, "[Too many adverts, No reviews]", "[Too many adverts]")
    commit(repo, "reviews are there now")
    assert changes("HEAD~3", "HEAD", "--path", str(repo)) == [
        {
            "kind": "journey",
            "action": "changed",
            "id": "first-order",
            "from_id": None,
            "changes": [{"field": "average_feeling", "from": 0.3, "to": 0}],  # (1 + 0 + 0) / 3 -> (1 - 1 + 0) / 3
        },
        {
            "kind": "touchpoint",
            "action": "renamed",
            "id": "zoeken",
            "from_id": "search",
            "changes": [
                {"field": "name", "from": "Search result", "to": "Zoekresultaat"},
                {"field": "feeling.score", "from": 0, "to": -1},
                {"field": "pain_points", "added": [], "removed": ["No reviews"]},
            ],
        },
    ]
    text = diff("HEAD~3", "HEAD", "--path", str(repo)).stdout
    assert (
        '  average feeling: 0.3 → 0\n  Touchpoint "Zoekresultaat" (zoeken): renamed from search and changed\n'
        "    name: Search result → Zoekresultaat\n    feeling: 0 → -1\n    - pain point: No reviews\n"
    ) in text


def test_touchpoints_that_share_little_stay_removed_and_added(tmp_path):
    repo = start(tmp_path)
    edit(
        repo,
        J,
        "      - id: apple-pay\n        name: Pay\n        feeling: 0\n",
        "      - id: phone\n        name: Phone call\n        channel: phone\n        doing: [Calls]\n",
    )
    commit(repo, "phone")
    edit(
        repo,
        J,
        "      - id: phone\n        name: Phone call\n        channel: phone\n        doing: [Calls]\n",
        "      - id: chat\n        name: Chat\n        channel: chat\n        doing: [Types]\n",
    )
    commit(repo, "chat instead")  # they share only their stage: 2 facts of 8, below half
    assert [(c["kind"], c["action"], c["id"]) for c in changes("HEAD~1", "HEAD", "--path", str(repo))] == [
        ("journey", "changed", "first-order"),
        ("touchpoint", "removed", "phone"),
        ("touchpoint", "added", "chat"),
    ]


def test_a_journey_renamed_and_changed_in_the_working_tree_is_a_rename(tmp_path):
    repo = start(tmp_path)
    # moved without git mv and not added: git sees no rename; what the journey still shares does
    (repo / J).rename(repo / "content/journeys/first-purchase.yml")
    edit(repo, "content/journeys/first-purchase.yml", "title: First order", "title: First purchase")
    edit(repo, "content/journeys/first-purchase.yml", "feeling: 1", "feeling: 2")
    assert changes("--path", str(repo)) == [
        {
            "kind": "journey",
            "action": "renamed",
            "id": "first-purchase",
            "from_id": "first-order",
            "changes": [
                {"field": "title", "from": "First order", "to": "First purchase"},
                {"field": "average_feeling", "from": 0.3, "to": 0.7},
            ],
        },
        {
            "kind": "touchpoint",
            "action": "changed",
            "id": "zebra-ad",
            "from_id": None,
            "changes": [{"field": "feeling.score", "from": 1, "to": 2}],
        },
    ]


def test_touchpoints_are_listed_in_journey_order_a_removed_one_where_it_was(tmp_path):
    repo = start(tmp_path)
    edit(repo, J, "feeling: 1", "feeling: 2")  # zebra-ad, first in the journey
    search = JOURNEY[JOURNEY.index("      - id: search") : JOURNEY.index("  - stage: action")]
    edit(repo, J, search, "      - {id: middle, name: Middle}\n")  # search: removed, middle: added in its place
    edit(
        repo,
        J,
        "    touchpoints:\n      - id: apple-pay",
        "    touchpoints:\n      - {id: basket, name: Basket}\n      - id: apple-pay",
    )
    edit(repo, J, "name: Pay\n        feeling: 0", "name: Pay\n        feeling: 1")  # apple-pay, last
    expected = [
        ("touchpoint", "changed", "zebra-ad"),
        ("touchpoint", "removed", "search"),
        ("touchpoint", "added", "middle"),
        ("touchpoint", "added", "basket"),
        ("touchpoint", "changed", "apple-pay"),
    ]
    assert [(c["kind"], c["action"], c["id"]) for c in changes("--path", str(repo))] == [
        ("journey", "changed", "first-order"),
        *expected,
    ]
    text = diff("--path", str(repo)).stdout
    assert [line.split("(")[1].split(")")[0] for line in text.splitlines() if line.startswith("  Touchpoint")] == [
        tp for _kind, _action, tp in expected
    ]


def test_a_new_stage_is_shown_once(tmp_path):
    repo = start(tmp_path)
    (repo / J).write_text(
        JOURNEY
        + "  - stage: satisfaction\n    touchpoints:\n      - {id: review, name: Review}\n      - {id: reorder, name: Reorder}\n"
    )
    edit(repo, J, "      - id: apple-pay\n", "      - {id: receipt, name: Receipt}\n      - id: apple-pay\n")
    data = changes("--path", str(repo))
    assert [(c["kind"], c["action"], c["id"], c["changes"]) for c in data] == [
        ("journey", "changed", "first-order", []),
        ("stage", "added", "satisfaction", []),
        ("touchpoint", "added", "receipt", [{"field": "stage", "from": None, "to": "action"}]),
        ("touchpoint", "added", "review", [{"field": "stage", "from": None, "to": "satisfaction"}]),
        ("touchpoint", "added", "reorder", [{"field": "stage", "from": None, "to": "satisfaction"}]),
    ]
    text = diff("--path", str(repo)).stdout
    assert text.split("\n\n")[1] == (
        'Journey "First order" (first-order): changed\n'
        '  Touchpoint "Receipt" (receipt): added\n'
        "    stage: action\n"
        '  Stage "Satisfaction" (satisfaction): added\n'
        '  Touchpoint "Review" (review): added\n'
        '  Touchpoint "Reorder" (reorder): added'
    )
    md = diff("--path", str(repo), "--format", "markdown").stdout
    assert md.count("satisfaction") == 1 and "  - stage: action\n" in md


def test_the_average_feeling_is_compared_as_the_page_shows_it(tmp_path):
    repo = start(tmp_path)
    # (1 + 0 + 0) / 3 and (0.9 + 0.1 + 0) / 3 are both 0.3 with one decimal: no change of the average
    edit(repo, J, "feeling: 1", "feeling: 0.9")
    edit(repo, J, "name: Pay\n        feeling: 0", "name: Pay\n        feeling: 0.1")
    data = changes("--path", str(repo))
    assert data[0] == {"kind": "journey", "action": "changed", "id": "first-order", "from_id": None, "changes": []}
    # no feeling at all on one side: from a figure to none
    for old in ("feeling: 0.9\n", "feeling: 0.1\n", "feeling: 0\n"):
        edit(repo, J, "        " + old, "")
    assert changes("--path", str(repo))[0]["changes"] == [{"field": "average_feeling", "from": 0.3, "to": None}]
