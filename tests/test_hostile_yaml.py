"""Hostile YAML: nothing executes, nothing explodes, every case is a problem at its line (exit 1)."""
from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from cxreport.cli import main

J = "content/journeys/first-order.yml"
VALID_TAIL = "stages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n"


def check(root, *args):
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *args])
    import json
    problems = json.loads(result.stdout) if result.stdout.strip().startswith("[") else []
    return result.exit_code, [(p["path"], p["line"], p["message"]) for p in problems]


def test_python_object_tag_runs_nothing(make_project, tmp_path):
    marker = tmp_path / "pwned"
    root = make_project({J: f"title: !!python/object/apply:os.system ['touch {marker}']\npersona: parent\n" + VALID_TAIL})
    code, problems = check(root)
    assert code == 1
    assert problems == [(J, 1, "YAML tag '!!python/object/apply:os.system' is not allowed")]
    assert not marker.exists()


def test_python_name_tag_in_front_matter(make_project):
    root = make_project({"content/playbooks/p.md": "---\ntitle: !!python/name:os.system\ntype: guide\n---\n"})
    assert check(root) == (1, [("content/playbooks/p.md", 2, "YAML tag '!!python/name:os.system' is not allowed")])


def test_alias_bomb_refused_within_a_second(make_project):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    root = make_project({J: "\n".join(lines) + "\n"})
    start = time.perf_counter()
    code, problems = check(root)
    assert time.perf_counter() - start < 1.0
    assert (code, problems) == (1, [(J, 4, "aliases expand to too many values (an alias bomb?)")])


def test_self_referencing_anchor(make_project):
    root = make_project({J: "title: J\npersona: parent\nloop: &l\n  - *l\n" + VALID_TAIL})
    assert check(root) == (1, [(J, 3, "an anchor refers to itself (a recursive alias)")])


def test_duplicate_keys_name_both_lines(make_project):
    root = make_project({J: "title: J\npersona: parent\ntitle: K\n" + VALID_TAIL})
    assert check(root) == (1, [(J, 3, "duplicate key 'title' (first on line 1, again on line 3)")])


def test_duplicate_keys_through_merges(make_project):
    root = make_project({"content/personas/p2.yml": "a: &a {name: A}\nb: &b {name: B}\n<<: [*a, *b]\n"})
    code, problems = check(root)
    assert code == 1
    assert (("content/personas/p2.yml", 3, "duplicate key 'name' through '<<' merges (first merged on line 3, again on line 3)")
            in problems)


@pytest.mark.parametrize("value", ["no", "yes", "off", "10:30", "0555", "1.10"])
def test_yaml_11_surprises_stay_text(make_project, value):
    from cxreport.pipeline import check as run_check
    root = make_project({"content/personas/parent.yml": f"name: {value}\nsegment: {value}\n"})
    project, problems = run_check(root)
    assert list(problems) == []
    assert project.personas["parent"].name == value and project.personas["parent"].segment == value


def test_numbers_are_decimal_where_numbers_are_expected(make_project):
    from cxreport.pipeline import check as run_check
    root = make_project({"content/playbooks/g.md": "---\ntitle: G\ntype: guide\norder: 0555\n---\n"})
    project, _ = run_check(root)
    assert project.playbooks["g"].order == 555


def test_time_where_a_number_is_expected_is_an_error(make_project):
    root = make_project({"content/playbooks/g.md": "---\ntitle: G\ntype: guide\norder: 10:30\n---\n"})
    assert check(root) == (1, [("content/playbooks/g.md", 4, "order: expected a number, found '10:30'")])


@pytest.mark.parametrize("text,line,message", [
    ("", 1, "file is empty"),
    ("title: J\n---\ntitle: K\n", 3, "file holds several YAML documents (a second one starts here)"),
    ("title: J\nstages:\n\t- stage: a\n", 3, "tab character used for indentation"),
])
def test_empty_multi_document_and_tabs(make_project, text, line, message):
    root = make_project({J: text})
    assert check(root) == (1, [(J, line, message)])


def test_fifty_megabyte_file_is_refused_by_size(make_project):
    root = make_project()
    with open(root / J, "wb") as f:
        f.write(b"title: J\n")
        f.write(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    start = time.perf_counter()
    assert check(root) == (1, [(J, 1, "file is too large (50.0 MB; the limit is 5 MB)")])
    assert time.perf_counter() - start < 2.0
