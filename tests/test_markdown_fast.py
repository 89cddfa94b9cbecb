"""The quick inline stage gives exactly the HTML Python-Markdown's own inline stage gives."""

from __future__ import annotations

import markdown as md
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cxreport.render.markdown import MarkdownRenderer, _QuickInlineStage

EXTENSIONS = ["tables", "fenced_code", "admonition", "sane_lists", "toc"]

# pieces that make every inline pattern fire, mixed with plain words, spaces and line breaks
PIECES = [
    "woord",
    "klant ",
    "  \n",
    "\n",
    "\n\n",
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "!",
    "<",
    ">",
    "&",
    ";",
    "&amp;",
    "#",
    "- ",
    "1. ",
    "> ",
    "| a | b |\n|---|---|\n",
    "<b>",
    "</b>",
    "<https://example.org>",
    "<iemand@example.org>",
    "[tekst](pagina.md)",
    "![alt](foto.png)",
    "&#38;",
    "    ",
    "```\ncode\n```\n",
    "!!! note\n    ",
    "é",
    "\x02",
    "\x03",
]


def convert(text: str, quick: bool) -> str:
    engine = md.Markdown(extensions=EXTENSIONS + ([_QuickInlineStage()] if quick else []))
    return engine.convert(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_quick_inline_stage_changes_nothing(text):
    assert convert(text, quick=True) == convert(text, quick=False)


def test_plain_and_marked_up_text():
    text = "## Kop\n\nGewone zin zonder opmaak.\n\nEen zin met **vet**, _schuin_, `code` en [een link](https://example.org).\n"
    assert convert(text, quick=True) == convert(text, quick=False)
    assert "<strong>vet</strong>" in convert(text, quick=True)


def test_renderer_uses_quick_stage():
    engine = MarkdownRenderer()._plain
    assert type(engine.treeprocessors["inline"]).__name__ == "_QuickInline"


def test_extension_with_own_patterns_keeps_the_full_stage():
    engine = md.Markdown(extensions=["footnotes", _QuickInlineStage()])
    assert type(engine.treeprocessors["inline"]).__name__ == "InlineProcessor"


# Lines of plain words and everything that may turn a line into something else, or that Markdown or the
# sanitiser would change: indents, trailing spaces, list and heading starts, setext underlines, tabs,
# control characters, no-break and other spaces, entities, quotes.
LINE_PIECES = [
    "klant",
    "woord",
    " ",
    "  ",
    "   ",
    "    ",
    "\t",
    ".",
    ",",
    "'",
    '"',
    "-",
    "--",
    "---",
    "=",
    "===",
    "+",
    "1.",
    "1)",
    "12.",
    "#",
    ">",
    "*",
    "é",
    "😀",
    "\xa0",
    "\u2003",
    "\u2028",
    "\x85",
    "\x0c",
    "\x00",
    "\x7f",
    "\ufffd",
    "&",
    "<",
    ":",
    "!",
    "?",
    "(",
    ")",
    "/",
    "%",
    "@",
]
TEXTS = st.lists(st.lists(st.sampled_from(LINE_PIECES), max_size=8).map("".join), max_size=6).map("\n".join)


def engine_html(text: str, ids: bool) -> str:
    from cxreport.render.markdown import sanitize

    renderer = MarkdownRenderer()
    engine = renderer._with_toc if ids else renderer._plain
    return sanitize(engine.convert(text), keep_ids=ids)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(TEXTS, st.booleans())
def test_plain_paragraphs_give_what_markdown_and_the_sanitiser_give(text, ids):
    from cxreport.render.markdown import _plain_paragraphs

    quick = _plain_paragraphs(text)
    if quick is not None:
        assert str(quick) == engine_html(text, ids)
    assert str(MarkdownRenderer().block(text, ids=ids)) == engine_html(text, ids)


def test_plain_paragraphs_are_taken_and_markup_is_not():
    from cxreport.render.markdown import _plain_paragraphs

    assert (
        _plain_paragraphs("Prijs winkelmand app.\nTweede regel.\n\nNieuwe alinea.")
        == "<p>Prijs winkelmand app.\nTweede regel.</p>\n<p>Nieuwe alinea.</p>"
    )
    for text in ["Kop\n===", "- punt", "1986. Een jaar", "regel  \nhard", "    code", "a **b**", "a\tb", "a\xa0b"]:
        assert _plain_paragraphs(text) is None, text


@pytest.mark.slow
@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=10).map("".join))
@example("-- -")  # a horizontal rule to Markdown
@example("- - -")
def test_an_inline_line_gives_what_markdown_and_the_sanitiser_give(line):
    # the quick path of inline() takes plain lines as they are; any other line goes through the engine
    from cxreport.render.markdown import _PLAIN_LINE

    if _PLAIN_LINE.fullmatch(line):
        assert str(MarkdownRenderer().inline(line)) == engine_html(line, False).removeprefix("<p>").removesuffix("</p>")
