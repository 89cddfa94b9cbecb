"""The page plan: one Page per output path, with its template and the context it is rendered with.

The Planner lists the page specs; each page family (cxreport.render.families) makes its own pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from .comment_views import comments_path
from .families.chapters import ChapterPages, without_title
from .families.comments import CommentPages
from .families.drivers import DRIVERS_PATH
from .families.home import HomePages
from .families.journeys import JourneyPages
from .families.metrics import METRIC_TABLES, MetricPages
from .families.navigation import Navigation
from .families.personas import PersonaPages
from .families.pillars import PillarPages
from .families.playbooks import PlaybookPages
from .figure_index import ALL, FigureIndex
from .page import Page, PageSpec
from .paging import PAGE_ROWS, ListPages
from .paths import (
    CHAPTERS_PATH,
    journey_path,
    media_path,
    metric_csv_path,
    metric_path,
    page_link_resolver,
    page_path,
    persona_path,
    playbook_path,
    relative_url,
    touchpoint_path,
)
from .views import PLAYBOOK_SECTIONS

__all__ = [
    "ALL",
    "CHAPTERS_PATH",
    "PAGE_ROWS",
    "FigureIndex",
    "ListPages",
    "Page",
    "PageSpec",
    "Planner",
    "journey_path",
    "media_path",
    "metric_csv_path",
    "metric_path",
    "page_link_resolver",
    "page_path",
    "persona_path",
    "playbook_path",
    "relative_url",
    "shows_figures",
    "touchpoint_path",
    "without_title",
]


class Planner(
    CommentPages, HomePages, PersonaPages, JourneyPages, PillarPages, PlaybookPages, Navigation, ChapterPages, MetricPages
):
    """Builds the page plan from the project, its figures and the site's language.

    Each base is a page family (cxreport.render.families); a family whose pages show another's views has that
    family as its base (the home page previews journeys, pillars and playbooks).
    """

    def plan(self) -> list[Page]:
        """Give every page of the site, in a fixed order."""
        return [spec.make() for spec in self.specs()]

    def specs(self) -> list[PageSpec]:
        """Give every page of the site still to be made, in a fixed order, each with the content keys it shows."""
        p = self.project

        def spec(path, deps, make, *args):
            return PageSpec(path, frozenset(deps), functools.partial(make, *args))

        def paged(pages: ListPages, deps: Callable[[int], Iterable[str]], make: Callable[..., Page], *args) -> list[PageSpec]:
            """Give a spec for each page of a list; deps(n) gives the keys page n shows."""
            return [spec(pages.path(n), deps(n), make, *args, n) for n in range(1, pages.count + 1)]

        def own(pages: ListPages, objects: list, keys: Callable[[Any], Iterable[str]]) -> Callable[[int], list[str]]:
            """Give the keys of the objects page n of a list shows. Which objects those are follows from their ids,
            which are part of the site key: a page of a list of journeys depends only on its own journeys."""
            return lambda n: [k for obj in objects[pages.rows(n)] for k in keys(obj)]

        everything = ("journey-brief:*", "persona:*", "pb-meta:*", "figures:*")
        journeys, personas = list(p.journeys.values()), list(p.personas.values())
        out = [spec("index.html", everything, self.home_page)]
        listed = self.journey_pages()
        out += paged(
            listed,
            own(listed, journeys, lambda j: (f"journey-brief:{j.id}", f"persona:{j.persona}", f"figures:{j.id}")),
            self.journeys_page,
        )
        for j in journeys:
            deps = [f"journey:{j.id}", f"persona:{j.persona}", f"pb-at:{j.id}", f"figures:{j.id}", "figures:-"]
            if j.compare_to:
                deps.append(f"journey:{j.compare_to}")
            out.append(spec(journey_path(j.id), deps, self.journey_page, j))
        listed = self.persona_pages()
        out += paged(
            listed,
            own(listed, personas, lambda persona: (f"persona:{persona.id}", f"journeys-of:{persona.id}")),
            self.personas_page,
        )
        for persona in personas:
            out.append(
                spec(
                    persona_path(persona.id),
                    (f"persona:{persona.id}", f"journeys-of:{persona.id}", f"pb-for-persona:{persona.id}", "figures:*"),
                    self.persona_page,
                    persona,
                )
            )
        listed = self.pillar_matrix_pages()
        rows = own(listed, journeys, lambda j: (f"journey-brief:{j.id}",))
        out += paged(listed, lambda n: ("journey-brief:*", "pb-meta:*", "figures:-") if n == 1 else rows(n), self.pillars_page)
        playbook_deps = ("pb-meta:*", "journey-brief:*", "persona:*", "chapters", "figures:-")
        out.append(spec("playbooks/index.html", playbook_deps, self.playbooks_page))
        for section in PLAYBOOK_SECTIONS:
            pages = self.section_pages(section)
            if pages is not None:
                out += paged(pages, lambda n: playbook_deps, self.playbook_list_page, section)
        out += [spec(playbook_path(pb.id), _playbook_deps(pb), self.playbook_page, pb) for pb in p.playbooks.values()]
        out += [spec(page_path(c.id), (f"page:{c.id}",), self.chapter_page, c) for c in p.pages.values()]
        if self.chapters_listed() is None:
            out += paged(self.chapter_pages(), lambda n: ("chapters",), self.chapters_page)
        if self.cfg.drivers:  # every analysis; the figures of no journey hold the driver analyses (incremental.keys)
            out.append(spec(DRIVERS_PATH, ("figures:-", "journey-brief:*"), self.drivers_page))
        if self.cfg.metrics:
            out.append(spec("metrics/index.html", ("figures:-",), self.metrics_page))
            metric_deps = ("figures:*", "journey-brief:*")
            for source in self.cfg.metrics:
                out.append(spec(metric_path(source.id), metric_deps, self.metric_page, source))
                for table in METRIC_TABLES:  # page 1 of each table is the metric's page
                    out += paged(
                        self.metric_table_pages(source, table), lambda n: metric_deps, self.metric_table_page, source, table
                    )[1:]
            for source in self.comment_metrics():  # the comments are figures (FigureSet.comments); their places journeys
                out.append(spec(comments_path(source.id), metric_deps, self.comments_page, source))
        return out


def shows_figures(spec: PageSpec) -> bool:
    """Whether a page shows any figure (its content keys name figures): one that does not can be drawn before
    the metrics are read."""
    return any(key.startswith("figures:") for key in spec.deps)


def _playbook_deps(pb: Any) -> list[str]:
    """Give the content keys a playbook's page shows: its own, its journey's brief, its personas, and the figures
    when it shows any (an experiment's results, a surprise's success metric, a story's quoted comment)."""
    deps = [f"playbook:{pb.id}"]
    if pb.type == "experiment" or getattr(pb, "success_metric", None):  # its results, or the figure it aims to move
        deps.append("figures:-")
    if getattr(pb, "quote_comment", None) is not None:  # a story quoting a comment: the comments are figures
        deps.append("figures:*")
    if pb.journey:
        deps.append(f"journey-brief:{pb.journey}")
    for persona_id in (getattr(pb, "audience", None), getattr(pb, "persona", None)):
        if persona_id:
            deps.append(f"persona:{persona_id}")
    return deps
