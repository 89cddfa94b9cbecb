"""A page of the site (Page) and a page still to be made (PageSpec)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .charts import Chart


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
