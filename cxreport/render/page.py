"""A page of the site (Page), a page still to be made (PageSpec), and the site they make (RenderedSite, Reuse)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..problems import Problem
from .charts import Chart
from .write import SiteFiles


@dataclass(frozen=True)
class Page:
    """One HTML page of the site: where it goes, which template draws it, and with what."""

    path: str
    template: str
    kind: str
    title: str
    context: Mapping[str, Any]
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class PageSpec:
    """A page before it is made: its path, the content keys it shows (cxreport.incremental.keys) and how to make it.

    An incremental build makes only the pages whose keys changed; the keys must name everything the page reads
    beyond the site itself (site.yml, theme, navigation, the set of content files), which every page depends on.
    """

    path: str
    deps: frozenset[str]
    make: Callable[[], Page]


@dataclass
class PageInfo:
    """What a build remembers of a page besides its file: its problems, whether it draws charts, its search entries."""

    problems: list[Problem]
    charts: bool
    entries: list[list]


@dataclass
class KeptPage(PageInfo):
    """A page of the previous build that an incremental build keeps: its file in the previous output."""

    file: Path = Path()


@dataclass
class Reuse:
    """What an incremental build takes from the previous one: pages and other files, and which pages to make anew."""

    pages: Mapping[str, KeptPage]
    files: Mapping[str, Path]
    remake: Callable[[PageSpec], bool]
    nav: str = ""  # the previous navigation's digest: when it changed, every page is made anew


@dataclass
class RenderedSite:
    """The built site in memory: its files, and what was built (for the summary and the dependency record)."""

    files: SiteFiles
    pages: list[Page]  # the pages made by this build (an incremental build keeps the others)
    figures: int
    specs: list[PageSpec] = field(default_factory=list)  # every page of the site
    infos: dict[str, PageInfo] = field(default_factory=dict)
    nav: str = ""
