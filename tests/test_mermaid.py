"""Mermaid user journeys: export, import, and round trips (Mermaid's own documentation example among them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, problems_of

from cxreport import model as m
from cxreport.cli import main
from cxreport.mermaid import fold, match_stage_model, mermaid_score, parse_mermaid, slugify

# "My working day", the example of https://mermaid.js.org/syntax/userJourney.html
# (mermaid-js/mermaid, docs/syntax/userJourney.md), as written there.
MERMAID_DOCS_EXAMPLE = """\
journey
    title My working day
    section Go to work
      Make tea: 5: Me
      Go upstairs: 3: Me
      Do work: 1: Me, Cat
    section Go home
      Go downstairs: 5: Me
      Sit down: 5: Me
"""
DOCS_MEANING = (
    "My working day",
    (
        ("Go to work", (("Make tea", 5, ("Me",)), ("Go upstairs", 3, ("Me",)), ("Do work", 1, ("Me", "Cat")))),
        ("Go home", (("Go downstairs", 5, ("Me",)), ("Sit down", 5, ("Me",)))),
    ),
)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_the_docs_example_parses_as_mermaid_reads_it():
    assert parse_mermaid(MERMAID_DOCS_EXAMPLE).meaning() == DOCS_MEANING


def test_the_docs_example_imports_checks_and_exports_back_unchanged_in_meaning(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "working-day.mmd"
    diagram.write_text(MERMAID_DOCS_EXAMPLE)
    result = run("import", "mermaid", str(diagram), "--path", str(root), "--persona", "parent")
    assert result.exit_code == 0, result.output
    written = root / "content/journeys/my-working-day.yml"
    assert result.stderr.startswith(f"wrote {written}\n")
    snippet = "stage_models:\n  my-working-day:\n    - {id: go-to-work, name: Go to work}\n    - {id: go-home, name: Go home}\n"
    assert snippet in result.stderr
    text = written.read_text()
    assert text == (
        "# Imported from working-day.mmd by cxreport import mermaid.\n"
        "#\n"
        "# Its sections are not the stages of a stage model of this site, so this journey uses a new\n"
        "# stage model, 'my-working-day'. Add it to site.yml (under stage_models: if site.yml has that key already):\n"
        "#\n"
        "#   stage_models:\n"
        "#     my-working-day:\n"
        "#       - {id: go-to-work, name: Go to work}\n"
        "#       - {id: go-home, name: Go home}\n"
        "title: My working day\n"
        "persona: parent\n"
        "state: current\n"
        "stage_model: my-working-day\n"
        "stages:\n"
        "  - stage: go-to-work\n"
        "    touchpoints:\n"
        "      - id: make-tea\n        name: Make tea\n        channel: Me\n        feeling: {score: 2}\n"
        "      - id: go-upstairs\n        name: Go upstairs\n        channel: Me\n        feeling: {score: 0}\n"
        "      - id: do-work\n        name: Do work\n        channel: Me, Cat\n        feeling: {score: -2}\n"
        "  - stage: go-home\n"
        "    touchpoints:\n"
        "      - id: go-downstairs\n        name: Go downstairs\n        channel: Me\n        feeling: {score: 2}\n"
        "      - id: sit-down\n        name: Sit down\n        channel: Me\n        feeling: {score: 2}\n"
    )
    # until the site knows the new stage model, check says so; with the snippet added it passes, strictly
    assert problems_of(root) == [("content/journeys/my-working-day.yml", 13, 14, "unknown stage model 'my-working-day'")]
    (root / "site.yml").write_text((root / "site.yml").read_text() + snippet)
    assert run("check", str(root), "--strict").exit_code == 0
    exported = run("export", "mermaid", "my-working-day", "--path", str(root))
    assert exported.exit_code == 0, exported.output
    assert parse_mermaid(exported.stdout).meaning() == DOCS_MEANING
    # even the text, here, with the title also written as the accessible title
    assert exported.stdout == MERMAID_DOCS_EXAMPLE.replace("day\n", "day\n    accTitle: My working day\n", 1)


def test_a_journey_exports_and_imports_back(make_project):
    root = make_project(
        {
            "content/journeys/first-order.yml": """\
        title: First order
        persona: parent
        stages:
          - stage: attention
            touchpoints:
              - {id: ad, name: Advert, channel: social, feeling: {score: 1, label: curious}}
              - {id: search, name: Search result, channel: "web, mobile", feeling: 0.5}
          - stage: action
            touchpoints:
              - {id: checkout, name: Checkout, feeling: -1}
              - {id: receipt, name: Receipt, feeling: -2}
          - stage: satisfaction
            touchpoints:
              - {id: unboxing, name: Unboxing, channel: product, feeling: 2}
        """
        }
    )
    exported = run("export", "mermaid", "first-order", "--path", str(root))
    assert exported.exit_code == 0, exported.output
    assert exported.stdout == (
        "journey\n"
        "    title First order\n"
        "    accTitle: First order\n"
        "    section Attention\n"
        "      Advert: 4: social\n"
        "      Search result: 4: web, mobile\n"
        "    section Action\n"
        "      Checkout: 2\n"
        "      Receipt: 1\n"
        "    section Satisfaction\n"
        "      Unboxing: 5: product\n"
    )
    diagram = root / "first-order.mmd"
    diagram.write_text(exported.stdout)
    out = root / "content/journeys/first-order-again.yml"
    result = run("import", "mermaid", str(diagram), "--out", str(out), "--persona", "parent", "--path", str(root))
    assert result.exit_code == 0, result.output
    assert "stage_models" not in result.stderr  # the built-in model's names matched
    assert run("check", str(root), "--strict").exit_code == 0
    from cxreport.pipeline import check

    project, _ = check(root)
    again = project.journeys["first-order-again"]
    assert again.stage_model == "aidas"
    assert [(s.stage, t.id, t.name, t.channel, t.feeling.score) for s, t in again.touchpoints()] == [
        ("attention", "advert", "Advert", "social", 1),
        ("attention", "search-result", "Search result", "web, mobile", 1),  # 0.5 was drawn as 4 (3.5, half up)
        ("action", "checkout", "Checkout", None, -1),  # no channel: no actor, and back
        ("action", "receipt", "Receipt", None, -2),
        ("satisfaction", "unboxing", "Unboxing", "product", 2),
    ]


@pytest.mark.parametrize(
    "feeling, score",
    [
        (-2, 1),
        (-1.5, 2),
        (-1, 2),
        (-0.5, 3),
        (0, 3),
        (0.49, 3),
        (0.5, 4),
        (1, 4),
        (1.5, 5),
        (2, 5),
        (None, 3),
    ],
)
def test_feeling_to_score_is_plus_three_rounded_half_up(feeling, score):
    assert mermaid_score(None if feeling is None else m.Feeling(score=feeling)) == score


def test_sections_match_built_in_stages_by_english_or_dutch_name_case_and_accents_ignored(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "reis.mmd"
    diagram.write_text(
        "journey\n  title Een reis\n  section BEWUSTWÓRDING\n    Advertentie: 4: social\n"
        "  section onderzoek\n    Vergelijken: 3\n  section Purchase\n    Betalen: 2: web\n"
        "  section unboxing\n    Uitpakken: 5: product\n"
    )
    result = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root))
    assert result.exit_code == 0, result.output
    text = (root / "content/journeys/een-reis.yml").read_text()
    assert "stage_model: funnel\n" in text
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("- stage:")] == [
        "- stage: awareness",
        "- stage: research",
        "- stage: purchase",
        "- stage: unboxing",
    ]
    assert "channel" not in text.split("id: vergelijken")[1].split("- id")[0]  # a task without actors
    assert run("check", str(root), "--strict").exit_code == 0


def test_the_site_default_model_is_tried_first_and_site_models_match_too(make_project, tmp_path):
    root = make_project(
        {
            "site.yml": """\
        title: T
        stage_model: service
        stage_models:
          service:
            - {id: ask, name: Vraag stellen}
            - {id: answer, name: Antwoord krijgen}
        """
        }
    )
    diagram = tmp_path / "d.mmd"
    diagram.write_text("journey\ntitle Help\nsection vraag stellen\nMail: 2: mail\nsection ANSWER\nReply: 4: mail\n")
    result = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root), "--out", "-")
    assert result.exit_code == 0, result.output
    assert "stage_model: service\n" in result.stdout
    assert "  - stage: ask\n" in result.stdout and "  - stage: answer\n" in result.stdout


def test_names_with_colons_hashes_and_semicolons_survive_as_entity_codes(make_project, tmp_path):
    root = make_project(
        {
            "content/journeys/first-order.yml": """\
        title: "Order #1; the first"
        persona: parent
        stages:
          - stage: attention
            touchpoints:
              - {id: ad, name: "Ad: 10% off #deal; today", channel: "web: shop", feeling: 1}
        """
        }
    )
    exported = run("export", "mermaid", "first-order", "--path", str(root)).stdout
    assert exported == (
        "journey\n    title Order #35;1#59; the first\n    accTitle: Order #35;1#59; the first\n    section Attention\n"
        "      Ad#58; 10% off #35;deal#59; today: 4: web#58; shop\n"
    )
    diagram = parse_mermaid(exported)
    assert diagram.meaning() == ("Order #1; the first", (("Attention", (("Ad: 10% off #deal; today", 4, ("web: shop",)),)),))


def test_a_task_with_no_actor_comes_back_with_no_actor(make_project, tmp_path):
    # cxreport 0.1 drew a touchpoint without a channel with the persona's name as actor: `Sanne#44; the busy parent`
    root = make_project({"content/personas/parent.yml": "name: Sanne, the busy parent\n"})
    diagram = tmp_path / "d.mmd"
    diagram.write_text("journey\n  title Tea\n  section Attention\n    Make tea: 5\n    Drink it: 4:\n    Wash up: 2: Me, Cat\n")
    result = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root))
    assert result.exit_code == 0, result.output
    exported = run("export", "mermaid", "tea", "--path", str(root)).stdout
    assert exported == (
        "journey\n    title Tea\n    accTitle: Tea\n    section Attention\n"
        "      Make tea: 5\n      Drink it: 4\n      Wash up: 2: Me, Cat\n"
    )
    assert [t.actors for t in parse_mermaid(exported).sections[0].tasks] == [[], [], ["Me", "Cat"]]
    # a diagram cxreport 0.1 exported still imports without that channel, and says so once
    old = tmp_path / "old.mmd"
    old.write_text(
        "journey\n  title Old\n  section Action\n    Pay: 2: Sanne#44; the busy parent\n    Wait: 1: Sanne#44; the busy parent\n"
    )
    result = run("import", "mermaid", str(old), "--persona", "parent", "--path", str(root), "--out", "-")
    assert "channel" not in result.stdout
    assert result.stderr == (
        "note: 2 tasks whose only actor is the persona's name 'Sanne, the busy parent' got no channel "
        "(cxreport 0.1 exported a touchpoint without a channel that way)\n"
    )


def test_mermaid_in_a_markdown_file_with_comments_and_accessibility_lines(make_project, tmp_path):
    root = make_project()
    doc = tmp_path / "notes.md"
    doc.write_text(
        "# Notes\n\n```mermaid\nflowchart LR\n  a --> b\n```\n\nThe journey:\n\n"
        "```mermaid\n%%{init: {'theme': 'forest'}}%%\njourney\n  accTitle: Working day\n"
        "  accDescr: A day at the office\n  title My day %% a comment\n  section Go to work\n"
        "    Make tea: 5: Me # another comment\n    Make tea: 4: Me\n```\n"
    )
    result = run("import", "mermaid", str(doc), "--persona", "parent", "--path", str(root), "--out", "-")
    assert result.exit_code == 0, result.output
    assert "title: My day\n" in result.stdout
    assert "summary: A day at the office\n" in result.stdout
    assert "      - id: make-tea\n" in result.stdout and "      - id: make-tea-2\n" in result.stdout  # ids made unique


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("journey\n  title T\n  section S\n    Tea: x: Me\n", 4, "task 'Tea' has score 'x'; a score is a number from 1 to 5"),
        ("journey\n  title T\n  section S\n    Tea: 6: Me\n", 4, "task 'Tea' has score '6'; a score is a number from 1 to 5"),
        ("journey\n  title T\n  Tea: 5: Me\n", 3, "task 'Tea' comes before any section"),
        ("flowchart LR\n  a --> b\n", 1, "not a Mermaid user journey: the diagram starts with 'flowchart LR'"),
        ("journey\n  title T\n", 2, "the journey has no sections"),
        ("journey\n  section S\n    Tea: 5: Me; Cat\n", 3, "';' is not allowed in a Mermaid journey"),
        ("journey\n  section S\n    just words\n", 3, "cannot read 'just words': not a title, section or task"),
    ],
)
def test_unreadable_diagrams_name_the_line(make_project, tmp_path, text, line, message):
    root = make_project()
    diagram = tmp_path / "bad.mmd"
    diagram.write_text(text)
    result = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{diagram}:{line}:1: error: {message}\n")
    assert not (root / "content/journeys/t.yml").exists()


def test_score_zero_is_read_as_the_lowest_feeling(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "d.mmd"
    diagram.write_text("journey\ntitle Zero\nsection Attention\nAd: 0: Me\n")
    result = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root), "--out", "-")
    assert "feeling: {score: -2}" in result.stdout
    assert "note: task 'Ad' has score 0; scores below 1 are read as 1 (feeling -2)" in result.stderr


def test_import_refuses_to_overwrite(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "d.mmd"
    diagram.write_text(MERMAID_DOCS_EXAMPLE)
    existing = root / "content/journeys/first-order.yml"
    before = existing.read_text()
    result = run("import", "mermaid", str(diagram), "--out", str(existing), "--persona", "parent", "--path", str(root))
    assert result.exit_code == 1
    assert f"cxreport: error: '{existing}' already exists; cxreport never overwrites a file" in result.stderr
    assert existing.read_text() == before
    # without --out the id is made unique instead
    assert run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root)).exit_code == 0
    assert run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root)).exit_code == 0
    assert (root / "content/journeys/my-working-day-2.yml").is_file()


def test_an_out_file_whose_name_is_not_an_id_gets_an_id_line(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "d.mmd"
    diagram.write_text("journey\ntitle Zero\nsection Attention\nAd: 3: Me\n")
    out = root / "content/journeys/My Journey.yml"
    assert run("import", "mermaid", str(diagram), "--out", str(out), "--persona", "parent", "--path", str(root)).exit_code == 0
    assert "\nid: zero\n" in out.read_text()
    assert run("check", str(root), "--strict").exit_code == 0


def test_the_persona(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "d.mmd"
    diagram.write_text("journey\ntitle Zero\nsection Attention\nAd: 3: Parent\n")
    only = run("import", "mermaid", str(diagram), "--path", str(root), "--out", "-")
    assert "persona: parent\n" in only.stdout and "channel" not in only.stdout  # the persona's name is no channel
    assert "note: persona: parent (the project's only persona)" in only.stderr
    unknown = run("import", "mermaid", str(diagram), "--path", str(root), "--persona", "parnet")
    assert unknown.exit_code == 1
    assert "cxreport: error: unknown persona 'parnet'\n  hint: did you mean 'parent'?" in unknown.stderr
    (root / "content/personas/student.yml").write_text("name: Student\n")
    several = run("import", "mermaid", str(diagram), "--path", str(root))
    assert several.exit_code == 2
    assert "name the journey's persona with --persona (one of: parent, student)" in several.stderr


def test_export_errors_and_out_file(make_project, tmp_path):
    root = make_project()
    unknown = run("export", "mermaid", "first-ordre", "--path", str(root))
    assert unknown.exit_code == 1
    assert unknown.stderr == "cxreport: error: unknown journey 'first-ordre'\n  hint: did you mean 'first-order'?\n"
    out = tmp_path / "diagram.mmd"
    assert run("export", "mermaid", "first-order", "--path", str(root), "--out", str(out)).exit_code == 0
    assert out.read_text().startswith("journey\n    title First order\n")
    (root / "content/journeys/first-order.yml").write_text("title: [broken\n")
    broken = run("export", "mermaid", "first-order", "--path", str(root))
    assert broken.exit_code == 1
    assert broken.stderr.startswith("content/journeys/first-order.yml:")
    assert "Traceback" not in broken.output


def test_the_example_handbook_exports_every_touchpoint():
    result = run("export", "mermaid", "eerste-bestelling", "--path", str(REPO))
    assert result.exit_code == 0, result.output
    diagram = parse_mermaid(result.stdout)
    # named as the Dutch site names them; an import matches Dutch and English names alike
    assert [s.name for s in diagram.sections] == ["Aandacht", "Interesse", "Verlangen", "Actie", "Tevredenheid"]
    from cxreport.pipeline import check

    project, _ = check(REPO)
    journey = project.journeys["eerste-bestelling"]
    assert [t.name for s in diagram.sections for t in s.tasks] == [t.name for _, t in journey.touchpoints()]
    assert [t.score for s in diagram.sections for t in s.tasks] == [mermaid_score(t.feeling) for _, t in journey.touchpoints()]
    assert match_stage_model(diagram.sections, dict(project.stage_models), project.config.stage_model) == (
        "aidas",
        [s.stage for s in journey.stages],
    )


def test_fold_and_slugify():
    assert fold("  Bewust-wórding_ ") == fold("bewust wording")
    assert slugify("Crème brûlée: 10% off!") == "creme-brulee-10-off"
    assert slugify("!!!", "touchpoint") == "touchpoint"
    assert Path(slugify("x" * 100)).name == "x" * 60


def test_hostile_names_stay_text_in_the_journey_file(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "evil\u2028title: x.mmd"
    diagram.write_text(
        'journey\ntitle "Quoted" {braces} [x]\nsection Attention\nPay\u2028stages#58; [] now: 3: web\u2029app, "me"\n'
    )
    out = root / "content/journeys/evil.yml"
    result = run("import", "mermaid", str(diagram), "--out", str(out), "--persona", "parent", "--path", str(root))
    assert result.exit_code == 0, result.output
    from cxreport.pipeline import check

    project, problems = check(root)
    assert not problems.errors, [p.format() for p in problems]
    journey = project.journeys["evil"]
    assert journey.title == '"Quoted" {braces} [x]'
    ((_stage, tp),) = journey.touchpoints()
    assert (tp.name, tp.channel) == ("Pay\u2028stages: [] now", 'web\u2029app, "me"')


def test_a_persona_given_without_a_project_is_written_as_text(tmp_path):
    diagram = tmp_path / "d.mmd"
    diagram.write_text("journey\ntitle T\nsection Attention\nAd: 3: Me\n")
    result = run("import", "mermaid", str(diagram), "--persona", "x\nstages: []", "--path", str(tmp_path), "--out", "-")
    assert result.exit_code == 0, result.output
    assert 'persona: "x\\nstages: []"\n' in result.stdout
    assert "note: no usable site.yml" in result.stderr
