"""The safe YAML reader: values keep their lines; PyYAML's silent behaviours become problems."""
from __future__ import annotations

import resource
import time

import pytest

from cxreport.problems import Problems
from cxreport.yamlsrc import parse_front_matter, parse_yaml, read_text


def parse(text: str):
    problems = Problems()
    result = parse_yaml(text, "f.yml", problems)
    return result, [(p.line, p.col, p.message) for p in problems]


def test_values_keep_their_lines():
    (data, loc), problems = parse("title: A\nstages:\n  - stage: x\n    touchpoints:\n      - id: t\n")
    assert problems == []
    assert data == {"title": "A", "stages": [{"stage": "x", "touchpoints": [{"id": "t"}]}]}
    assert loc.at(("stages", 0, "touchpoints", 0, "id")) == (5, 13)
    assert loc.key_at(("stages",)) == (2, 1)
    assert loc.at(("stages", 0, "missing")) == (3, 5)


def test_yaml_11_booleans_numbers_and_times_stay_text():
    (data, _), _ = parse("a: no\nb: yes\nc: off\nd: 10:30\ne: 0555\nf: 1.10\ng: ~\nh:\n")
    assert data == {"a": "no", "b": "yes", "c": "off", "d": "10:30", "e": "0555", "f": "1.10", "g": None, "h": None}


def test_duplicate_key_names_both_lines():
    _, problems = parse("title: A\nowner: x\ntitle: B\n")
    assert problems == [(3, 1, "duplicate key 'title' (first on line 1, again on line 3)")]


def test_duplicate_key_through_merges_names_both_lines():
    text = "a: &a {x: 1}\nb: &b {x: 2}\nc:\n  <<: *a\n  <<: *b\n"
    _, problems = parse(text)
    assert problems == [(5, 3, "duplicate key 'x' through '<<' merges (first merged on line 4, again on line 5)")]


def test_merge_with_explicit_override_is_fine():
    (data, _), problems = parse("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n")
    assert problems == []
    assert data["c"] == {"x": "3", "y": "2"}


def test_alias_bomb_is_refused_fast_and_small():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(levels) + "\n"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result, problems = parse(text)
    assert time.perf_counter() - start < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: a few MB at most
    assert result is None
    assert problems == [(5, 1, "aliases expand to too many values (an alias bomb?)")]


def test_self_referencing_anchor_is_refused():
    result, problems = parse("a: &x\n  b: *x\n")
    assert result is None
    assert problems == [(2, 3, "an anchor refers to itself (a recursive alias)")]


@pytest.mark.parametrize("text,expected", [
    ("", (1, 1, "file is empty")),
    ("# only a comment\n", (1, 1, "file is empty")),
    ("a: 1\n---\nb: 2\n", (3, 1, "file holds several YAML documents (a second one starts here)")),
    ("a:\n\tb: 1\n", (2, 1, "tab character used for indentation")),
    ("!!python/object/apply:os.system [echo]\n", (1, 1, "YAML tag '!!python/object/apply:os.system' is not allowed")),
    ("a: !!python/name:os.system\n", (1, 4, "YAML tag '!!python/name:os.system' is not allowed")),
    ("a: [1, 2\n", (2, 1, "YAML syntax error: did not find expected ',' or ']'")),
    ("? [a, b]\n: c\n", (1, 3, "a mapping key must be a plain word, not a list or mapping")),
])
def test_broken_yaml_gets_its_own_problem(text, expected):
    result, problems = parse(text)
    assert result is None
    assert problems == [expected]


def test_non_utf8_file(tmp_path):
    path = tmp_path / "f.yml"
    path.write_bytes("title: A\nowner: caf".encode() + "é\n".encode("cp1252"))
    problems = Problems()
    assert read_text(path, "f.yml", problems) is None
    [p] = problems
    assert (p.line, p.col, p.message) == (2, 11, "file is not UTF-8 text (byte 0xE9 cannot be read)")


def test_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "f.yml"
    path.write_bytes(b"\xef\xbb\xbftitle: A\n")
    assert read_text(path, "f.yml", Problems()) == "title: A\n"


def test_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"a: " + b"x" * (6 * 1024 * 1024) + b"\n")
    problems = Problems()
    assert read_text(path, "big.yml", problems) is None
    assert [p.message for p in problems] == ["file is too large (6.0 MB; the limit is 5 MB)"]


def test_front_matter_lines_count_from_the_opening_fence():
    problems = Problems()
    fm = parse_front_matter("---\ntitle: A\ntype: guide\n---\n# Body\n", "p.md", problems)
    assert fm.data == {"title": "A", "type": "guide"}
    assert fm.locator.at(("type",)) == (3, 7)
    assert fm.body == "# Body\n"
    assert fm.body_line == 5


@pytest.mark.parametrize("text,expected", [
    ("# no front matter\n", (1, 1, "file has no front matter")),
    ("---\ntitle: A\n", (1, 1, "front matter is never closed")),
    ("---\n---\nbody\n", (1, 1, "front matter is empty")),
    ("---\n- a\n---\n", (2, 1, "front matter must be a mapping of fields (name: value)")),
    ("---\ntitle: A\ntitle: B\n---\n", (3, 1, "duplicate key 'title' (first on line 2, again on line 3)")),
])
def test_front_matter_problems(text, expected):
    problems = Problems()
    parse_front_matter(text, "p.md", problems)
    assert [(p.line, p.col, p.message) for p in problems] == [expected]
