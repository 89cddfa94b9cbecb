"""Hostile paths and faults: nothing outside the project is read or published, no two pages share a path, and
a build that is killed, crashes or cannot write leaves the previous site byte-identical and no staging behind."""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hostile_support import assert_refused, build_previous, cli, errors, leftovers, problems_json, tree, write_files

from cxreport.render import write as write_module
from cxreport.render.write import MARKER, SiteFiles

CANARY = "CANARY-7f3e-not-for-the-site"


@pytest.fixture
def canary(tmp_path_factory):
    """Give a secret file outside the project, and a list that records every path Python opens."""
    secret = tmp_path_factory.mktemp("outside") / "passwd"
    secret.write_text(f"root:x:0:0:{CANARY}\n")
    return secret


@pytest.fixture
def opened(monkeypatch):
    """Record every file Python opens during the test (builtins.open, io.open, os.open)."""
    seen: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, *a, **k):
        seen.append(os.fspath(file) if isinstance(file, (str, bytes, os.PathLike)) else str(file))
        return real_open(file, *a, **k)

    def spy_os_open(path, *a, **k):
        seen.append(os.fspath(path))
        return real_os_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    return seen


def never_read(secret: Path, opened: list[str], root: Path) -> None:
    read = [p for p in opened if isinstance(p, str) and Path(p).resolve() == secret.resolve()]
    assert read == []
    for path in (root / "output").rglob("*") if (root / "output").exists() else []:
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


def relative_to_root(root: Path, target: Path) -> str:
    return os.path.relpath(target, root / "content")


# --- paths out of the project ------------------------------------------------------------------------------


def test_metric_file_dot_dot_etc_passwd(make_project, canary, opened):
    root = make_project()
    up = relative_to_root(root, canary)
    assert up.startswith("../")
    assert_refused(
        root,
        {"site.yml": f"title: T\nmetrics:\n  - {{id: m, file: {up}, type: nps}}\n"},
        [("site.yml", 3, 19, f"metric file '{up}' lies outside the project")],
    )
    never_read(canary, opened, root)


def test_metric_file_absolute_path(make_project, canary, opened):
    root = make_project()
    assert_refused(
        root,
        {"site.yml": f"title: T\nmetrics:\n  - {{id: m, file: {canary}, type: nps}}\n"},
        [("site.yml", 3, 19, f"metric file '{canary}' lies outside the project")],
    )
    never_read(canary, opened, root)


@pytest.mark.parametrize("where", ["up", "absolute"])
def test_logo_out_of_the_project(make_project, canary, opened, where):
    root = make_project()
    logo = relative_to_root(root, canary) if where == "up" else str(canary)
    assert_refused(
        root,
        {"site.yml": f"title: T\nbrand: {{logo: {logo}}}\n"},
        [("site.yml", 2, 15, f"logo '{logo}' lies outside the project")],
    )
    never_read(canary, opened, root)


def test_markdown_links_and_images_out_of_the_project(make_project, canary, opened):
    up = "../../" + relative_to_root(make_project(), canary)
    body = f"[wachtwoorden]({up}) ![beeld]({up}) ![abs]({canary}) [file](file://{canary})\n"
    root = make_project({"content/pages/p.md": f"---\ntitle: P\n---\n{body}"})
    run = cli("build", root, "-q")
    assert run.exit_code == 0
    assert run.stderr.splitlines()[:4:2] == [
        f"content/pages/p.md:4:1: warning: link '{up}' leads to no page or file of the site",
        f"content/pages/p.md:4:1: warning: link '{canary}' leads to no page or file of the site",
    ]
    never_read(canary, opened, root)
    assert sorted(p.name for p in (root / "output").rglob("*") if p.is_file() and "passwd" in p.name) == []


def test_content_file_that_links_out_of_the_project(make_project, canary, opened):
    root = make_project()
    build_previous(root)
    (root / "content/personas/secret.yml").symlink_to(canary)
    assert errors(root) == (
        1,
        [("content/personas/secret.yml", 0, 0, "file is a link to a place outside the project; it was not read")],
    )
    never_read(canary, opened, root)


def test_content_folder_that_links_out_of_the_project(make_project, canary, opened):
    root = make_project()
    elsewhere = canary.parent / "journeys"
    elsewhere.mkdir()
    (elsewhere / "stolen.yml").write_text("title: S\npersona: parent\nstages: []\n")
    (root / "content/journeys/first-order.yml").unlink()
    (root / "content/journeys").rmdir()
    (root / "content/journeys").symlink_to(elsewhere)
    assert errors(root) == (
        1,
        [("content/journeys/stolen.yml", 0, 0, "file is a link to a place outside the project; it was not read")],
    )


def test_metric_file_that_links_out_of_the_project(make_project, canary, opened):
    root = make_project({"site.yml": "title: T\nmetrics:\n  - {id: m, file: metrics/m.csv, type: nps}\n"})
    (root / "content/metrics").mkdir()
    (root / "content/metrics/m.csv").symlink_to(canary)
    assert errors(root) == (1, [("site.yml", 3, 19, "metric file 'metrics/m.csv' lies outside the project")])
    never_read(canary, opened, root)


def test_asset_file_and_folder_that_link_out_of_the_project(make_project, canary, opened):
    root = make_project({"content/assets/ok.txt": "fine"})
    (root / "content/assets/passwd").symlink_to(canary)
    (root / "content/assets/etc").symlink_to(canary.parent, target_is_directory=True)
    code, _ = problems_json(root)
    assert code == 0
    run = cli("build", root, "-q")
    assert run.exit_code == 0
    assert "content/assets/passwd: warning: file is a link to a place outside the project; it was not published" in run.stderr
    assert sorted(p.relative_to(root / "output").as_posix() for p in (root / "output/media").rglob("*")) == ["media/ok.txt"]
    never_read(canary, opened, root)


@pytest.mark.parametrize("where", ["static/leak.txt", "templates/chapter.html", "i18n/en.json"])
def test_theme_file_that_links_out_of_the_project(make_project, canary, opened, where):
    """Found by this catalogue: a theme's static file or template could be a link to any file on the machine,
    and its contents were published with the site."""
    root = make_project(
        {
            "site.yml": "title: T\ntheme: brand\n",
            "themes/brand/static/brand.css": "body{}",
            "content/pages/a.md": "---\ntitle: A\n---\nText\n",
        }
    )
    build_previous(root)
    before = tree(root / "output")
    (root / "themes/brand" / where).parent.mkdir(parents=True, exist_ok=True)
    (root / "themes/brand" / where).symlink_to(canary)
    assert errors(root) == (
        1,
        [(f"themes/brand/{where}", 0, 0, "file is a link to a place outside the project; it was not read")],
    )
    assert cli("build", root).exit_code == 1
    assert tree(root / "output") == before
    never_read(canary, opened, root)


def test_theme_folder_that_links_out_of_the_project(make_project, canary, opened):
    theme = canary.parent / "brand"
    write_files(theme, {"templates/base.html": "{{ 7 * 6 }}", "static/x.css": CANARY})
    root = make_project({"site.yml": "title: T\ntheme: brand\n"})
    (root / "themes").mkdir()
    (root / "themes/brand").symlink_to(theme, target_is_directory=True)
    assert errors(root) == (1, [("themes/brand", 0, 0, "theme folder is a link to a place outside the project; it was not read")])
    assert cli("build", root).exit_code == 1
    never_read(canary, opened, root)


# --- two pages on one path ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, files, expected",
    [
        (
            "journey",
            {
                "content/journeys/index.yml": "title: I\npersona: parent\nstages: [{stage: attention, touchpoints: [{id: a, name: A, feeling: 0}]}]\n"
            },
            ("content/journeys/index.yml", 1, 1, "id 'index' is reserved: journeys/index.html is the overview of the journeys"),
        ),
        (
            "persona",
            {"content/personas/p.yml": "id: index\nname: I\n"},
            ("content/personas/p.yml", 1, 5, "id 'index' is reserved: personas/index.html is the overview of the personas"),
        ),
        (
            "guide",
            {"content/playbooks/index.md": "---\ntitle: I\ntype: guide\n---\n"},
            ("content/playbooks/index.md", 1, 1, "id 'index' is reserved: playbooks/index.html is the overview of the playbooks"),
        ),
        (
            "metric",
            {"site.yml": "title: T\nmetrics:\n  - {id: index, file: m.csv, type: nps}\n", "content/m.csv": "date,score\n"},
            ("site.yml", 3, 10, "id 'index' is reserved: metrics/index.html is the overview of the metrics"),
        ),
    ],
)
def test_an_object_whose_page_would_overwrite_an_overview(make_project, kind, files, expected):
    """Found by this catalogue: a journey, persona, playbook or metric with id 'index' took its section's
    overview path, and the build stopped with an internal error."""
    root = make_project()
    assert_refused(root, files, [expected])


def test_two_assets_differing_only_in_case(make_project):
    """Ids are lower case, so pages cannot collide by case; published files can, on Windows and macOS."""
    root = make_project()
    assert_refused(
        root,
        {"content/assets/Logo.png": b"A", "content/assets/logo.png": b"B"},
        [("content/assets/logo.png", 0, 0, "file name differs from content/assets/Logo.png only in upper and lower case")],
    )


def test_the_writer_never_puts_two_files_on_one_path_or_outside_the_site():
    files = SiteFiles()
    files.add("journeys/a.html", "a")
    for path in ("journeys/a.html", "../x.html", "/etc/x", "a/../../x", "a\\b", ""):
        with pytest.raises(ValueError):
            files.add(path, "b")


# --- the output folder as it was -----------------------------------------------------------------------------


def test_git_cname_and_hidden_files_are_kept_and_stale_pages_replaced(make_project):
    root = make_project()
    before = build_previous(root)
    (root / "output/.nojekyll").write_text("")
    (root / "output/stale.html").write_text("a page of a journey since removed")
    assert cli("build", root, "-q").exit_code == 0
    after = tree(root / "output")
    for kept in (".git", ".git/HEAD", "CNAME"):
        assert after[kept] == before[kept]
    assert ".nojekyll" in after and "stale.html" not in after


# --- faults halfway ------------------------------------------------------------------------------------------

DRIVER = textwrap.dedent("""\
    import os, signal, sys, time
    from cxreport import cli, pipeline
    from cxreport.render import write
    moment = sys.argv[1]
    def die():
        sys.stdout.write("dying\\n"); sys.stdout.flush(); os.kill(os.getpid(), signal.SIGKILL)
    if moment == "render":
        real_render = pipeline.render
        def render(*a, **k):
            site = real_render(*a, **k)
            die()
        pipeline.render = render
    elif moment == "write":
        real_write_files = write.write_files
        def write_files(files, folder, on_file=None):
            def on(i, n):
                if i == n // 2:
                    die()
            return real_write_files(files, folder, on)
        write.write_files = write_files
    elif moment == "swap":
        real_replace = os.replace
        calls = []
        def replace(src, dst, *a, **k):
            real_replace(src, dst, *a, **k)
            calls.append(dst)
            if ".old-" in str(dst):
                die()
        write.os.replace = replace
    sys.argv = ["cxreport", "build", sys.argv[2], "-q"]
    cli.main()
""")


@pytest.mark.parametrize("moment", ["render", "write", "swap"])
def test_build_killed_halfway(make_project, moment):
    """SIGKILL cannot be caught: the previous site must already be safe at every moment of a build."""
    root = make_project({"content/pages/a.md": "---\ntitle: A\n---\nText\n"})
    before = build_previous(root)
    (root / "content/pages/b.md").write_text("---\ntitle: B\n---\nNew text\n")
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, moment, str(root)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout == "dying\n"
    if moment == "swap":  # killed between the two renames: the site is aside, and the next run puts it back first
        assert not (root / "output").exists() and len(leftovers(root)) == 2
        write_module.clean_stale(root / "output")
    assert tree(root / "output") == before
    run = cli("build", root, "-q")
    assert run.exit_code == 0, run.output
    assert leftovers(root) == []
    assert (root / "output/pages/b.html").is_file()


def test_an_exception_halfway(make_project, monkeypatch):
    from cxreport.render import site as site_module

    root = make_project({"content/pages/a.md": "---\ntitle: A\n---\nText\n"})
    before = build_previous(root)
    (root / "content/pages/a.md").write_text("---\ntitle: A2\n---\nChanged\n")

    def boom(*a, **k):
        raise RuntimeError("render failed")

    monkeypatch.setattr(site_module.Planner, "chapter_page", boom)
    monkeypatch.setenv("CXREPORT_DEBUG", "")
    from click.testing import CliRunner

    from cxreport.cli import main

    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 1 and "internal error: RuntimeError: render failed" in result.output
    assert tree(root / "output") == before
    assert leftovers(root) == []


def failing(after: int, err: int):
    """Give a function that fails with errno err from its (after+1)-th call on, and its call count."""
    calls = {"n": 0}

    def maybe_fail(*_a, **_k):
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(err, os.strerror(err), str(_a[0]) if _a else None)

    return maybe_fail


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES])
def test_a_file_write_fails(make_project, monkeypatch, err):
    root = make_project({"content/pages/a.md": "---\ntitle: A\n---\nText\n"})
    before = build_previous(root)
    (root / "content/pages/a.md").write_text("---\ntitle: A2\n---\nChanged\n")
    real = Path.write_bytes
    check = failing(3, err)

    def write_bytes(self, data):
        check(self)
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    run = cli("build", root)
    assert run.exit_code == 1
    assert f"cannot write the site into {root / 'output'}: {os.strerror(err)}" in run.stderr
    assert "the previous site is unchanged" in run.stderr
    assert tree(root / "output") == before
    assert leftovers(root) == []


@pytest.mark.parametrize("step", ["mkdir", "replace"])
def test_no_permission_for_the_staging_folder_or_the_swap(make_project, monkeypatch, step):
    root = make_project({"content/pages/a.md": "---\ntitle: A\n---\nText\n"})
    before = build_previous(root)
    (root / "content/pages/a.md").write_text("---\ntitle: A2\n---\nChanged\n")
    if step == "mkdir":
        real_mkdir = Path.mkdir

        def mkdir(self, *a, **k):
            if ".staging-" in self.name:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return real_mkdir(self, *a, **k)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    else:
        real_replace = os.replace

        def replace(src, dst, *a, **k):
            if ".staging-" in str(src):  # the new site cannot take the old one's place
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
            return real_replace(src, dst, *a, **k)

        monkeypatch.setattr(write_module.os, "replace", replace)
    run = cli("build", root)
    assert run.exit_code == 1
    assert "Permission denied" in run.stderr and "the previous site is unchanged" in run.stderr
    assert tree(root / "output") == before
    assert leftovers(root) == []


def test_figures_json_of_a_failed_build_is_the_previous_one(make_project):
    root = make_project(
        {"site.yml": "title: T\nmetrics:\n  - {id: m, file: m.csv, type: nps}\n", "content/m.csv": "date,score\n2026-01-05,9\n"}
    )
    before = build_previous(root)
    (root / "content/m.csv").write_text("date,score\n2026-01-05,9\n2026-01-06,11\n")
    assert cli("build", root).exit_code == 1
    assert tree(root / "output") == before
    assert json.loads((root / "output/data/figures.json").read_text())["figures"][0]["n"] == 1
    assert MARKER in before


def test_a_file_name_that_is_not_utf8(make_project):
    """Bytes a file system allows but UTF-8 does not come through as escapes, in every format, never a crash."""
    root = make_project()
    build_previous(root)
    before = tree(root / "output")
    name = os.fsdecode(b"\xff\xfe.yml")
    (root / "content/journeys" / name).write_text("title: J\n")
    run = cli("check", root)
    assert run.exit_code == 1
    assert "content/journeys/\\udcff\\udcfe.yml:1:1: error: file name '\\udcff\\udcfe' is not a valid id" in run.stderr
    assert cli("check", root, "--format", "github").exit_code == 1
    assert cli("check", root, "--format", "json").exit_code == 1
    assert cli("build", root).exit_code == 1
    assert tree(root / "output") == before


def test_figures_json_is_spooled_beside_the_output_and_moved_into_the_site(make_project, monkeypatch):
    """The data files are written into a spool folder beside the output while the pages are drawn, then moved
    into the site (never held in memory); a spool of a killed build is removed; the site is the same either way."""
    files = {
        "site.yml": "title: T\nmetrics:\n  - {id: m, file: m.csv, type: nps}\n",
        "content/m.csv": "date,score\n2026-01-05,9\n2026-02-05,3\n",
    }
    root = make_project(files)
    real_mkdir = Path.mkdir

    def no_spool(self, *a, **k):
        if ".spool-" in self.name:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", no_spool)
    assert cli("build", root, "-q", "--out", root / "in-memory").exit_code == 0
    monkeypatch.setattr(Path, "mkdir", real_mkdir)
    stale = root / ".output.spool-999999999"  # no such process: a build that was killed
    stale.mkdir()
    (stale / "figures.json").write_text("{}")
    moved = []
    real_replace = write_module.os.replace

    def replace(src, dst, *a, **k):
        if ".spool-" in str(src):
            moved.append(Path(dst).name)
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(write_module.os, "replace", replace)
    assert cli("build", root, "-q").exit_code == 0
    assert sorted(moved) == ["figures.json", "m.csv"]
    assert leftovers(root) == []
    assert tree(root / "output") == tree(root / "in-memory")
    assert json.loads((root / "output/data/figures.json").read_text())["figures"][0]["n"] == 2


def test_data_files_that_cannot_be_spooled_leave_the_pages_in_the_spool(tmp_path, monkeypatch):
    """A full disk while figures.json is spooled: the data files are made in memory, and the pages the workers
    wrote into the same spool are still there for the writer."""
    from cxreport.figures import FigureSet
    from cxreport.render import whole_site

    spool = tmp_path / ".output.spool-1"
    page = spool / "pages" / "journeys" / "a.html"
    page.parent.mkdir(parents=True)
    page.write_bytes(b"<p>a</p>")

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(whole_site, "write_data", full)
    made = whole_site._data_files(FigureSet(), ["m"], "en", spool)
    assert made["data/figures.json"] == b'{"figures": []}\n' and isinstance(made["metrics/m.csv"], bytes)
    assert page.read_bytes() == b"<p>a</p>"
    assert sorted(p.name for p in spool.iterdir()) == ["pages"]  # the partial data files are gone
