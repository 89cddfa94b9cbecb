"""The check and schema commands: exit codes, formats, and the example handbook."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers import REPO

from cxreport.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_example_handbook_passes_strict_check():
    result = run("check", str(REPO), "--strict")
    assert result.exit_code == 0, result.output
    assert "OK: 3 journeys, 2 personas, 11 playbooks, 2 pages checked" in result.output


def test_check_exits_1_on_errors_and_prints_file_line_col(make_project):
    root = make_project({"site.yml": "title: T\nlanguag: nl\n"})
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "site.yml:2:1: error: unknown field 'languag'\n  hint: did you mean 'language'?" in result.output
    assert "1 error, 0 warnings" in result.output


def test_warnings_pass_unless_strict(make_project):
    root = make_project(
        {
            "content/journeys/first-order.yml": "title: J\npersona: parent\nstages:\n  - stage: attention\n    touchpoints: [{id: a, name: A}]\n"
        }
    )
    assert run("check", str(root)).exit_code == 0
    strict = run("check", str(root), "--strict")
    assert strict.exit_code == 1
    assert "warnings count as errors" in strict.output


def test_strict_in_site_yml_turns_warnings_into_errors(make_project):
    root = make_project(
        {
            "site.yml": "title: T\nstrict: true\n",
            "content/journeys/first-order.yml": "title: J\npersona: parent\nstages:\n  - stage: attention\n    touchpoints: [{id: a, name: A}]\n",
        }
    )
    assert run("check", str(root)).exit_code == 1


def test_json_format_is_a_list_of_problems(make_project):
    root = make_project({"content/personas/parent.yml": "nmae: P\n"})
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(p["path"], p["line"], p["col"], p["severity"], p["message"]) for p in data] == [
        ("content/personas/parent.yml", 1, 1, "error", "missing required field 'name'"),
        ("content/personas/parent.yml", 1, 1, "error", "unknown field 'nmae'"),
    ]
    assert data[1]["hint"] == "did you mean 'name'?"


def test_github_format_prints_annotations(make_project):
    root = make_project({"content/personas/parent.yml": "name: P\nsegment: [a, b]\n"})
    result = CliRunner().invoke(main, ["check", str(root), "--format", "github"])
    assert result.exit_code == 1
    assert (
        result.stdout
        == "::error file=content/personas/parent.yml,line=2,col=10,title=invalid-text::"
        + "segment: expected text, found a list%0A".replace("%0A", "")
        + " (hint: put the text on the same line, in quotes if it contains ': ')\n"
    )


def test_usage_errors_exit_2(tmp_path):
    assert run("check", str(tmp_path / "nowhere")).exit_code == 2
    assert run("check", "--format", "xml").exit_code == 2
    assert run("schema").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_schema_per_kind_is_json_schema_for_editors(tmp_path):
    result = run("schema", "journey")
    schema = json.loads(result.output)
    assert schema["title"].startswith("cxreport journey map")
    assert set(schema["required"]) == {"title", "persona", "stages"}  # id comes from the file name
    assert "pain_points" in json.dumps(schema)
    out = run("schema", "--out", str(tmp_path))
    assert out.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "journey.schema.json",
        "page.schema.json",
        "persona.schema.json",
        "playbook.schema.json",
        "site.schema.json",
    ]
    playbook = json.loads((tmp_path / "playbook.schema.json").read_text())
    assert "body" not in json.dumps(playbook["$defs"]["Surprise"]["properties"])


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "cxreport", "check", str(REPO)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_build_as_the_command_leaves_at_once_with_its_output_written(tmp_path):
    out = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "cxreport", "build", str(REPO), "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("Built 35 pages, 980 figures, 0 warnings in ")
    assert proc.stderr.endswith(f" -> {__import__('os').path.relpath(out)}\n")
    assert (out / "index.html").is_file() and (out / "data" / "figures.json").is_file()


def test_github_annotations_name_the_file_from_the_repository_root(tmp_path):
    """A handbook in a subfolder of a repository: GitHub places an annotation by its path from the root."""
    repo = tmp_path / "repo"
    handbook = repo / "hand book,1"
    (repo / ".git").mkdir(parents=True)
    (handbook / "content/personas").mkdir(parents=True)
    (handbook / "site.yml").write_text("title: T\n")
    (handbook / "content/personas/parent.yml").write_text("name: P\nnmae: x\n")
    for where in (repo, handbook, tmp_path):  # wherever it is run from
        proc = subprocess.run(
            [sys.executable, "-m", "cxreport", "check", str(handbook), "--format", "github"],
            capture_output=True,
            text=True,
            check=False,
            cwd=where,
        )
        assert proc.returncode == 1
        assert proc.stdout == (
            "::error file=hand book%2C1/content/personas/parent.yml,line=2,col=1,title=unknown-field::"
            "unknown field 'nmae' (hint: did you mean 'name'?)\n"
        )


def test_github_annotations_outside_a_repository_start_from_the_working_directory(tmp_path):
    handbook = tmp_path / "gh"
    (handbook / "content/personas").mkdir(parents=True)
    (handbook / "site.yml").write_text("title: T\n")
    (handbook / "content/personas/parent.yml").write_text("name: P\nnmae: x\n")
    runs = {
        where: subprocess.run(
            [sys.executable, "-m", "cxreport", "check", str(handbook), "--format", "github"],
            capture_output=True,
            text=True,
            check=False,
            cwd=where,
        ).stdout.split("::")[1]
        for where in (tmp_path, handbook)
    }
    assert runs == {
        tmp_path: "error file=gh/content/personas/parent.yml,line=2,col=1,title=unknown-field",
        handbook: "error file=content/personas/parent.yml,line=2,col=1,title=unknown-field",
    }


def test_json_gives_no_line_for_a_whole_file_problem(make_project):
    root = make_project({"content/journeys/notes.txt": "x", "content/personas/parent.yml": "nmae: P\n"})
    data = json.loads(run("check", str(root), "--format", "json").stdout)
    assert [(p["path"], p["line"], p["col"], p["code"]) for p in data] == [
        ("content/journeys/notes.txt", None, None, "file-ignored"),
        ("content/personas/parent.yml", 1, 1, "missing-field"),
        ("content/personas/parent.yml", 1, 1, "unknown-field"),
    ]


def test_check_quiet_prints_only_problems_and_counts_read_as_english(make_project):
    root = make_project()
    result = run("check", str(root))
    assert (result.exit_code, result.output) == (0, "OK: 1 journey, 1 persona, 0 playbooks, 0 pages checked\n")
    assert (run("check", "-q", str(root)).exit_code, run("check", "--quiet", str(root)).output) == (0, "")
    warned = make_project({"content/journeys/notes.txt": "x"})
    assert run("check", "-q", str(warned)).output == (
        "content/journeys/notes.txt: warning: file ignored: journey files end in .yml or .yaml\n"
        "  hint: rename it to notes.yml, or move it out of content/journeys/\n"
        "0 errors, 1 warning\n"
    )
    assert run("check", str(warned)).output.endswith("OK: 1 journey, 1 persona, 0 playbooks, 0 pages checked, 1 warning\n")
