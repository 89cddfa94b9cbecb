"""Long lists over numbered pages: which rows a page shows and the pager under it."""

from __future__ import annotations

from dataclasses import dataclass

from .contexts import Pager, PagerItem, ShowAll
from .paths import (
    relative_url,
)
from .views import PlannerBase

PAGE_ROWS = 100  # rows (or cards) of a long list on one page; a longer list goes on over numbered pages

PREVIEW_ITEMS = 10  # items shown where a page only previews a list (a playbooks section, the home page's plans)

PAGER_AROUND = 2  # numbered links either side of the current page (the first and last are always there)


@dataclass(frozen=True)
class ListPages:
    """A list spread over numbered pages of PAGE_ROWS: page 1 at `first`, page n at `<stem>/page/<n>.html`.

    The further pages get a folder of their own, so they can never take the path of a journey, persona or
    playbook (journeys/page-2.html would be the journey with the id page-2). `anchor` is where the list sits on
    its first page when that page shows more than the list (pillars.html#sec-matrix).
    """

    first: str
    stem: str
    total: int
    anchor: str = ""

    @property
    def count(self) -> int:
        return max(1, -(-self.total // PAGE_ROWS))

    def path(self, number: int) -> str:
        return self.first if number == 1 else f"{self.stem}/page/{number}.html"

    def rows(self, number: int) -> slice:
        """Give the slice of the list that page `number` shows."""
        return slice((number - 1) * PAGE_ROWS, number * PAGE_ROWS)


class Paging(PlannerBase):
    """The pager and titles of lists over numbered pages."""

    def pager(self, pages: ListPages, number: int, name: str) -> Pager | None:
        """Give the pager of page `number` of a list (previous, next, numbered links), or None for a one-page list."""
        count = pages.count
        if count == 1:
            return None
        here = pages.path(number)

        def link(n: int) -> str:
            return relative_url(here, pages.path(n) + (f"#{pages.anchor}" if n == 1 and pages.anchor else ""))

        def page_item(n: int) -> PagerItem:
            return {
                "gap": False,
                "number": self.t.integer(n),
                "url": link(n),
                "current": n == number,
                "label": self.t("pager.page", n=self.t.integer(n)),
            }

        numbers = sorted({1, count} | set(range(max(1, number - PAGER_AROUND), min(count, number + PAGER_AROUND) + 1)))
        items: list[PagerItem] = []
        for before, n in zip([0, *numbers], numbers, strict=False):
            if n - before == 2:  # one page left out: its number takes no more room than '…' and says more
                items.append(page_item(n - 1))
            elif n - before > 2:
                items.append({"gap": True})
            items.append(page_item(n))
        first, last = (number - 1) * PAGE_ROWS + 1, min(number * PAGE_ROWS, pages.total)
        return {
            "label": self.t("pager.label", name=name),
            "number": number,
            "count": count,
            "previous": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if number < count else None,
            "pages": items,
            "range_text": self.t(
                "pager.range", first=self.t.integer(first), last=self.t.integer(last), total=self.t.integer(pages.total)
            ),
        }

    def numbered(self, title: str, number: int) -> str:
        """Give a list page's title: the list's own on its first page, with the page's number on the others."""
        return title if number == 1 else self.t("pager.title", title=title, n=self.t.integer(number))

    def show_all(self, url: str, total: int, name: str) -> ShowAll:
        """Give the link under a shortened list to the whole list ('Show all 500')."""
        return {"url": url, "text": self.t("list.show_all", n=self.t.integer(total)), "name": name}
