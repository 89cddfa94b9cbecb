"""cxreport build: atomic, reproducible, refuses folders it must not replace, keeps .git and CNAME."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO

from cxreport import pipeline
from cxreport.cli import main
from cxreport.render import write as write_module
from cxreport.render.write import MARKER, OutputFolderError, check_output_dir

EXAMPLE_READY = (REPO / "site.yml").is_file() and (REPO / "content" / "journeys").is_dir()


def tree(folder: Path) -> dict[str, str]:
    """Give every file under folder (hidden ones too) with the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_build_writes_the_site_and_a_summary(make_project, tmp_path):
    root = make_project()
    result = run("build", str(root))
    assert result.exit_code == 0, result.output
    out = root / "output"
    assert (out / "index.html").is_file() and (out / "journeys/first-order.html").is_file()
    assert (out / MARKER).is_file()
    assert (out / "data/figures.json").is_file() and (out / "data/experiments.json").is_file()
    assert "pages," in result.output and "figures," in result.output and "warning" in result.output
    assert run("build", str(root), "-q").output == ""


def test_two_builds_are_byte_identical(make_project, tmp_path):
    root = make_project({"content/pages/a.md": "---\ntitle: A\n---\n# A\n\nText.\n"})
    assert run("build", str(root), "--out", str(tmp_path / "one")).exit_code == 0
    assert run("build", str(root), "--out", str(tmp_path / "two")).exit_code == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert run("build", str(root), "--out", str(tmp_path / "one")).exit_code == 0  # a rebuild in place, too
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


@pytest.mark.skipif(not EXAMPLE_READY, reason="the example handbook is not there yet")
def test_example_builds_twice_byte_identical(tmp_path):
    for name in ("a", "b"):
        result = run("build", str(REPO), "--out", str(tmp_path / name), "-q")
        assert result.exit_code == 0, result.output
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a == b
    assert [p for p in a if p.endswith("plotly.min.js")] == ["assets/plotly.min.js"]


def test_stamp_only_when_asked(make_project, tmp_path, monkeypatch):
    root = make_project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772528400")  # 3 March 2026
    run("build", str(root), "--out", str(tmp_path / "plain"))
    run("build", str(root), "--out", str(tmp_path / "stamped"), "--stamp")
    assert "2026" not in (tmp_path / "plain/index.html").read_text()
    assert "built 3 Mar 2026" in (tmp_path / "stamped/index.html").read_text()


# A build failing or killed midway, a write refused by the disk, stale staging folders, kept .git and CNAME,
# and every output folder that is refused: tests/hostile/test_filesystem.py and tests/hostile/test_config.py.


def test_an_interrupted_build_leaves_the_old_site(make_project, monkeypatch):
    root = make_project()
    assert run("build", str(root)).exit_code == 0
    before = tree(root / "output")

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(
        pipeline,
        "write",
        lambda site, out, project_root, progress=None: write_module.write_site(
            site.files, out, project_root, on_file=interrupted
        ),
    )
    result = CliRunner().invoke(main, ["build", str(root), "--full"])
    assert result.exit_code == 130 and "previous site is unchanged" in result.output
    assert tree(root / "output") == before
    assert not any("staging" in p.name for p in root.iterdir())


def test_problems_stop_the_build_before_anything_is_written(make_project):
    root = make_project({"content/journeys/bad.yml": "title: Bad\npersona: nobody\nstages: [{stage: attention}]\n"})
    result = run("build", str(root))
    assert result.exit_code == 1
    assert "content/journeys/bad.yml:2:10: error: unknown persona 'nobody'" in result.output
    assert not (root / "output").exists()


def test_strict_turns_warnings_into_a_stop(make_project):
    root = make_project({"content/journeys/w.yml": "title: W\npersona: parent\nstages: [{stage: attention}]\n"})
    assert run("build", str(root), "--strict").exit_code == 1
    assert not (root / "output").exists()
    result = run("build", str(root))
    assert result.exit_code == 0 and "1 warning" in result.output


def test_check_output_dir_accepts_new_empty_and_own_folders(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    check_output_dir(root, root / "output")
    (root / "empty").mkdir()
    check_output_dir(root, root / "empty")
    (root / "own").mkdir()
    (root / "own" / MARKER).write_text("")
    (root / "own" / "index.html").write_text("")
    check_output_dir(root, root / "own")
    with pytest.raises(OutputFolderError):
        (root / "file").write_text("")
        check_output_dir(root, root / "file")


def test_check_still_works_and_schema_too(make_project):
    root = make_project()
    result = run("check", str(root))
    assert result.exit_code == 0 and "OK: 1 journey" in result.output
    assert run("schema", "site").exit_code == 0


def test_build_from_the_command_line_module(make_project):
    root = make_project()
    proc = subprocess.run(
        [sys.executable, "-m", "cxreport", "build", str(root), "-q"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and proc.stdout == ""
    assert (root / "output" / "index.html").is_file()


@pytest.mark.skipif(not EXAMPLE_READY, reason="the example handbook is not there yet")
def test_every_relative_link_and_asset_in_the_written_example_resolves(tmp_path):
    import posixpath
    from urllib.parse import unquote

    from test_render_site import scan

    out = tmp_path / "site"
    assert run("build", str(REPO), "--out", str(out), "-q").exit_code == 0
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 20
    ids = {p.relative_to(out).as_posix(): set(scan(p.read_text(encoding="utf-8")).ids) for p in pages}
    for page in pages:
        rel = page.relative_to(out).as_posix()
        s = scan(page.read_text(encoding="utf-8"))
        for link in s.links + s.scripts:
            assert not link.startswith(("http:", "https:", "//", "/")), (rel, link)  # nothing leaves the site
            target, _, fragment = link.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(target))) if target else rel
            assert (out / resolved).is_file(), (rel, link)
            if fragment and resolved.endswith(".html"):
                assert fragment in ids[resolved], (rel, link)
    plotly = [p for p in out.rglob("*") if p.is_file() and p.name == "plotly.min.js"]
    assert len(plotly) == 1
    assert b"https://cdn" not in (out / "assets" / "style.css").read_bytes()


def test_progress_on_a_terminal(make_project, monkeypatch):
    from cxreport.cli import build as build_command

    root = make_project()
    seen = []
    progress = build_command.TerminalProgress()
    monkeypatch.setattr(build_command.click, "echo", lambda text="", **k: seen.append(text))
    pipeline.build(root, progress=progress)
    text = "".join(seen)
    for label in ("reading content", "checking references", "rendering pages", "writing files"):
        assert label in text
    assert "[########################]" in text


def test_check_and_build_report_metric_problems(make_project):
    root = make_project(
        {
            "site.yml": "title: T\nmetrics:\n  - {id: nps, file: metrics/nps.csv, type: nps}\n",
            "content/metrics/nps.csv": "date,score\n2026-01-05,9\n2026-01-06,11\n",
        }
    )
    check = run("check", str(root))
    assert check.exit_code == 1 and "content/metrics/nps.csv:3" in check.output
    build = run("build", str(root))
    assert build.exit_code == 1 and "content/metrics/nps.csv:3" in build.output
    assert not (root / "output").exists()


def test_a_theme_template_failing_while_drawing_names_its_file_and_line(make_project, tmp_path):
    from cxreport.pipeline import build

    root = make_project(
        {
            "site.yml": "title: T\nlanguage: en\ntheme: house\n",
            "themes/house/templates/home.html": "{% extends 'base.html' %}\n{% block content %}\n<h1>{{ site.title }}</h1>\n"
            "<p>{{ page.no_such_field }}</p>\n{% endblock %}\n",
        }
    )
    for jobs in (1, 2):
        result = build(root, tmp_path / f"out{jobs}", full=True, jobs=jobs)
        assert not result.written
        assert [(p.path, p.line, p.message) for p in result.problems.errors] == [
            (
                "themes/house/templates/home.html",
                4,
                "template failed while drawing index.html: 'dict object' has no attribute 'no_such_field'",
            )
        ]
        assert not (tmp_path / f"out{jobs}").exists()


def test_a_theme_macros_html_without_a_built_in_macro_is_named(make_project, tmp_path):
    from cxreport.pipeline import build

    root = make_project(
        {
            "site.yml": "title: T\nlanguage: en\ntheme: house\n",
            "themes/house/templates/macros.html": "{% macro figure(f, t) %}{{ f.value_text }}{% endmacro %}\n",
        }
    )
    result = build(root, tmp_path / "out", full=True, jobs=1)
    assert not result.written
    [problem] = result.problems.errors
    assert problem.path.startswith("cxreport/_theme/templates/") and problem.line > 0
    assert re.fullmatch(
        r"template failed while drawing [\w/.-]+: macros\.html has no macro '\w+' \(a theme's copy of "
        r"macros\.html must keep every built-in macro: copy the current one again\)",
        problem.message,
    )


def test_a_failing_template_is_reported_by_the_command_without_a_traceback(make_project, tmp_path):
    import subprocess
    import sys

    root = make_project(
        {
            "site.yml": "title: T\nlanguage: en\ntheme: house\n",
            "themes/house/templates/persona.html": "{% extends 'base.html' %}\n{% block content %}{{ persona.name | round }}"
            "{% endblock %}\n",
        }
    )
    proc = subprocess.run(
        [sys.executable, "-m", "cxreport", "build", str(root), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stderr.startswith(
        "themes/house/templates/persona.html:2:1: error: template failed while drawing personas/parent.html: TypeError: "
    )


def test_a_template_failure_in_a_page_worker_reaches_the_build_intact():
    from cxreport.problems import Problems
    from cxreport.render.pages import ProblemSink, make_pages
    from cxreport.render.site import Page, PageSpec
    from cxreport.render.theme import TemplateFailure

    def draw(page):
        if page.path == "p3.html":
            raise TemplateFailure("themes/house/templates/page.html", 7, page.path, "'x' is undefined")
        return page.path

    specs = [PageSpec(f"p{i}.html", frozenset(), lambda i=i: Page(f"p{i}.html", "page.html", "page", "P", {})) for i in range(6)]
    with pytest.raises(TemplateFailure) as caught:
        make_pages(specs, draw, ProblemSink(Problems()), jobs=2, parallel_from=1)
    assert (caught.value.file, caught.value.line, caught.value.page, caught.value.message) == (
        "themes/house/templates/page.html",
        7,
        "p3.html",
        "'x' is undefined",
    )


@pytest.mark.skipif(not EXAMPLE_READY, reason="the example project is not in this checkout")
def test_pages_drawn_while_the_metrics_are_read_are_the_pages_drawn_after(tmp_path, monkeypatch):
    # a cold build on several cores draws the pages that show no figures before the figures exist (issue 19):
    # with every threshold at 1 the example goes that way, and must give the bytes and problems of a serial build
    from cxreport.render import pages, whole_site

    serial = pipeline.build(REPO, tmp_path / "serial", full=True, jobs=1)
    assert serial.written
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    monkeypatch.setattr(whole_site, "EARLY_FROM", 1)
    started: list[list[str]] = []
    real = whole_site.Drawing

    def drawing(specs, *args):
        started.append([s.path for s in specs])
        return real(specs, *args)

    monkeypatch.setattr(whole_site, "Drawing", drawing)
    from cxreport.render import write

    moved: list[str] = []  # the workers write their pages into the spool beside the output; the writer moves them
    real_replace = write.os.replace

    def replace(src, dst, *a, **k):
        if ".spool-" in str(src):
            moved.append(Path(dst).relative_to(next(tmp_path.glob(".early.staging-*"))).as_posix())
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(write.os, "replace", replace)
    early = pipeline.build(REPO, tmp_path / "early", full=True, jobs=2)
    assert early.written
    monkeypatch.setattr(write.os, "replace", real_replace)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["early", "serial"]  # no spool left
    figure_files = {"data/figures.json", *(f"metrics/{p.name}" for p in (tmp_path / "serial/metrics").glob("*.csv"))}
    html = {p.relative_to(tmp_path / "serial").as_posix() for p in (tmp_path / "serial").rglob("*.html")}
    assert sorted(moved) == sorted(figure_files | html)  # every page was drawn in a worker here
    [drawn] = started
    playbooks = {p.stem for p in (REPO / "content" / "playbooks").glob("*.md")}
    assert sorted(p for p in drawn if p.startswith("pages/")) == sorted(
        f"pages/{p.stem}.html" for p in (REPO / "content" / "pages").glob("*.md")
    )
    assert {p.removeprefix("playbooks/").removesuffix(".html") for p in drawn if p.startswith("playbooks/")} < playbooks
    assert "journeys/index.html" not in drawn and "index.html" not in drawn
    assert tree(tmp_path / "early") == tree(tmp_path / "serial")
    assert [(p.path, p.line, p.code, p.message) for p in early.problems] == [
        (p.path, p.line, p.code, p.message) for p in serial.problems
    ]


def test_a_worker_writes_no_page_outside_its_spool(tmp_path):
    # the writer refuses an unsafe page path (SiteFiles.add); before it, a worker must not have written it
    from cxreport.render.pages import _spooled
    from cxreport.render.write import SpooledFile

    spool = tmp_path / "spool"
    for path in ("../evil.html", "/evil.html", "a/../../evil.html", "a\\..\\evil.html"):
        assert _spooled(b"<p>x</p>", path, spool) == b"<p>x</p>"
    assert not list(tmp_path.rglob("evil.html"))
    made = _spooled(b"<p>x</p>", "journeys/a.html", spool)
    assert isinstance(made, SpooledFile) and made.read_bytes() == b"<p>x</p>" and made == spool / "journeys/a.html"


@pytest.mark.parametrize("jobs, collects", [(1, True), (2, False)])
def test_the_building_process_collects_garbage_only_while_it_draws_pages(make_project, monkeypatch, jobs, collects):
    # on several cores the workers draw (and collect their own garbage); the building process's collections would
    # only walk the content and figures that stay to the end, but for the pages it draws itself. The collector is
    # as it was after the build.
    import gc

    from cxreport.render import pages

    seen, drawing = [], set()
    render, make = pipeline.render, pages._make

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return render(*args, **kwargs)

    def drawn(*args, **kwargs):  # a small site is drawn in this process: with the collector on, whatever the cores
        drawing.add(gc.isenabled())
        return make(*args, **kwargs)

    monkeypatch.setattr(pipeline, "render", watched)
    monkeypatch.setattr(pages, "_make", drawn)
    assert gc.isenabled()
    result = pipeline.build(make_project(), full=True, jobs=jobs)
    assert result.written and seen == [collects] and drawing == {True}
    assert gc.isenabled()
