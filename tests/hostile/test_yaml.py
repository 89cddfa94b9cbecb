"""Hostile YAML: nothing executes, nothing explodes; every case is exit 1 with a problem at its line, and the
previous site is left byte-identical (or, where the YAML is fine, the value is read as written)."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from hostile_support import assert_refused, build_previous, cli, errors, tree, write_files

from cxreport.pipeline import check as run_check

J = "content/journeys/first-order.yml"
P = "content/personas/parent.yml"
TAIL = "stages:\n  - stage: attention\n    touchpoints: [{id: a, name: A, feeling: 0}]\n"
JOURNEY_HEAD = "title: J\npersona: parent\n"


def test_python_object_tag_runs_nothing(make_project, tmp_path):
    marker = tmp_path / "pwned"
    root = make_project()
    assert_refused(
        root,
        {J: f"title: !!python/object/apply:os.system ['touch {marker}']\npersona: parent\n" + TAIL},
        [(J, 1, 8, "YAML tag '!!python/object/apply:os.system' is not allowed")],
    )
    assert not marker.exists()


def test_python_name_tag_in_front_matter(make_project):
    root = make_project()
    pb = "content/playbooks/p.md"
    assert_refused(
        root,
        {pb: "---\ntitle: !!python/name:os.system\ntype: guide\n---\n"},
        [(pb, 2, 8, "YAML tag '!!python/name:os.system' is not allowed")],
    )


def test_python_tag_spelt_verbatim_or_through_a_tag_directive(make_project):
    root = make_project()
    verbatim = "content/personas/v.yml"
    directive = "content/personas/d.yml"
    assert_refused(
        root,
        {
            verbatim: "name: !<tag:yaml.org,2002:python/object/apply:os.system> [x]\n",
            directive: "%TAG !py! tag:yaml.org,2002:python/\n---\nname: !py!object/apply:os.system [x]\n",
        },
        [
            (directive, 3, 7, "YAML tag '!!python/object/apply:os.system' is not allowed"),
            (verbatim, 1, 7, "YAML tag '!!python/object/apply:os.system' is not allowed"),
        ],
    )


def test_custom_tag(make_project):
    root = make_project()
    assert_refused(root, {P: "name: !include secrets.yml\n"}, [(P, 1, 7, "YAML tag '!include' is not allowed")])


def test_alias_bomb_refused_in_bounded_memory(make_project):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    bomb = "\n".join(lines) + "\n"
    root = make_project()
    assert_refused(root, {J: bomb}, [(J, 4, 1, "aliases expand to too many values (an alias bomb?)")])
    tracemalloc.start()
    _, problems = run_check(root)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # 10^9 values expanded would take gigabytes (and minutes): the memory bound shows none were; no timing here,
    # which a busy machine breaks (timings belong in bench/)
    assert peak < 20 * 2**20
    assert [(p.path, p.line, p.message) for p in problems] == [(J, 4, "aliases expand to too many values (an alias bomb?)")]


def test_self_referencing_anchor(make_project):
    root = make_project()
    assert_refused(
        root, {J: JOURNEY_HEAD + "loop: &l\n  - *l\n" + TAIL}, [(J, 3, 7, "an anchor refers to itself (a recursive alias)")]
    )


def test_duplicate_keys_name_both_lines(make_project):
    root = make_project()
    assert_refused(
        root, {J: JOURNEY_HEAD + "title: K\n" + TAIL}, [(J, 3, 1, "duplicate key 'title' (first on line 1, again on line 3)")]
    )


def test_duplicate_keys_through_merges_name_both_lines(make_project):
    root = make_project()
    assert_refused(
        root,
        {P: "x-a: &a {name: A}\nx-b: &b {name: B}\nx-c:\n  <<: *a\n  <<: *b\nname: P\n"},
        [
            (P, 1, 1, "unknown field 'x-a'"),
            (P, 2, 1, "unknown field 'x-b'"),
            (P, 3, 1, "unknown field 'x-c'"),
            (P, 5, 3, "duplicate key 'name' through '<<' merges (first merged on line 4, again on line 5)"),
        ],
    )


def test_merge_of_a_scalar(make_project):
    root = make_project()
    assert_refused(root, {P: "name: P\n<<: oops\n"}, [(P, 2, 5, "'<<' (merge) needs a mapping or a list of mappings")])


@pytest.mark.parametrize("value", ["no", "yes", "off", "10:30", "0555", "1.10"])
def test_yaml_11_words_and_numbers_stay_text_where_text_is_expected(make_project, value):
    root = make_project({P: f"name: {value}\nsegment: {value}\nquote: {value}\n"})
    run = cli("build", root, "-q")
    assert run.exit_code == 0, run.output
    project, _ = run_check(root)
    persona = project.personas["parent"]
    assert (persona.name, persona.segment, persona.quote) == (value, value, value)
    assert f"<h1>{value}</h1>" in (root / "output/personas/parent.html").read_text()


def test_a_number_where_a_number_is_expected_is_decimal_never_octal(make_project):
    root = make_project({"content/playbooks/g.md": "---\ntitle: G\ntype: guide\norder: 0555\n---\n"})
    project, problems = run_check(root)
    assert list(problems) == [] and project.playbooks["g"].order == 555


@pytest.mark.parametrize(
    "value, message",
    [
        ("10:30", "order: expected a number, found '10:30'"),
        ("yes", "order: expected a number, found 'yes'"),
        ("1,5", "order: expected a number, found '1,5'"),
    ],
)
def test_sexagesimal_words_and_decimal_commas_where_a_number_is_expected(make_project, value, message):
    root = make_project()
    pb = "content/playbooks/g.md"
    assert_refused(root, {pb: f"---\ntitle: G\ntype: guide\norder: {value}\n---\n"}, [(pb, 4, 8, message)])


def test_yes_no_where_true_false_is_expected(make_project):
    root = make_project({"site.yml": "title: T\nstrict: no\n"})
    project, problems = run_check(root)
    assert list(problems) == [] and project.config.strict is False
    assert_refused(
        root, {"site.yml": "title: T\nstrict: maybe\n"}, [("site.yml", 2, 9, "strict: expected true or false, found 'maybe'")]
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n   \n"])
def test_empty_file(make_project, text):
    root = make_project()
    assert_refused(root, {J: text}, [(J, 1, 1, "file is empty")])


def test_several_documents(make_project):
    root = make_project()
    assert_refused(
        root,
        {J: JOURNEY_HEAD + TAIL + "---\ntitle: K\n"},
        [(J, 7, 1, "file holds several YAML documents (a second one starts here)")],
    )


def test_tab_indentation(make_project):
    root = make_project()
    assert_refused(root, {J: JOURNEY_HEAD + "stages:\n\t- stage: attention\n"}, [(J, 4, 1, "tab character used for indentation")])


def test_fifty_megabyte_file_is_refused_by_its_size(make_project):
    root = make_project()
    before = build_previous(root)
    with open(root / J, "wb") as f:
        f.write(b"title: J\n# " + b"x" * (50 * 1024 * 1024) + b"\n")
    start = time.perf_counter()
    assert errors(root) == (1, [(J, 1, 1, "file is too large (50.0 MB; the limit is 5 MB)")])
    run = cli("build", root)
    assert time.perf_counter() - start < 3.0
    assert run.exit_code == 1 and tree(root / "output") == before


def test_bytes_that_are_not_utf8_name_line_and_column(make_project):
    root = make_project()
    assert_refused(
        root,
        {P: b"name: P\nquote: caf" + "\u00e9!\n".encode("cp1252")},
        [(P, 2, 11, "file is not UTF-8 text (byte 0xE9 cannot be read)")],
    )


def test_a_byte_order_mark_is_fine(make_project):
    root = make_project({P: b"\xef\xbb\xbfname: P\n"})
    assert errors(root) == (0, [])


def test_control_character_names_its_line(make_project):
    """Found by this catalogue: a NUL was reported at line 1, whatever line it was on."""
    root = make_project()
    assert_refused(
        root, {P: "name: P\nquote: a\x00b\n"}, [(P, 2, 9, "YAML cannot be read: character U+0000 is not allowed in YAML")]
    )


def test_line_separator_in_plain_text_names_its_line(make_project):
    """Found by this catalogue: YAML 1.1 breaks lines at U+2028 (editors do not), so problems after one were
    reported a line too low, and a separator in a plain value was a bare syntax error on the wrong line."""
    root = make_project({P: 'name: P\nquote: "Uit Word\u2028geplakt"\nfrustrations: [x]\nfrustrations: [y]\n'})
    assert errors(root) == (1, [(P, 4, 1, "duplicate key 'frustrations' (first on line 3, again on line 4)")])
    root = make_project({P: "name: P\nquote: Uit Word\u2028geplakt\n"})
    assert errors(root) == (1, [(P, 2, 16, "YAML syntax error: could not find expected ':'")])


def test_nesting_deeper_than_64_levels(make_project):
    root = make_project()
    assert_refused(root, {P: "name: P\ngoals: " + "[" * 80 + "]" * 80 + "\n"}, [(P, 2, 72, "YAML is nested too deeply")])


def test_a_list_or_mapping_as_a_key(make_project):
    root = make_project()
    assert_refused(
        root, {P: "name: P\n? [a, b]\n: c\n"}, [(P, 2, 3, "a mapping key must be a plain word, not a list or mapping")]
    )


def test_front_matter_never_closed(make_project):
    root = make_project()
    pb = "content/playbooks/p.md"
    assert_refused(
        root, {pb: "---\ntitle: P\ntype: guide\n\nBody without a closing fence.\n"}, [(pb, 1, 1, "front matter is never closed")]
    )


def test_terminal_escapes_in_values_never_reach_the_terminal(make_project):
    """Found by this catalogue: problems printed values as they were, so a map could clear the screen or
    write a hyperlink into the terminal of whoever ran check."""
    root = make_project()
    write_files(root, {J: 'title: J\npersona: "nobody\\e]8;;https://evil.example/\\a\\e[2J"\n' + TAIL})
    run = cli("check", root)
    assert run.exit_code == 1
    assert "\x1b" not in run.output and "\x07" not in run.output
    assert f"{J}:2:10: error: persona: 'nobody\\x1b]8;;https://evil.example/\\x07\\x1b[2J' is not a valid id" in run.stderr
    github = cli("check", root, "--format", "github")
    assert "\x1b" not in github.output and github.exit_code == 1
