"""Inputs that made a check or a build hang or take minutes (issue 18, point 12): a named pipe where a file
belongs, Markdown that is quadratic or worse in Python-Markdown, a YAML file of millions of values. Each is
refused at its file and line under a documented limit (docs/format.md, "Limits"), or read in linear time.

A test that guards a hang runs the command in a thread and fails when it is not done within a bound far above
what the fixed code takes (milliseconds) and far below what the broken code took (minutes, or for ever)."""

from __future__ import annotations

import os
import random
import re
import signal

import pytest
from hostile_support import cli, errors, problems_json, tree, write_files

from cxreport.limits import MAX_MARKDOWN_DEPTH, MAX_PARAGRAPH_OPENERS, MAX_VALUES, markdown_limit
from cxreport.render.markdown import _PLAIN_LINE, MarkdownRenderer

J = "content/journeys/first-order.yml"
GUIDE_HEAD = "---\ntype: guide\ntitle: G\n---\n"  # the body starts on line 5
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


class Hung(Exception):
    pass


def finishes(work, seconds: int = 60):
    """Give what work() gives; fail when it has not returned within seconds (a hang, not a timing).

    An alarm interrupts even a blocking open of a named pipe; the build's own signal handling needs the main
    thread, so the work runs there.
    """
    if not hasattr(signal, "SIGALRM"):
        return work()

    def hung(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        return work()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- named pipes where a file belongs ----------------------------------------------------------------------------


@needs_fifo
@pytest.mark.parametrize("name", ["content/journeys/pipe.yml", "content/personas/pipe.yml", "content/playbooks/pipe.md"])
def test_a_named_pipe_named_like_a_content_file_is_named_not_read(make_project, name):
    root = make_project()
    (root / name).parent.mkdir(exist_ok=True)
    os.mkfifo(root / name)
    code, found = finishes(lambda: errors(root))
    assert (code, found) == (1, [(name, 0, 0, "cannot read file: it is a named pipe (FIFO), not a file")])
    run = finishes(lambda: cli("build", root))
    assert run.exit_code == 1 and not (root / "output").exists()


@needs_fifo
def test_a_named_pipe_in_the_assets_is_left_out_with_a_warning_and_the_build_goes_on(make_project):
    root = make_project({"content/assets/logo.png": b"\x89PNG\r\n"})
    os.mkfifo(root / "content/assets/pipe.png")
    code, found = finishes(lambda: problems_json(root))
    assert found == [
        ("content/assets/pipe.png", 0, 0, "warning", "asset is a named pipe (FIFO), not a file; it was not published")
    ]
    run = finishes(lambda: cli("build", root, "-q"))
    assert run.exit_code == 0, run.output
    assert (root / "output/media/logo.png").is_file() and not (root / "output/media/pipe.png").exists()
    again = finishes(lambda: cli("build", root, "-q"))  # the record of the build does not read it either
    assert again.exit_code == 0


@needs_fifo
def test_a_named_pipe_in_a_theme_folder_does_not_hang_the_build(make_project):
    root = make_project({"site.yml": "title: Test\nlanguage: en\ntheme: mine\n", "themes/mine/templates/.keep": ""})
    os.mkfifo(root / "themes/mine/templates/pipe.html")
    assert finishes(lambda: cli("build", root, "-q")).exit_code == 0


@needs_fifo
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("metrics:\n  - {id: m, file: metrics/pipe.csv, type: nps}", (4, 19, "metric file 'content/metrics/pipe.csv'")),
        ("brand: {logo: metrics/pipe.csv}", (3, 15, "logo 'content/metrics/pipe.csv'")),
    ],
)
def test_a_named_pipe_as_metric_file_or_logo_is_called_what_it_is(make_project, field, expected):
    root = make_project({"site.yml": f"title: Test\nlanguage: en\n{field}\n", "content/metrics/.keep": ""})
    os.mkfifo(root / "content/metrics/pipe.csv")
    line, col, what = expected
    code, found = finishes(lambda: errors(root))
    assert (code, found) == (1, [("site.yml", line, col, f"{what} is a named pipe (FIFO), not a file")])


# --- Markdown past its limits ------------------------------------------------------------------------------------


def test_the_plain_line_pattern_is_the_one_it_replaced_and_linear_in_a_run_of_spaces():
    """_PLAIN_LINE's answer is that of the pattern before it on every short text of its characters, and a lane
    of 'x', 100,000 spaces and 'y' (160 s before) is judged at once."""
    before = re.compile(
        r"(?![-+*>#]\s|\d+[.)]\s|[-= ]+$)[^\s*_`\[\]<>&\\#!|~{}\x00-\x1f\x7f-\xa0]"
        r"(?:[^*_`\[\]<>&\\#!|~{}\x00-\x1f\x7f-\xa0\s]| (?! *$))*"
    )
    rng = random.Random(18)
    alphabet = "ab  -+*>#1.)=\t\xa0_["
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert bool(_PLAIN_LINE.fullmatch(text)) == bool(before.fullmatch(text)), repr(text)
    lane = "x" + " " * 100_000 + "y"
    assert finishes(lambda: str(MarkdownRenderer().inline(lane)), 30) == lane
    assert finishes(lambda: _PLAIN_LINE.fullmatch("x" + " " * 100_000), 30) is None


def test_a_lane_of_fifty_thousand_spaces_builds(make_project):
    lane = "x" + " " * 50_000 + "y"
    root = make_project({J: open_journey(f'        doing: "{lane}"\n')})
    run = finishes(lambda: cli("build", root, "-q"))
    assert run.exit_code == 0, run.output
    assert lane in (root / "output/journeys/first-order.html").read_text(encoding="utf-8")


def open_journey(extra: str) -> str:
    """Give the minimal journey with extra lines in its first touchpoint."""
    from helpers import MINIMAL_JOURNEY

    return MINIMAL_JOURNEY.replace(
        "        feeling: {score: 1, label: curious}\n", "        feeling: {score: 1, label: curious}\n" + extra
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("[" * 20_000, 5, f"paragraph holds more than {MAX_PARAGRAPH_OPENERS} '['"),
        ("<a " * 20_000, 5, f"paragraph holds more than {MAX_PARAGRAPH_OPENERS} '<'"),
        ("Intro.\n\n" + "[x](y) " * 60 + "\n" + "[x](y) " * 60, 8, f"paragraph holds more than {MAX_PARAGRAPH_OPENERS} '['"),
        ("\n\n".join("<b>a</b> " * 45 for _ in range(12)), 5 + 2 * 11, "text holds more than 1,000 '<'"),
        (
            "\n".join("    " * i + "- a" for i in range(400)),
            5 + 21,
            "Markdown nested too deeply (21 levels of quotes and indents)",
        ),
        ("\n".join("> " * i + "a" for i in range(2_000)), 5, "text is too long (4,002,000 characters; the limit is 1,000,000)"),
        ("\n".join("> " * i + "a" for i in range(40)), 5 + 21, "Markdown nested too deeply (21 levels of quotes and indents)"),
        ("\n".join("\t" * i + "a" for i in range(40)), 5 + 21, "Markdown nested too deeply (21 levels of quotes and indents)"),
        ("".join("`" * (3 + i) + "\n" for i in range(800)), 5 + 10, "text holds more than 10 code fences that are never closed"),
    ],
    ids=["brackets", "angles", "paragraph", "text-angles", "lists", "quotes-long", "quotes", "tabs", "fences"],
)
def test_markdown_past_a_limit_is_refused_at_its_line(make_project, body, line, message):
    name = "content/playbooks/g.md"
    root = make_project({name: GUIDE_HEAD + body + "\n"})
    code, found = finishes(lambda: errors(root))
    assert (code, found) == (1, [(name, line, 1, message)])


def test_a_journey_field_past_a_markdown_limit_is_refused_at_its_line(make_project):
    deep = "".join(f"          {'> ' * i}a\n" for i in range(25))
    root = make_project({J: open_journey("        doing: |\n" + deep)})
    assert errors(root) == (1, [(J, 9 + 1 + 21, 1, "Markdown nested too deeply (21 levels of quotes and indents)")])
    root_flow = make_project({J: open_journey(f'        doing: "{"[" * 20_000}"\n')})
    assert errors(root_flow) == (1, [(J, 9, 16, f"paragraph holds more than {MAX_PARAGRAPH_OPENERS} '['")])


def test_markdown_within_the_limits_and_fenced_code_are_drawn(make_project):
    within = "\n\n".join("[a](https://example.org) " * 50 for _ in range(30))
    code = "```\n" + "[" * 20_000 + "<a " * 5_000 + "\n```\n"
    unclosed = "````\n" + "x\n" * 3  # an unclosed fence is text to Python-Markdown: it is counted
    root = make_project({"content/playbooks/g.md": GUIDE_HEAD + within + "\n\n" + code + unclosed})
    assert errors(root) == (0, [])
    assert markdown_limit(unclosed + "[" * (MAX_PARAGRAPH_OPENERS + 1)) is not None
    assert markdown_limit("\n".join("  " * i + "- a" for i in range(2 * MAX_DEPTH_LINES))) is None
    run = cli("build", root, "-q")
    assert run.exit_code == 0, run.output
    assert "[" * 20_000 in (root / "output/playbooks/g.html").read_text(encoding="utf-8")


MAX_DEPTH_LINES = MAX_MARKDOWN_DEPTH  # two-space indents nest no list in Python-Markdown: 40 of them are depth 20


def test_the_renderer_shows_text_past_a_limit_as_text():
    """Text that reaches the renderer without check (none should) is drawn as escaped text, in linear time."""
    html = finishes(lambda: str(MarkdownRenderer().block("<a " * 20_000)), 30)
    assert html == "<p>" + "&lt;a " * 20_000 + "</p>"


# --- YAML of millions of values ----------------------------------------------------------------------------------


def test_a_yaml_file_of_two_million_values_is_refused_at_the_value_past_the_limit(make_project):
    name = "content/personas/many.yml"
    head = "name: P\nsegment: s\nnotes: ["
    root = make_project({name: head + ",".join(["a"] * 2_000_000) + "]\n"})
    # values before the list: the mapping, name, P, segment, s, notes, the list: 7; item k is value 7 + k
    item = MAX_VALUES + 1 - 7
    col = len("notes: [") + 1 + 2 * (item - 1)
    code, found = finishes(lambda: errors(root))
    assert (code, found) == (1, [(name, 3, col, f"file holds more than {MAX_VALUES:,} values (this one is past the limit)")])


def test_a_yaml_file_of_many_values_within_the_limit_loads(make_project):
    root = make_project({"content/personas/many.yml": "name: P\nsegment: s\nnotes: [" + ",".join(["a"] * 99_000) + "]\n"})
    code, found = errors(root)
    assert [f for f in found if f[0] == "content/personas/many.yml"] == [
        ("content/personas/many.yml", 3, 1, "unknown field 'notes'")
    ]


def test_refused_input_leaves_the_previous_site(make_project):
    root = make_project()
    assert cli("build", root, "-q").exit_code == 0
    before = tree(root / "output")
    write_files(root, {"content/playbooks/g.md": GUIDE_HEAD + "[" * 20_000 + "\n"})
    assert cli("build", root).exit_code == 1
    assert tree(root / "output") == before
