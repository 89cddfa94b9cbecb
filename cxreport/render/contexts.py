"""What the templates receive: the context of every page, and the views more than one template shows.

TypedDicts, so a context is a plain dict at run time (the theme's environment looks a dict's key up first).
docs/themes.md lists each template's context from these types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from .charts import Chart
from .i18n import Catalogue


class SiteView(TypedDict):
    """`site`: the site's settings from site.yml."""

    title: str
    language: str
    description: str
    logo: str | None
    primary_color: str
    footer: str
    base_url: str


class PageView(TypedDict):
    """`page`: the page being drawn."""

    path: str
    kind: str
    title: str
    charts: tuple[Chart, ...]
    root: str


class NavLink(TypedDict):
    """A link in the navigation, by its site-absolute path."""

    label: str
    path: str


class NavSection(TypedDict):
    """A section of `nav`: its link (None for a heading) and its pages, when few enough to list."""

    label: str
    path: str | None
    items: list[NavLink]


class PagerItem(TypedDict, total=False):
    """A numbered link of a pager, or a gap ('…') when `gap` is true."""

    gap: bool
    number: str
    url: str
    current: bool
    label: str


class Pager(TypedDict):
    """`pager`: the links under a list over numbered pages."""

    label: str
    number: int
    count: int
    previous: str | None
    next: str | None
    pages: list[PagerItem]
    range_text: str


class ShowAll(TypedDict):
    """The link under a shortened list to the whole list."""

    url: str
    text: str
    name: str


class Common(TypedDict):
    """What every template receives besides its page's own context."""

    site: SiteView
    page: PageView
    nav: list[NavSection]
    t: Catalogue
    url: Callable[[str], str]
    stamp: str | None


Context = dict[str, Any]
