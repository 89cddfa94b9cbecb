"""What the templates receive: the context of every page, and the views more than one template shows.

TypedDicts, so a context is a plain dict at run time (the theme's environment looks a dict's key up first).
docs/themes.md lists each template's context from these types.
"""

from collections.abc import Callable
from typing import Any, NotRequired, TypedDict

from markupsafe import Markup

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


View = dict[str, Any]  # a view the docs list by its keys (a figure, a journey card, a touchpoint, a playbook's link)


class Link(TypedDict):
    """A named link: a persona's, a journey's."""

    name: str
    url: str


# --- a context per template (its page kind in brackets) -------------------------------------------


class HomeContext(TypedDict):
    """home.html (home)."""

    description: str
    journeys: list[View]
    journeys_total: int
    journeys_url: str
    coverage: list[View]
    live_surprises: list[View]
    live_surprises_more: ShowAll | None
    running_experiments: list[View]
    done_experiments: list[View]
    experiments_more: ShowAll | None
    overall: View | None


class JourneysContext(TypedDict):
    """journeys.html (journeys)."""

    journeys: list[View]
    pager: Pager | None


class JourneyContext(TypedDict):
    """journey.html (journey)."""

    journey: View
    stages: list[View]
    touchpoints: list[View]
    columns: list[View]
    lanes: list[View]
    emotion_chart: Chart | None
    nps_chart: Chart | None
    nps_series: list[View]
    headline: View | None
    journey_figures: list[View]
    evidence: View
    channels: list[View]
    compare: View | None
    playbooks: list[View]
    drivers: list[View]
    voices: list[View]


class PersonasContext(TypedDict):
    """personas.html (personas)."""

    personas: list[View]
    pager: Pager | None


class PersonaContext(TypedDict):
    """persona.html (persona)."""

    persona: View
    journeys: list[View]
    figures: list[View]
    segment_chart: Chart | None
    playbooks: list[View]
    drivers: list[View]


class PillarMatrix(TypedDict):
    """pillar_matrix.html (pillar-matrix) and the matrix of pillars.html; `pillars_url` on the further pages."""

    pillars: list[View]
    rows: list[View]
    compact: bool
    pager: NotRequired[Pager | None]
    pillars_url: NotRequired[str]


class PillarsContext(PillarMatrix):
    """pillars.html (pillars)."""

    details: list[View]


class PlaybooksContext(TypedDict):
    """playbooks.html (playbooks)."""

    board: list[View]
    recoveries: list[View]
    stories: list[View]
    experiments: list[View]
    guides: list[View]
    more: dict[str, ShowAll | None]


class PlaybookListContext(TypedDict):
    """playbook_list.html (playbook-list)."""

    section: View
    playbooks_url: str
    pager: Pager | None


class PlaybookContext(TypedDict):
    """surprise.html, recovery.html, story.html, experiment.html (playbook)."""

    playbook: View


class ChapterContext(TypedDict):
    """chapter.html (chapter): a Markdown page or a guide."""

    chapter: View


class ChaptersContext(TypedDict):
    """chapters.html (chapters)."""

    chapters: list[View]
    start: int
    pager: Pager | None


class MetricsContext(TypedDict):
    """metrics.html (metrics)."""

    metrics: list[View]


class MetricContext(TypedDict):
    """metric.html (metric)."""

    metric: View
    chart: Chart | None
    over_time: list[View]
    over_time_pager: Pager | None
    breakdown: list[View]
    breakdown_pager: Pager | None
    breakdown_shortened: bool


class MetricTableContext(TypedDict):
    """metric_table.html (metric-table)."""

    metric: View
    table: str
    table_title: str
    rows: list[View]
    pager: Pager | None
    breakdown_shortened: bool


class PrintContext(TypedDict):
    """print.html (print): the whole report as one document."""

    cover: View
    print_columns: int
    summary: HomeContext
    journey_maps: list[View]
    pillars_view: View | None
    playbooks_view: PlaybooksContext | None


class DriversContext(TypedDict):
    """drivers.html (drivers): every driver analysis."""

    analyses: list[View]
    explain: str


class CommentsContext(TypedDict):
    """comments.html (comments): a metric's comments, filtered by code and NPS group in the browser."""

    metric: View
    count_text: str
    code_table: list[View]
    group_columns: list[View]
    code_options: list[View]
    group_options: list[View]
    first: list[View]
    page_size: int
    data: Markup


CONTEXTS: dict[str, type] = {
    "home": HomeContext,
    "journeys": JourneysContext,
    "journey": JourneyContext,
    "personas": PersonasContext,
    "persona": PersonaContext,
    "pillars": PillarsContext,
    "pillar-matrix": PillarMatrix,
    "playbooks": PlaybooksContext,
    "playbook-list": PlaybookListContext,
    "playbook": PlaybookContext,
    "chapter": ChapterContext,
    "chapters": ChaptersContext,
    "metrics": MetricsContext,
    "metric": MetricContext,
    "metric-table": MetricTableContext,
    "print": PrintContext,
    "drivers": DriversContext,
    "comments": CommentsContext,
}
"""The context type of each page kind (Page.kind)."""
