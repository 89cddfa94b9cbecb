"""The safe YAML reader: values keep their lines; PyYAML's silent behaviours become problems."""

from __future__ import annotations

import pytest

from cxreport.problems import Problems
from cxreport.yamlsrc import Locator, parse_front_matter, parse_yaml


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


# The alias bomb and the self-referencing anchor: tests/hostile/test_yaml.py (the hostile-input catalogue).


# Empty files, several documents, tabs, tags and complex keys: tests/hostile/test_yaml.py.
@pytest.mark.parametrize(
    "text,expected",
    [
        ("a: [1, 2\n", (2, 1, "YAML syntax error: did not find expected ',' or ']'")),
    ],
)
def test_broken_yaml_gets_its_own_problem(text, expected):
    result, problems = parse(text)
    assert result is None
    assert problems == [expected]


# Bytes that are not UTF-8, a byte-order mark and the size limit: tests/hostile/test_yaml.py.


def test_front_matter_lines_count_from_the_opening_fence():
    problems = Problems()
    fm = parse_front_matter("---\ntitle: A\ntype: guide\n---\n# Body\n", "p.md", problems)
    assert fm.data == {"title": "A", "type": "guide"}
    assert fm.locator.at(("type",)) == (3, 7)
    assert fm.body == "# Body\n"
    assert fm.body_line == 5


@pytest.mark.parametrize(
    "text,expected",
    [
        ("# no front matter\n", (1, 1, "file has no front matter")),
        ("---\n---\nbody\n", (1, 1, "front matter is empty")),
        ("---\n- a\n---\n", (2, 1, "front matter must be a mapping of fields (name: value)")),
        ("---\ntitle: A\ntitle: B\n---\n", (3, 1, "duplicate key 'title' (first on line 2, again on line 3)")),
    ],
)
def test_front_matter_problems(text, expected):
    problems = Problems()
    parse_front_matter(text, "p.md", problems)
    assert [(p.line, p.col, p.message) for p in problems] == [expected]


def test_positions_are_read_when_first_asked_and_match_a_recording_walk():
    from cxreport.yamlsrc import _Lines, _Loader, _Walker

    text = (
        "title: Eerste bestelling\nstages:\n  - stage: attention\n    touchpoints:\n      - id: ad\n"
        "        doing: [Scrolt, Klikt]\n        feeling: {score: 1, label: blij}\n  - stage: action\n"
        "    touchpoints: []\nnotes: |\n  regel 1\n  regel 2\n"
    )
    problems = Problems()
    data, loc = parse_yaml(text, "content/journeys/x.yml", problems, line_offset=3)
    assert not problems and repr(loc) == "Locator(not read yet)"
    loader = _Loader(text)
    node = loader.get_single_node()
    loader.dispose()
    eager = Locator()
    assert _Walker(eager, 3, _Lines(text)).walk(node, ()) == data
    assert loc.at(("stages", 0, "touchpoints", 0, "doing", 1)) == (9, 25)
    assert loc.values == eager.values and loc.keys == eager.keys and loc == eager
    assert repr(loc) == f"Locator({len(eager.values)} values)"


def test_a_duplicate_key_found_without_positions_is_reported_with_them():
    problems = Problems()
    parsed = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yml", problems)
    assert parsed is not None and parsed[0] == {"a": "1", "b": "2"}
    assert [(p.line, p.col, p.message) for p in problems] == [(3, 1, "duplicate key 'a' (first on line 1, again on line 3)")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: {x: 1}\nb:\n  <<: {x: 2, y: 3}\n  y: 4\n", {"a": {"x": "1"}, "b": {"x": "2", "y": "4"}}),  # no '&' at all
        ("team: R&D\nlist: [a, b]\n", {"team": "R&D", "list": ["a", "b"]}),  # '&' in a text, no anchor
        ("base: &b {x: 1}\nc: *b\nd: *b\n", {"base": {"x": "1"}, "c": {"x": "1"}, "d": {"x": "1"}}),  # anchors
    ],
    ids=["no-ampersand", "ampersand-in-text", "anchors"],
)
def test_documents_with_and_without_anchors_read_the_same_way(text, expected):
    # a text with no '&' can hold no anchor, so no alias: its first walk keeps no record of the nodes met
    problems = Problems()
    data, _ = parse_yaml(text, "f.yml", problems)
    assert (data, list(problems)) == (expected, [])
