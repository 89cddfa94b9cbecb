"""cxreport diff: a temporary git repository whose commits add, remove, rename and change each kind of thing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_project

from cxreport.cli import main

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2026-03-01T12:00:00+01:00",
    "GIT_COMMITTER_DATE": "2026-03-01T12:00:00+01:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def _git_env(monkeypatch, tmp_path):
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user config
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never find a repository above the test's
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def init_repo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q", "-b", "main")
    return folder


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def remove(root: Path, *paths: str) -> None:
    for rel in paths:
        (root / rel).unlink()


def diff(*args: str):
    return CliRunner().invoke(main, ["diff", *args])


# --- the scenario: one commit of a small handbook, then one that changes every kind of thing ---------------

BASE = {
    "site.yml": """\
        title: Test
        language: en
        metrics:
          - id: nps
            file: metrics/nps.csv
            type: nps
            label: NPS
          - id: old-metric
            file: metrics/nps.csv
            type: nps
        """,
    "content/metrics/nps.csv": "date,score\n2026-01-05,9\n2026-01-06,7\n",
    "content/personas/parent.yml": "name: Parent\nsegment: parents\n",
    "content/personas/student.yml": "name: Student\n",
    "content/personas/teacher.yml": "name: Teacher\n",
    "content/journeys/first-order.yml": """\
        title: First order
        persona: parent
        stages:
          - stage: attention
            goal: Be seen
            touchpoints:
              - id: ad
                name: Advert
                channel: social
                pillars: [availability]
                feeling: {score: -1, label: curious}
                pain_points: [No price, Slow page]
                evidence:
                  - {kind: assumption, note: Team guess}
          - stage: action
            touchpoints:
              - id: checkout
                name: Checkout
                feeling: 0
                doing: [Pays]
        """,
    "content/journeys/returns.yml": """\
        title: Returns
        persona: student
        stages:
          - stage: action
            touchpoints:
              - {id: return-form, name: Return form, feeling: -2}
        """,
    "content/journeys/gift.yml": """\
        title: Gift
        persona: student
        stages:
          - stage: desire
            touchpoints:
              - {id: wishlist, name: Wish list, feeling: 1}
        """,
    "content/playbooks/balloon.md": """\
        ---
        type: surprise
        title: A balloon
        trigger: Birthday within 14 days
        journey: first-order
        touchpoint: checkout
        status: planned
        ---
        A balloon in the box.
        """,
    "content/playbooks/late.md": """\
        ---
        type: recovery
        title: Late parcel
        failure: The parcel is late
        ---
        Say sorry first.
        """,
    "content/playbooks/how-to.md": """\
        ---
        type: guide
        title: How to map
        order: 1
        ---
        # How to map

        Step one.
        """,
    "content/pages/about.md": "---\ntitle: About\n---\nAbout this handbook.\n",
}

CHANGED = {
    "site.yml": """\
        title: Test handbook
        language: en
        metrics:
          - id: nps
            file: metrics/nps.csv
            type: nps
            label: NPS webshop
          - id: csat
            file: metrics/csat.csv
            type: csat
        """,
    "content/metrics/nps.csv": "date,score\n2026-01-05,9\n2026-01-06,7\n2026-02-01,10\n",
    "content/metrics/csat.csv": "date,score\n2026-01-05,4\n",
    "content/personas/grandparent.yml": "name: Grandparent\n",
    "content/journeys/first-order.yml": """\
        title: First order, online
        persona: ouder
        state: future
        stages:
          - stage: attention
            goal: Be seen
            touchpoints:
              - id: ad
                name: Advert
                channel: instagram
                pillars: [availability, situational]
                feeling: {score: 1, label: curious}
                pain_points: [No price, No size chart]
                evidence:
                  - {kind: assumption, note: Team guess}
                  - {kind: interview, source: Interview 3}
          - stage: action
            touchpoints:
              - id: pay
                name: Checkout
                feeling: 0
                doing: [Pays]
          - stage: satisfaction
            touchpoints:
              - {id: review, name: Review, feeling: 2}
        """,
    "content/journeys/repeat-order.yml": """\
        title: Repeat order
        persona: ouder
        stages:
          - stage: action
            touchpoints:
              - {id: reorder, name: Reorder, feeling: 1}
        """,
    "content/playbooks/balloon.md": """\
        ---
        type: surprise
        title: A balloon
        trigger: Birthday within 14 days
        journey: first-order
        touchpoint: pay
        status: live
        ---
        A balloon in the box.
        """,
    "content/playbooks/rain-coat.md": """\
        ---
        type: story
        title: The rain coat
        persona: ouder
        journey: first-order
        path: [ad, pay]
        ---
        Once upon a time.
        """,
    "content/playbooks/how-to.md": """\
        ---
        type: guide
        title: How to map
        order: 1
        ---
        # How to map

        Step one.

        Step two.
        """,
    "content/pages/about.md": "---\ntitle: About this handbook\n---\nAbout this handbook.\n",
}


def make_history(repo: Path) -> tuple[str, str]:
    """Give the commits (base, changed) of the scenario, committed in repo."""
    init_repo(repo)
    write_project(repo, BASE)
    base = commit(repo, "base")
    git(repo, "mv", "content/personas/parent.yml", "content/personas/ouder.yml")
    git(repo, "mv", "content/journeys/gift.yml", "content/journeys/gift-order.yml")
    remove(repo, "content/personas/teacher.yml", "content/journeys/returns.yml", "content/playbooks/late.md")
    write_project(repo, CHANGED)
    changed = commit(repo, "change everything")
    return base, changed


def change(kind, action, id, name, *, journey=None, type=None, path=None, from_id=None, from_path=None, changes=()):
    return {
        "kind": kind,
        "action": action,
        "id": id,
        "name": name,
        "journey": journey,
        "type": type,
        "path": path,
        "from_id": from_id,
        "from_path": from_path,
        "changes": list(changes),
    }


FO = "content/journeys/first-order.yml"
EXPECTED_CHANGES = [
    change(
        "journey",
        "changed",
        "first-order",
        "First order, online",
        path=FO,
        changes=[
            {"field": "title", "from": "First order", "to": "First order, online"},
            {"field": "persona", "from": "parent", "to": "ouder"},
            {"field": "state", "from": "current", "to": "future"},
            {"field": "average_feeling", "from": -0.5, "to": 1},  # (-1 + 0) / 2 -> (1 + 0 + 2) / 3
        ],
    ),
    change(
        "journey",
        "renamed",
        "gift-order",
        "Gift",
        path="content/journeys/gift-order.yml",
        from_id="gift",
        from_path="content/journeys/gift.yml",
    ),
    change("journey", "added", "repeat-order", "Repeat order", path="content/journeys/repeat-order.yml"),
    change("journey", "removed", "returns", "Returns", path="content/journeys/returns.yml"),
    change("stage", "added", "satisfaction", "Satisfaction", journey="first-order", path=FO),
    change(
        "touchpoint",
        "changed",
        "ad",
        "Advert",
        journey="first-order",
        path=FO,
        changes=[
            {"field": "channel", "from": "social", "to": "instagram"},
            {"field": "pillars", "added": ["situational"], "removed": []},
            {"field": "feeling.score", "from": -1, "to": 1},
            {"field": "pain_points", "added": ["No size chart"], "removed": ["Slow page"]},
            {"field": "evidence", "added": [{"kind": "interview", "source": "Interview 3", "note": None}], "removed": []},
        ],
    ),
    change("touchpoint", "renamed", "pay", "Checkout", journey="first-order", path=FO, from_id="checkout"),
    change(
        "touchpoint",
        "added",
        "review",
        "Review",
        journey="first-order",
        path=FO,
        changes=[
            {"field": "stage", "from": None, "to": "satisfaction"},
        ],
    ),
    change("persona", "added", "grandparent", "Grandparent", path="content/personas/grandparent.yml"),
    change(
        "persona",
        "renamed",
        "ouder",
        "Parent",
        path="content/personas/ouder.yml",
        from_id="parent",
        from_path="content/personas/parent.yml",
    ),
    change("persona", "removed", "teacher", "Teacher", path="content/personas/teacher.yml"),
    change(
        "playbook",
        "changed",
        "balloon",
        "A balloon",
        type="surprise",
        path="content/playbooks/balloon.md",
        changes=[
            {"field": "touchpoint", "from": "checkout", "to": "pay"},
            {"field": "status", "from": "planned", "to": "live"},
        ],
    ),
    change(
        "playbook",
        "changed",
        "how-to",
        "How to map",
        type="guide",
        path="content/playbooks/how-to.md",
        changes=[
            {"field": "body", "lines_added": 2, "lines_removed": 0},
        ],
    ),
    change("playbook", "removed", "late", "Late parcel", type="recovery", path="content/playbooks/late.md"),
    change("playbook", "added", "rain-coat", "The rain coat", type="story", path="content/playbooks/rain-coat.md"),
    change(
        "page",
        "changed",
        "about",
        "About this handbook",
        path="content/pages/about.md",
        changes=[
            {"field": "title", "from": "About", "to": "About this handbook"},
        ],
    ),
    change("metric", "added", "csat", "csat", type="csat", path="site.yml"),
    change(
        "metric",
        "changed",
        "nps",
        "NPS webshop",
        type="nps",
        path="site.yml",
        changes=[
            {"field": "label", "from": "NPS", "to": "NPS webshop"},
            {"field": "data", "lines_added": 1, "lines_removed": 0},
        ],
    ),
    change("metric", "removed", "old-metric", "old-metric", type="nps", path="site.yml"),
    change(
        "site",
        "changed",
        None,
        "Test handbook",
        path="site.yml",
        changes=[
            {"field": "title", "from": "Test", "to": "Test handbook"},
        ],
    ),
]


def counts(added=0, removed=0, renamed=0, changed=0):
    return {"added": added, "removed": removed, "renamed": renamed, "changed": changed}


EXPECTED_SUMMARY = {
    "journey": counts(added=1, removed=1, renamed=1, changed=1),
    "stage": counts(added=1),
    "touchpoint": counts(added=1, renamed=1, changed=1),
    "persona": counts(added=1, removed=1, renamed=1),
    "playbook": counts(added=1, removed=1, changed=2),
    "page": counts(changed=1),
    "metric": counts(added=1, removed=1, changed=1),
    "site": counts(changed=1),
}


def test_json_names_every_kind_of_change_exactly(tmp_path):
    repo = tmp_path / "handbook"
    base, changed = make_history(repo)
    result = diff("HEAD~1", "HEAD", "--format", "json", "--path", str(repo))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "version": 1,
        "from": {"label": "HEAD~1", "revision": "HEAD~1", "commit": base},
        "to": {"label": "HEAD", "revision": "HEAD", "commit": changed},
        "summary": EXPECTED_SUMMARY,
        "changes": EXPECTED_CHANGES,
    }
    # sorted keys, so two runs give the same bytes
    assert result.stdout == json.dumps(json.loads(result.stdout), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_default_is_head_against_the_working_tree(tmp_path):
    repo = tmp_path / "handbook"
    make_history(repo)
    unchanged = diff("--format", "json", "--path", str(repo))
    assert unchanged.exit_code == 0, unchanged.output
    data = json.loads(unchanged.stdout)
    assert data["to"] == {"label": "working tree", "revision": None, "commit": None}
    assert data["changes"] == []
    # an edit in the working tree, not committed: the feeling of a touchpoint goes from 2 to -1
    journey = repo / FO
    journey.write_text(
        journey.read_text().replace("{id: review, name: Review, feeling: 2}", "{id: review, name: Review, feeling: -1}")
    )
    edited = diff("--format", "json", "--path", str(repo))
    assert [(c["kind"], c["action"], c["id"], c["changes"]) for c in json.loads(edited.stdout)["changes"]] == [
        ("journey", "changed", "first-order", [{"field": "average_feeling", "from": 1, "to": 0}]),
        ("touchpoint", "changed", "review", [{"field": "feeling.score", "from": 2, "to": -1}]),
    ]


def test_text_speaks_cx(tmp_path):
    repo = tmp_path / "handbook"
    make_history(repo)
    result = diff("HEAD~1", "HEAD", "--path", str(repo))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("Handbook changes from HEAD~1 (")
    for line in [
        'Journey "First order, online" (first-order): changed',
        "  state: current → future",
        '  Touchpoint "Advert" (ad): changed',
        "    feeling: -1 → 1",
        "    + pain point: No size chart",
        "    - pain point: Slow page",
        "    + pillar: situational",
        "    + evidence: interview — Interview 3",
        '  Touchpoint "Checkout" (pay): renamed from checkout',
        '  Stage "Satisfaction" (satisfaction): added',
        'Journey "Gift" (gift-order): renamed from gift',
        'Playbook "A balloon" (balloon, surprise plan): changed — went live',
        "  status: planned → live",
        "  text changed: 2 lines added, 0 removed",
        'Metric "NPS webshop" (nps): changed',
        "Metric csat: added",
        "  data file changed: 1 line added, 0 removed",
        "Site settings: changed",
    ]:
        assert line + "\n" in text
    assert text.endswith(
        "Summary: journeys: 1 added, 1 removed, 1 renamed, 1 changed; stages: 1 added; "
        "touchpoints: 1 added, 1 renamed, 1 changed; personas: 1 added, 1 removed, 1 renamed; "
        "playbooks: 1 added, 1 removed, 2 changed; pages: 1 changed; metrics: 1 added, 1 removed, "
        "1 changed; site settings: 1 changed\n"
    )


def test_markdown_is_a_summary_table_then_collapsed_details(tmp_path):
    repo = tmp_path / "handbook"
    make_history(repo)
    result = diff("HEAD~1", "HEAD", "--format", "markdown", "--path", str(repo))
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.startswith("<!-- cxreport-diff -->\n### Handbook changes: <code>HEAD~1</code> (")
    table = md.index("| | added | removed | renamed | changed |")
    assert "| journeys | 1 | 1 | 1 | 1 |" in md and "| pages | 0 | 0 | 0 | 1 |" in md
    assert md.index("<details>") > table
    assert "<summary>Journey <b>First order, online</b> (<code>first-order</code>): changed</summary>" in md
    assert "  - feeling: &#45;1 → 1" in md or "  - feeling: -1 → 1" in md
    assert "<summary>Playbooks: 1 added, 1 removed, 2 changed</summary>" in md
    assert md.count("<details>") == md.count("</details>") == 7
    assert "<summary>Journeys: 1 added, 1 removed, 1 renamed</summary>" in md


def test_markdown_shows_content_as_text(tmp_path):
    repo = init_repo(tmp_path / "handbook")
    write_project(repo, {**BASE})
    commit(repo, "base")
    journey = repo / FO
    journey.write_text(journey.read_text().replace("Slow page]", "'<script>alert(1)</script> [x](javascript:y) @octocat | *b*']"))
    md = diff("--format", "markdown", "--path", str(repo)).stdout
    assert "<script>" not in md and "[x]" not in md and "@octocat" not in md and "| *b*" not in md
    assert (
        "added pain point: &#60;script&#62;alert(1)&#60;/script&#62; &#91;x&#93;(javascript:y) @\u200boctocat &#124; &#42;b&#42;"
        in md
    )


def test_no_changes(tmp_path):
    repo = init_repo(tmp_path / "handbook")
    write_project(repo, BASE)
    commit(repo, "base")
    result = diff("--path", str(repo))
    assert result.exit_code == 0
    assert result.stdout.endswith("No changes to journeys, personas, playbooks, pages, metrics or site settings.\n")
    assert "No changes" in diff("--format", "markdown", "--path", str(repo)).stdout


def test_a_rename_with_changes_is_found_by_git(tmp_path):
    repo = init_repo(tmp_path / "handbook")
    write_project(repo, BASE)
    commit(repo, "base")
    git(repo, "mv", "content/playbooks/how-to.md", "content/playbooks/mapping-guide.md")
    guide = repo / "content/playbooks/mapping-guide.md"
    guide.write_text(guide.read_text().replace("order: 1", "order: 2"))
    commit(repo, "rename and reorder the guide")
    data = json.loads(diff("HEAD~1", "HEAD", "--format", "json", "--path", str(repo)).stdout)
    assert data["changes"] == [
        change(
            "playbook",
            "renamed",
            "mapping-guide",
            "How to map",
            type="guide",
            path="content/playbooks/mapping-guide.md",
            from_id="how-to",
            from_path="content/playbooks/how-to.md",
            changes=[{"field": "order", "from": 1, "to": 2}],
        )
    ]


# Failures (option-like, unknown and shallow revisions, no repository, odd paths, links out, terminal escapes):
# tests/hostile/test_git.py, the hostile-input catalogue.


def test_field_changes_shapes():
    from cxreport.diff import field_changes, show, text_change

    assert field_changes({"pillars": {"a": None, "b": None}}, {"pillars": {"b": None, "a": None}}) == []
    assert field_changes({"pillars": {"a": "old note"}}, {"pillars": {"a": "new note", "c": None}}) == [
        {"field": "pillars", "added": ["c"], "removed": []},
        {"field": "pillars.a", "from": "old note", "to": "new note"},
    ]
    assert field_changes({"feeling": None}, {"feeling": {"score": 1, "label": None}}) == [
        {"field": "feeling.score", "from": None, "to": 1}
    ]
    assert field_changes({"results": {"a": {"n": 10, "conversions": 1}}}, {"results": {"a": {"n": 12, "conversions": 1}}}) == [
        {"field": "results.a.n", "from": 10, "to": 12}
    ]
    assert field_changes({"path": ["a", "b"]}, {"path": ["b", "a"]}) == [{"field": "path", "from": ["a", "b"], "to": ["b", "a"]}]
    assert field_changes({"doing": ["x", "x"]}, {"doing": ["x"]}) == [{"field": "doing", "added": [], "removed": ["x"]}]
    assert text_change("body", "a\nb\n", "a\nc\nd\n") == [{"field": "body", "lines_added": 2, "lines_removed": 1}]
    assert show(None) == "(none)" and show(True) == "yes" and show(["a", "b"]) == "a, b"
    assert show("x" * 200) == "x" * 159 + "…"
