"""Hostile configuration: misspelt keys and wrong types are problems at their line; an output folder that could
destroy the sources (or anything cxreport did not make) is refused before anything is read, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_support import assert_refused, cli, errors, tree, write_files

from cxreport.render.write import MARKER


def test_misspelt_key_suggests_the_nearest(make_project):
    root = make_project()
    run = assert_refused(root, {"site.yml": "title: T\nlanguag: nl\n"}, [("site.yml", 2, 1, "unknown field 'languag'")])
    assert "hint: did you mean 'language'?" in run.stderr


def test_misspelt_key_in_a_metric_declaration(make_project):
    root = make_project()
    run = assert_refused(
        root,
        {"site.yml": "title: T\nmetrics:\n  - {id: m, file: m.csv, type: nps, colums: {}}\n", "content/m.csv": "date,score\n"},
        [("site.yml", 3, 37, "unknown field 'colums'")],
    )
    assert "hint: did you mean 'columns'?" in run.stderr


@pytest.mark.parametrize(
    "text, expected",
    [
        ("title: [a, b]\n", (2 - 1, 8, "title: expected text, found a list")),
        ("title: T\nlanguage: fr\n", (2, 11, "language: 'fr' is not allowed; use 'nl' or 'en'")),
        ("title: T\nmetrics: {id: m}\n", (2, 10, "metrics: expected a list, found a mapping")),
        ("title: T\nbrand: red\n", (2, 8, "brand: expected a mapping of fields, found 'red'")),
        (
            "title: T\ntargets: {nps: {good: 10, bad: 10}}\n",
            (2, 16, "nps: 'good' and 'bad' must differ (good > bad: higher is better; good < bad: lower is better)"),
        ),
        (
            "title: T\nmetrics:\n  - {id: m, file: m.csv, type: nsp}\n",
            (3, 32, "type: 'nsp' is not allowed; use 'nps', 'csat', 'ces', 'funnel' or 'value'"),
        ),
        ("title: T\nstage_models: [aidas]\n", (2, 15, "stage_models: expected a mapping of fields, found a list")),
        ("title: T\ntheme: ../../elsewhere\n", (2, 8, "theme: '../../elsewhere' is not a valid id")),
        ("- title: T\n", (1, 1, "site.yml must be a mapping of fields (name: value)")),
    ],
    ids=[
        "title-list",
        "language",
        "metrics-mapping",
        "brand-text",
        "targets-equal",
        "metric-type",
        "stage-models-list",
        "theme-path",
        "site-list",
    ],
)
def test_wrong_types(make_project, text, expected):
    root = make_project({"content/m.csv": "date,score\n"})
    assert_refused(root, {"site.yml": text}, [("site.yml", *expected)])


# --- the output folder ---------------------------------------------------------------------------------


def refused_out(root: Path, out: str, message: str) -> None:
    """Assert `build --out OUT` exits 1 naming why, before reading anything, with every file of the project unchanged."""
    before = tree(root.parent)
    run = cli("build", root, "--out", out)
    assert run.exit_code == 1, run.output
    assert message in run.stderr
    assert tree(root.parent) == before


@pytest.fixture
def project(make_project):
    return make_project({"content/pages/a.md": "---\ntitle: A\n---\nText.\n"})


def test_output_folder_dot(project):
    refused_out(project, str(project / "."), "it is the project folder itself")


def test_output_folder_dot_dot(project):
    refused_out(project, str(project / ".."), "it holds the project")


def test_output_folder_root(project):
    refused_out(project, "/", "it is the root of the file system")


def test_output_folder_empty(project):
    """Found by this catalogue: `--out ""` (an unset variable in a CI script) silently built into output/."""
    before = tree(project.parent)
    run = cli("build", project, "--out", "")
    assert run.exit_code == 2
    assert "--out is empty" in run.stderr
    assert tree(project.parent) == before


def test_output_folder_is_the_content_folder(project):
    refused_out(project, str(project / "content"), "it lies inside content/")


def test_output_folder_inside_the_content_folder(project):
    refused_out(project, str(project / "content" / "site"), "it lies inside content/")


def test_output_folder_holding_the_project(project):
    refused_out(project, str(project.parent), "it holds the project")


def test_output_folder_that_is_a_link_to_the_project(project, tmp_path_factory):
    link = tmp_path_factory.mktemp("links") / "site"
    link.symlink_to(project)
    refused_out(project, str(link), "it is the project folder itself")


def test_output_folder_that_is_a_link_into_content(project):
    (project / "site-link").symlink_to(project / "content")
    refused_out(project, str(project / "site-link"), "it lies inside content/")


def test_output_folder_holding_another_project(project, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    write_files(other, {"site.yml": "title: Other\n", MARKER: ""})
    before = tree(other)
    refused_out(project, str(other), "holds site.yml or content/")
    assert tree(other) == before


def test_output_folder_that_is_a_file(project):
    (project / "notes.txt").write_text("mine")
    before = tree(project.parent)
    run = cli("build", project, "--out", str(project / "notes.txt"))
    assert run.exit_code == 2 and "is a file" in run.stderr  # a usage error: the option names a folder
    assert tree(project.parent) == before


def test_output_folder_cxreport_did_not_make(project, tmp_path_factory):
    docs = tmp_path_factory.mktemp("mine")
    write_files(docs, {"report.docx": b"PK\x03\x04", "CNAME": "cx.example.org\n", ".git/HEAD": "ref: refs/heads/main\n"})
    before = tree(docs)
    refused_out(project, str(docs), "cxreport did not make it")
    assert tree(docs) == before


def test_a_folder_named_like_the_project_or_content_is_fine(make_project, tmp_path):
    """`docs` next to `docs-site`, `content` next to `content-site`: names that only start alike are other folders."""
    root = make_project()
    docs = tmp_path.parent / (tmp_path.name + "-site")
    assert cli("build", root, "--out", str(docs), "-q").exit_code == 0
    assert (docs / "index.html").is_file()
    assert cli("build", root, "--out", str(root / "content-site"), "-q").exit_code == 0
    assert (root / "content-site" / "index.html").is_file()


def test_a_folder_of_only_hidden_files_and_cname_is_accepted_and_they_are_kept(make_project, tmp_path_factory):
    root = make_project()
    out = tmp_path_factory.mktemp("pages")
    write_files(out, {".git/HEAD": "ref: refs/heads/gh-pages\n", ".nojekyll": "", "CNAME": "cx.example.org\n"})
    kept = tree(out)
    assert cli("build", root, "--out", str(out), "-q").exit_code == 0
    assert cli("build", root, "--out", str(out), "-q").exit_code == 0
    after = tree(out)
    assert {k: v for k, v in after.items() if k in kept} == kept
    assert (out / "index.html").is_file()


def test_errors_in_config_stop_before_the_output_folder_is_touched(make_project):
    root = make_project({"site.yml": "title: T\nlanguage: fr\n"})
    assert errors(root)[0] == 1
    assert cli("build", root).exit_code == 1
    assert not (root / "output").exists()
