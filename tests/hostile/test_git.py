"""Hostile revisions and repositories for `cxreport diff`: git never reads a revision as an option, never writes,
and every failure is one clear message (exit 1, or 2 for usage), never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from helpers import write_project
from test_diff import BASE, FO, _git_env, change, commit, diff, git, init_repo  # noqa: F401 (_git_env: autouse)

import cxreport.diff.repository as diff_module

# --- failures: each a clear message, exit 1 (2 for usage), never a traceback, git never fooled -----------------


@pytest.fixture
def repo(tmp_path):
    folder = init_repo(tmp_path / "handbook")
    write_project(folder, BASE)
    commit(folder, "base")
    return folder


@pytest.fixture
def git_calls(monkeypatch):
    calls = []
    real = subprocess.run

    def spy(cmd, *args, **kwargs):
        calls.append(list(cmd))
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(diff_module.subprocess, "run", spy)
    return calls


@pytest.mark.parametrize(
    "args",
    [
        ["-p"],
        ["--output=OUT"],
        ["--", "-p"],
        ["--", "--output=OUT"],
        ["HEAD", "--", "--output=OUT"],
        ["--", "-"],
        ["--", ""],
    ],
)
def test_option_like_revisions_are_refused_before_git_runs(repo, tmp_path, git_calls, args):
    out = tmp_path / "x"
    args = [a.replace("OUT", str(out)) for a in args]
    result = diff(*args, "--path", str(repo))
    assert result.exit_code == 2, result.output
    assert git_calls == []
    assert not out.exists()
    assert "Traceback" not in result.output


def test_option_like_revision_message(repo):
    result = diff("--path", str(repo), "--", "--output=/tmp/x")
    assert result.exit_code == 2
    assert "revision '--output=/tmp/x' starts with '-' and would be read as an option; refused" in result.stderr


def test_git_gets_end_of_options_and_verifies_a_commit(repo, git_calls):
    assert diff("HEAD", "--path", str(repo)).exit_code == 0
    verify = [c for c in git_calls if "--verify" in c and "--quiet" in c and "HEAD^{commit}" in c]
    assert verify and verify[0][verify[0].index("--end-of-options") + 1] == "HEAD^{commit}"
    assert all("--literal-pathspecs" in c for c in git_calls)


def test_unknown_revision(repo):
    result = diff("no-such-branch", "--path", str(repo))
    assert result.exit_code == 1
    assert result.stderr == (
        "cxreport diff: error: unknown revision 'no-such-branch': no commit of that name in this repository\n"
        "  hint: name a commit, branch or tag, e.g. HEAD~1, main or a commit id ('git log --oneline' lists them)\n"
    )


def test_a_revision_that_is_not_a_commit(repo):
    result = diff("HEAD:site.yml", "--path", str(repo))
    assert result.exit_code == 1
    assert "unknown revision 'HEAD:site.yml'" in result.stderr


def test_a_repository_without_commits(tmp_path):
    folder = init_repo(tmp_path / "fresh")
    write_project(folder, BASE)
    result = diff("--path", str(folder))
    assert result.exit_code == 1
    assert "unknown revision 'HEAD': the repository has no commits yet" in result.stderr


def test_not_a_repository(tmp_path):
    folder = write_project(tmp_path / "plain", BASE)
    result = diff("--path", str(folder))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"cxreport diff: error: '{folder}' is not inside a git repository (git: fatal: not a git repository"
    )
    assert "Traceback" not in result.output


def test_not_a_folder(tmp_path):
    result = diff("--path", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr


def test_shallow_clone(repo, tmp_path):
    (repo / "content/personas/student.yml").write_text("name: Student, 20\n")
    commit(repo, "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    result = diff("HEAD~1", "--path", str(clone))
    assert result.exit_code == 1
    assert result.stderr == (
        "cxreport diff: error: revision 'HEAD~1' is not in this clone's history: the repository is shallow\n"
        "  hint: fetch the history with 'git fetch --unshallow' (in GitHub Actions: actions/checkout with 'fetch-depth: 0')\n"
    )
    assert diff("HEAD", "--path", str(clone)).exit_code == 0  # what the clone has still works


def test_git_not_installed(repo, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = diff("--path", str(repo))
    assert result.exit_code == 1
    assert result.stderr.startswith("cxreport diff: error: git is not installed (or not on PATH); cxreport diff needs git\n")


def test_a_map_broken_at_one_revision(repo):
    (repo / FO).write_text((repo / FO).read_text().replace("persona: parent", "persona: nobody"))
    commit(repo, "break the map")
    result = diff("HEAD", "--path", str(repo))  # HEAD is broken, the working tree too
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "HEAD: content/journeys/first-order.yml:2:10: error: unknown persona 'nobody'"
    assert "working tree: content/journeys/first-order.yml:2:10: error: unknown persona 'nobody'" in lines
    assert (
        "cxreport diff: error: HEAD: the handbook has 1 error at this revision; nothing was compared; "
        "working tree: the handbook has 1 error at this revision; nothing was compared" in lines
    )
    fixed = (repo / FO).read_text().replace("persona: nobody", "persona: parent")
    (repo / FO).write_text(fixed)
    result = diff("HEAD~1", "HEAD", "--path", str(repo))
    assert result.exit_code == 1
    assert result.stderr.startswith("HEAD: content/journeys/first-order.yml:2:10: error: unknown persona 'nobody'\n")
    assert "HEAD~1:" not in result.stderr
    assert diff("HEAD~1", "--path", str(repo)).exit_code == 0  # the fixed working tree compares again


def test_a_revision_without_a_handbook(repo):
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")
    git(repo, "checkout", "-q", "--orphan", "other")
    git(repo, "rm", "-rq", "--cached", ".")
    git(repo, "commit", "-q", "--allow-empty", "-m", "nothing here")
    result = diff("other", "main", "--path", str(repo))
    assert result.exit_code == 1
    assert result.stderr.startswith("other: site.yml: error: no site.yml in the project folder\n")


def test_paths_with_spaces_unicode_and_a_leading_dash(tmp_path):
    top = init_repo(tmp_path / "-top folder ü")
    project = top / "-my handbook é"
    write_project(project, BASE)
    write_project(project, {"content/personas/-odd name ë.yml": "id: odd\nname: Odd one\nquote: Hi\ngoals: [a, b, c, d, e]\n"})
    commit(top, "base")
    git(top, "mv", "--", "-my handbook é/content/personas/-odd name ë.yml", "-my handbook é/content/personas/-ödder name.yml")
    renamed = project / "content/personas/-ödder name.yml"
    renamed.write_text("id: odder\nname: Odd one\nquote: Hello\ngoals: [a, b, c, d, e]\n")
    commit(top, "rename the odd persona")
    result = diff("HEAD~1", "HEAD", "--format", "json", "--path", str(project))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"] == [
        change(
            "persona",
            "renamed",
            "odder",
            "Odd one",
            path="content/personas/-ödder name.yml",
            from_id="odd",
            from_path="content/personas/-odd name ë.yml",
            changes=[{"field": "quote", "from": "Hi", "to": "Hello"}],
        ),
    ]
    # and against the working tree, from the project's own folder given as a relative-looking path
    assert diff("HEAD~1", "--format", "json", "--path", str(project)).exit_code == 0


def test_symlink_out_of_the_project_at_a_revision_is_not_followed(repo, tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("name: Secret\n")
    (repo / "content/personas/leak.yml").symlink_to(secret)
    commit(repo, "a link out")
    result = diff("HEAD", "--path", str(repo))
    assert result.exit_code == 1
    assert (
        "HEAD: content/personas/leak.yml: error: file is a link to a place outside the project; it was not read" in result.stderr
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_python_dash_m_diff_never_prints_a_traceback(repo):
    done = subprocess.run(
        [os.sys.executable, "-m", "cxreport", "diff", "nope", "--path", str(repo)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr


def test_a_folder_without_site_yml_names_the_users_folder_not_a_temporary_one(repo):
    result = diff("--path", str(repo / "content"))
    assert result.exit_code == 1
    assert "HEAD: site.yml: error: no site.yml in the project folder\n" in result.stderr
    assert f"(here: {repo / 'content'} at HEAD)" in result.stderr
    assert "cxreport-diff-" not in result.stderr


def test_a_missing_object_is_a_clear_message(repo):
    blob = git(repo, "rev-parse", "HEAD:site.yml")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    result = diff("--path", str(repo))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cxreport diff: error: git could not read object {blob}: it is missing from this clone\n")


def test_text_never_sends_control_characters_to_the_terminal(repo):
    journey = repo / FO
    journey.write_text(
        journey.read_text().replace("name: Advert", 'name: "Ad\\e[2Jvert"').replace("Slow page", '"Slow\\u0007 page\\u2028now"')
    )
    result = diff("--path", str(repo))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u2028" not in result.stdout
    assert 'Touchpoint "Ad\\x1b[2Jvert" (ad): changed' in result.stdout
    assert "+ pain point: Slow\\x07 page now" in result.stdout  # a line separator is white space


# --- added by the catalogue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("revision", ["HEAD\n--output=/tmp/x", "main\x1b[2J", "HEAD\x00", "HEAD\t", "a\x7f"])
def test_control_characters_in_a_revision_are_refused_before_git_runs(repo, git_calls, revision):
    result = diff("--path", str(repo), "--", revision)
    assert result.exit_code == 2
    assert "a revision may not contain control characters" in result.stderr
    assert git_calls == []


@pytest.mark.parametrize("revision", ["HEAD..main", "HEAD...main", "HEAD --output=x", "@{-1}"])
def test_ranges_and_odd_revisions_are_not_commits(repo, revision):
    result = diff(revision, "--path", str(repo))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"cxreport diff: error: unknown revision '{revision}'")


def test_git_environment_variables_of_a_hook_are_ignored(repo, tmp_path, monkeypatch):
    other = init_repo(tmp_path / "other")
    write_project(other, {**BASE, "site.yml": "title: Another handbook\n"})
    commit(other, "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    (repo / "site.yml").write_text((repo / "site.yml").read_text() + "description: changed\n")
    result = diff("--format", "json", "--path", str(repo))
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert [c["kind"] for c in changes] == ["site"]
    assert changes[0]["changes"] == [{"field": "description", "from": None, "to": "changed"}]


def test_diff_never_writes_to_the_work_tree_the_index_or_git(repo):
    """Only the metric cache (.cxreport-cache/, which ignores itself in git) may appear, as after `cxreport check`."""
    from hostile_support import tree

    (repo / FO).write_text((repo / FO).read_text().replace("name: Advert", "name: Advertentie"))
    (repo / "content/personas/new.yml").write_text("name: New\n")
    before = tree(repo)
    for args in ([], ["HEAD"], ["HEAD", "HEAD"], ["--format", "markdown"], ["--format", "json"]):
        assert diff(*args, "--path", str(repo)).exit_code == 0
    assert {k: v for k, v in tree(repo).items() if not k.startswith(".cxreport-cache")} == before
