"""Mermaid as it is written: the documentation's own page and the parser's own test cases, names YAML would read
as something else, two imports of one title, accessibility lines through a round trip (issue 18, points 10, 17)."""

from __future__ import annotations

import pytest
from test_mermaid import DOCS_MEANING, MERMAID_DOCS_EXAMPLE, run

from cxreport.mermaid import parse_mermaid
from cxreport.pipeline import check

# mermaid-js/mermaid, packages/mermaid/src/docs/syntax/userJourney.md, as written there (its start)
USER_JOURNEY_MD = (
    "# User Journey Diagram\n\n<script setup>\nimport IconsNote from './icons-note.md'\n</script>\n\n<IconsNote />\n\n"
    "> User journeys describe at a high level of detail exactly what steps different users take to complete a "
    "specific task within a system, application or website. (Wikipedia)\n\nMermaid can render user journey diagrams:\n\n"
    "```mermaid-example\n" + MERMAID_DOCS_EXAMPLE + "```\n\n"
    "Each user journey is split into sections, these describe the part of the task\n"
    "the user is trying to complete.\n\nTasks syntax is `Task name: <score>: <comma separated list of actors>`\n"
)


def test_the_documentation_page_as_written_imports(make_project, tmp_path):
    page = tmp_path / "userJourney.md"
    page.write_text(USER_JOURNEY_MD)
    assert parse_mermaid(USER_JOURNEY_MD).meaning() == DOCS_MEANING
    for info in ("mermaid-nocode", "MERMAID", "mermaid {theme: forest}"):
        assert parse_mermaid(USER_JOURNEY_MD.replace("mermaid-example", info)).meaning() == DOCS_MEANING
    longer = "````mermaid\n" + MERMAID_DOCS_EXAMPLE + "````\n"
    assert parse_mermaid("Text\n\n" + longer + "\nMore text\n").meaning() == DOCS_MEANING
    root = make_project()
    result = run("import", "mermaid", str(page), "--persona", "parent", "--path", str(root), "--out", "-")
    assert result.exit_code == 0, result.output
    assert "title: My working day\n" in result.stdout


# Mermaid's tests write their diagrams in indented template strings, front matter included.
INDENTED_FRONT_MATTER = """
    ---
    title: "Front matter: the title"
    config:
      journey:
        diagramMarginX: 10
    ---
    journey
      section Go to work
        Make tea: 5: Me
"""


def test_indented_front_matter_gives_the_title():
    assert parse_mermaid(INDENTED_FRONT_MATTER).title == "Front matter: the title"
    assert parse_mermaid("```mermaid" + INDENTED_FRONT_MATTER + "```\n").title == "Front matter: the title"
    # the diagram's own title statement comes later and wins, as in Mermaid
    with_title = INDENTED_FRONT_MATTER.replace("    journey\n", "    journey\n      title Own title\n")
    assert parse_mermaid(with_title).title == "Own title"


def test_front_matter_that_is_no_yaml_names_its_line(make_project, tmp_path):
    diagram = tmp_path / "d.mmd"
    diagram.write_text(INDENTED_FRONT_MATTER.replace('"Front matter: the title"', "Front matter: the title"))
    result = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(make_project()))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{diagram}:3:1: error: front matter: YAML syntax error: mapping values are not allowed")


def test_a_title_straight_after_an_acc_descr_block_is_read():
    # mermaid-js/mermaid, packages/mermaid/src/diagrams/user-journey/parser/journey.spec.ts, as written there
    text = (
        "journey\n"
        + "accDescr {\n        A user journey for\n        family shopping\n      }"
        + "title Adding journey diagram functionality to mermaid\n"
        + "accTitle: Adding acc journey diagram functionality to mermaid\n"
        + "section Order from website"
    )
    diagram = parse_mermaid(text)
    assert diagram.title == "Adding journey diagram functionality to mermaid"
    assert diagram.acc_title == "Adding acc journey diagram functionality to mermaid"
    assert diagram.description == "A user journey for family shopping"
    one_line = parse_mermaid("journey\nACCDESCR { Shopping; #1 } title Shop\nsection S\nBuy: 3\n")
    assert (one_line.title, one_line.description) == ("Shop", "Shopping; #1")


def test_line_breaks_in_names_become_spaces():
    # the section of Mermaid's own test 'multiline section titles with different line breaks'
    text = "journey\ntitle Adding<br>gantt\nsection Line1<br>Line2<br/>Line3</br />Line4<br\t/>Line5\nMake <BR> tea: 5: Me<br>You, Cat\n"
    diagram = parse_mermaid(text)
    assert diagram.meaning() == (
        "Adding gantt",
        (("Line1 Line2 Line3 Line4 Line5", (("Make tea", 5, ("Me You", "Cat")),)),),
    )


def test_acc_title_and_acc_descr_survive_a_round_trip(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "d.mmd"
    written = (
        "journey\n    title Tea time\n    accTitle: Tea time\n    accDescr: How a #35;1 cup of tea is made#59; step by step\n"
        "    section Attention\n      Make tea: 5: Me\n"
    )
    diagram.write_text(written)
    assert run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root)).exit_code == 0
    assert 'summary: "How a #1 cup of tea is made; step by step"\n' in (root / "content/journeys/tea-time.yml").read_text()
    exported = run("export", "mermaid", "tea-time", "--path", str(root)).stdout
    assert exported == written
    again = parse_mermaid(exported)
    assert (again.title, again.acc_title, again.description) == (
        "Tea time",
        "Tea time",
        "How a #1 cup of tea is made; step by step",
    )


def test_an_acc_title_alone_is_the_title_and_a_different_one_is_noted(make_project, tmp_path):
    root = make_project()
    diagram = tmp_path / "d.mmd"
    diagram.write_text("journey\n  accTitle: Only accessible\n  section Attention\n    Ad: 3\n")
    alone = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root), "--out", "-")
    assert "title: Only accessible\n" in alone.stdout and "accTitle" not in alone.stderr
    diagram.write_text("journey\n  title Seen\n  accTitle: Heard\n  section Attention\n    Ad: 3\n")
    both = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root), "--out", "-")
    assert "title: Seen\n" in both.stdout
    assert both.stderr == "note: accTitle 'Heard' is not kept: the journey's title 'Seen' is its accessible title\n"


def test_two_diagrams_with_one_title_get_two_stage_models(make_project, tmp_path):
    root = make_project()
    first, second = tmp_path / "a.mmd", tmp_path / "b.mmd"
    first.write_text("journey\n  title My day\n  section Wake up\n    Alarm: 2\n")
    second.write_text("journey\n  title My day\n  section Commute\n    Train: 3\n  section Office\n    Coffee: 4\n")
    one = run("import", "mermaid", str(first), "--persona", "parent", "--path", str(root))
    two = run("import", "mermaid", str(second), "--persona", "parent", "--path", str(root))
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert "stage_models:\n  my-day:\n    - {id: wake-up, name: Wake up}\n" in one.stderr
    snippet = "stage_models:\n  my-day-2:\n    - {id: commute, name: Commute}\n    - {id: office, name: Office}\n"
    assert snippet in two.stderr
    assert "stage_model: my-day-2\n" in (root / "content/journeys/my-day-2.yml").read_text()
    site = root / "site.yml"
    site.write_text(
        site.read_text() + "stage_models:\n  my-day:\n    - {id: wake-up, name: Wake up}\n" + snippet.split("\n", 1)[1]
    )
    assert run("check", str(root), "--strict").exit_code == 0


# Names YAML reads as something else when written plain: null, booleans, numbers, dates, a comma in a flow list.
TRICKY = ["null", "Null", "~", "true", "yes", "No", "on", "2024-01-01", "1_000", "0x1F", "12", "1.5", ".inf", "Opstaan, koffie"]


@pytest.mark.parametrize("name", TRICKY)
def test_names_yaml_would_misread_import_as_text(make_project, tmp_path, name):
    root = make_project()
    diagram = tmp_path / "d.mmd"
    diagram.write_text(f"journey\n  title {name}\n  section {name}\n    {name}: 4: {name}\n  section Koffie\n    {name}: 2\n")
    result = run("import", "mermaid", str(diagram), "--persona", "parent", "--path", str(root), "--out", "-")
    assert result.exit_code == 0, result.output
    snippet = result.stderr.split("\n\n", 1)[1]
    journey = root / "content/journeys/imported.yml"
    journey.write_text(result.stdout)
    (root / "site.yml").write_text((root / "site.yml").read_text() + snippet)
    done = run("check", str(root), "--strict")
    assert done.exit_code == 0, done.output
    project, _ = check(root)
    imported = project.journeys["imported"]
    assert imported.title == name
    assert [(t.name, t.channel) for _, t in imported.touchpoints()] == [(name, name), (name, None)]
    model = project.stage_models[imported.stage_model]
    assert [s.name for s in model] == [name, "Koffie"]
    assert [s.stage for s in imported.stages] == [s.id for s in model]
    assert len({t.id for _, t in imported.touchpoints()}) == 2
