"""Markdown to safe HTML: Python-Markdown (tables, toc, fenced code, admonitions), then nh3 with an allow-list."""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.etree.ElementTree import Element

import markdown as md  # type: ignore[import-untyped]  # Python-Markdown ships no type hints
import nh3
from markdown.extensions import Extension  # type: ignore[import-untyped]  # Python-Markdown ships no type hints
from markdown.extensions.toc import slugify_unicode  # type: ignore[import-untyped]  # Python-Markdown ships no type hints
from markdown.treeprocessors import InlineProcessor, Treeprocessor  # type: ignore[import-untyped]  # Python-Markdown ships no type hints
from markupsafe import Markup, escape

from ..limits import markdown_limit

# A link resolver gets (url, source file, output page) and gives the url to write, or None when the
# url names something that does not exist (the caller reports it).
LinkResolver = Callable[[str, str, str], "str | None"]

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"style", "colspan", "rowspan", "class"},
    "td": {"style", "colspan", "rowspan"},
    "code": {"class"},
    "div": {"class"},
    "p": {"class"},
    **{f"h{i}": {"id"} for i in range(1, 7)},
}
ADMONITIONS = {
    "admonition",
    "note",
    "tip",
    "hint",
    "important",
    "info",
    "warning",
    "caution",
    "attention",
    "danger",
    "error",
    "example",
    "success",
    "question",
    "quote",
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Ids the templates use; a heading in content that would take one gets a prefix instead.
RESERVED_ID = re.compile(r"^(main|site-nav|top|search.*|tp-.*|stage-.*|lane-.*|chart-.*|sec-.*)$")
_SLUG = re.compile(r"^[\w-]+$", re.UNICODE)
# A line that Markdown would only wrap in <p> (one line of a plain paragraph): no markup characters, no list,
# quote, heading or code start, no setext underline, no spaces around it (indents, hard breaks), and no
# character Markdown or the sanitiser would change (tabs, control characters, no-break space).
# Words separated by runs of single spaces: each space run must be followed by a word character, so the match
# is linear in the line (a lookahead for "not only spaces up to the end" at each space made it quadratic).
_WORD = r"[^\s*_`\[\]<>&\\#!|~{}\x00-\x1f\x7f-\xa0]"
_PLAIN_LINE = re.compile(r"(?![-+*>#]\s|\d+[.)]\s|[-= ]+$)" + _WORD + r"(?:" + _WORD + r"| +" + _WORD + r")*")


def heading_id(value: str, separator: str = "-") -> str:
    """Give a heading's id: the usual slug, prefixed when it would clash with an id of the templates."""
    slug = slugify_unicode(value, separator) or "section"
    return "h-" + slug if RESERVED_ID.match(slug) else slug


def _attribute_filter(keep_ids: bool):
    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            if not keep_ids or not _SLUG.match(value):
                return None
            return "h-" + value if RESERVED_ID.match(value) else value
        if attribute == "class":
            classes = value.split()
            if element == "code":
                ok = [c for c in classes if re.match(r"^language-[\w+-]+$", c)]
            elif element == "div":
                ok = [c for c in classes if c in ADMONITIONS]
            elif element == "p":
                ok = [c for c in classes if c == "admonition-title"]
            else:
                ok = []
            return " ".join(ok) or None
        return value

    return keep


def sanitize(html: str, *, keep_ids: bool) -> str:
    """Give html with only allowed tags, attributes, classes and link schemes left (scripts, handlers gone)."""
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter(keep_ids),
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        strip_comments=True,
        link_rel="noopener noreferrer",
    )
    # Every image needs an alt text for screen readers; an image the author left without one is decoration.
    return re.sub(r"<img(?![^>]*\balt=)", '<img alt=""', clean)


# Python-Markdown's own inline patterns, and the text each needs before it can match: a backtick, a backslash,
# '[' (links and images), '<' (autolinks, inline HTML), '&' (entities), '*' or '_' (emphasis) or two spaces
# before a line break. Text with none of these comes out of the inline stage as it went in.
_CORE_INLINE = frozenset(
    {
        "backtick",
        "escape",
        "reference",
        "link",
        "image_link",
        "image_reference",
        "short_reference",
        "short_image_ref",
        "autolink",
        "automail",
        "linebreak",
        "html",
        "entity",
        "em_strong",
        "em_strong2",
        "not_strong",
    }
)
_INLINE_MARKUP = re.compile(r"[`\\\[<&*_]|  \n")


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline stage, passing over text in which no inline pattern can match.

    Each text runs through every pattern in turn (most of a page's conversion time); plain sentences, the
    bulk of a handbook, cannot match any of them, so they are left as they are at once.
    """

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if _INLINE_MARKUP.search(data) is None:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


class _QuickInlineStage(Extension):
    def extendMarkdown(self, md_instance) -> None:
        names = {item.name for item in md_instance.inlinePatterns._priority}
        if names <= _CORE_INLINE:  # an extension with patterns of its own keeps the stage as it is
            md_instance.treeprocessors.register(_QuickInline(md_instance), "inline", 20)


class _LinkRewriter(Treeprocessor):
    def __init__(self, md_instance, owner: MarkdownRenderer) -> None:
        super().__init__(md_instance)
        self.owner = owner

    def run(self, root: Element) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            value = element.get(attribute) if attribute else None
            if attribute and value is not None:
                element.set(attribute, self.owner._resolve(value))


class _RewriteLinks(Extension):
    def __init__(self, owner: MarkdownRenderer) -> None:
        super().__init__()
        self.owner = owner

    def extendMarkdown(self, md_instance) -> None:
        md_instance.treeprocessors.register(_LinkRewriter(md_instance, self.owner), "cx-links", 1)


def _plain_paragraphs(text: str) -> Markup | None:
    """Give the HTML of a text of plain paragraphs (lines of words, blank lines between), or None for any other."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        if not line:
            if lines:
                paragraphs.append("<p>" + "\n".join(lines) + "</p>")
                lines = []
        elif _PLAIN_LINE.fullmatch(line):
            lines.append(line)
        else:
            return None
    if lines:
        paragraphs.append("<p>" + "\n".join(lines) + "</p>")
    return Markup("\n".join(paragraphs))


class MarkdownRenderer:
    """Turns content Markdown into sanitised Markup, with links between content files made page links."""

    def __init__(
        self, resolve: LinkResolver | None = None, on_broken_link: Callable[[str, str, int], None] | None = None
    ) -> None:
        self.resolve = resolve
        self.on_broken_link = on_broken_link
        self._cache: dict[tuple, Markup] = {}
        self._current: tuple[str, str, str, int] = ("", "", "", 0)
        common = ["tables", "fenced_code", "admonition", "sane_lists", _RewriteLinks(self), _QuickInlineStage()]
        self._with_toc = md.Markdown(
            extensions=common + ["toc"], extension_configs={"toc": {"slugify": heading_id, "toc_depth": "2-3"}}
        )
        self._plain = md.Markdown(extensions=common)

    def _resolve(self, url: str) -> str:
        text, source, page, line = self._current
        if self.resolve is None:
            return url
        new = self.resolve(url, source, page)
        if new is None:
            if self.on_broken_link is not None:
                index = text.find(url)
                at = line + text[:index].count("\n") if index >= 0 and line else line
                self.on_broken_link(url, source, at)
            return url
        return new

    def block(self, text: str | None, *, source: str = "", page: str = "", line: int = 0, ids: bool = False) -> Markup:
        """Give a Markdown text as sanitised HTML; with ids the headings keep their ids (one such text a page)."""
        if not text:
            return Markup("")
        key = ("block", text, source, page, ids)
        if key not in self._cache:
            plain = _plain_paragraphs(text)
            if plain is not None:  # most stage goals and summaries: what Markdown and the sanitiser would give
                self._cache[key] = plain
                return plain
            if markdown_limit(text) is not None:  # check refuses such text in content; anything else is shown as text
                self._cache[key] = Markup("<p>") + escape(text) + Markup("</p>")
                return self._cache[key]
            engine = self._with_toc if ids else self._plain
            self._current = (text, source, page, line)
            engine.reset()
            html = engine.convert(text)
            self._cache[key] = Markup(sanitize(html, keep_ids=ids))
        return self._cache[key]

    def inline(self, text: str | None, *, source: str = "", page: str = "", line: int = 0) -> Markup:
        """Give one line of Markdown as sanitised inline HTML (no surrounding paragraph)."""
        if not text:
            return Markup("")
        if _PLAIN_LINE.fullmatch(text):  # most lane lines are plain words: Markdown would give them as they are
            return Markup(text)
        html = str(self.block(text, source=source, page=page, line=line))
        match = re.fullmatch(r"\s*<p>(.*)</p>\s*", html, re.DOTALL)
        if match and "<p>" not in match.group(1):
            return Markup(match.group(1))
        return Markup(html)
