"""The quick inline stage gives exactly the HTML Python-Markdown's own inline stage gives."""
from __future__ import annotations

import markdown as md
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport.render.markdown import MarkdownRenderer, _QuickInlineStage

EXTENSIONS = ["tables", "fenced_code", "admonition", "sane_lists", "toc"]

# pieces that make every inline pattern fire, mixed with plain words, spaces and line breaks
PIECES = ["woord", "klant ", "  \n", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "\\", "[", "]", "(", ")", "!",
          "<", ">", "&", ";", "&amp;", "#", "- ", "1. ", "> ", "| a | b |\n|---|---|\n", "<b>", "</b>",
          "<https://example.org>", "<iemand@example.org>", "[tekst](pagina.md)", "![alt](foto.png)", "&#38;",
          "    ", "```\ncode\n```\n", "!!! note\n    ", "é", "\x02", "\x03"]


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
