"""The handbook's chapters (Markdown pages) and their contents page."""

from __future__ import annotations

import re

from ... import model as m
from ..contexts import ChapterContext, ChaptersContext, NavLink
from ..metric_views import MetricViews
from ..page import Page
from ..paging import ListPages, Paging
from ..paths import (
    CHAPTERS_PATH,
    page_path,
    playbook_path,
    relative_url,
)
from ..views import NAV_LIMIT


def without_title(body: str) -> str:
    """Give a body without its opening '# heading': the page prints the front matter's title as its heading.

    The heading's line is left empty, so line numbers in the body stay right.
    """
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if re.match(r"^#\s+\S", line):
            lines[i] = ""
        break
    return "\n".join(lines)


class ChapterPages(MetricViews, Paging):
    """The handbook's chapters (Markdown pages) and their contents page."""

    def chapter_pages(self) -> ListPages:
        return ListPages(CHAPTERS_PATH, "chapters", len(self.chapters_sorted()))

    def chapters_sorted(self) -> list:
        """Give the handbook's chapters: pages and guides by their order, then title."""
        items = list(self.project.pages.values()) + [pb for pb in self.project.playbooks.values() if pb.type == "guide"]
        return sorted(items, key=lambda x: (x.order is None, x.order or 0, isinstance(x, m.Guide), x.title.casefold(), x.id))

    def chapters_listed(self) -> list[NavLink] | None:
        """Give the chapters as navigation items while there are at most NAV_LIMIT; None when they get their own page."""
        chapters = self.chapters_sorted()
        if len(chapters) > NAV_LIMIT:
            return None
        return [{"label": c.title, "path": page_path(c.id) if isinstance(c, m.Page) else playbook_path(c.id)} for c in chapters]

    def chapters_page(self, number: int = 1) -> Page:
        """Give page `number` of the handbook's table of contents (every page and guide), for a handbook with too many
        chapters for the navigation."""
        pages = self.chapter_pages()
        path = pages.path(number)
        items = [
            {
                "title": c.title,
                "kind": "page" if isinstance(c, m.Page) else "guide",
                "url": relative_url(path, page_path(c.id) if isinstance(c, m.Page) else playbook_path(c.id)),
            }
            for c in self.chapters_sorted()[pages.rows(number)]
        ]
        context: ChaptersContext = {
            "chapters": items,
            "start": pages.rows(number).start + 1,
            "pager": self.pager(pages, number, self.t("nav.handbook")),
        }
        return Page(path, "chapters.html", "chapters", self.numbered(self.t("nav.handbook"), number), context)

    def chapter_page(self, p: m.Page) -> Page:
        path = page_path(p.id)
        body = self.md(without_title(p.body), path, "page", p.id, ids=True, body=True)
        context: ChapterContext = {"chapter": {"title": p.title, "body": body}}
        return Page(path, "chapter.html", "chapter", p.title, context)
