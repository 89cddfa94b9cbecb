"""The page plan: one Page per output path, with its template and the context it is rendered with."""

from __future__ import annotations

import functools
import math
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from .. import model as m
from ..collector import paused
from ..figures import Figure, FigureSet, VariantResult
from ..loader import Project
from ..problems import Problems
from .charts import Chart, ChartStyle, emotion_compare, emotion_curve, intervals, sparkline, time_series
from .i18n import Catalogue
from .markdown import MarkdownRenderer

LANES = ("figures", "doing", "thinking", "feeling", "pain_points", "opportunities", "playbooks", "backstage", "evidence")
SURPRISE_STATUSES = ("idea", "planned", "live", "retired")
PLAYBOOK_KINDS = ("surprise", "recovery", "story", "experiment", "guide")
VERDICTS = ("better", "worse", "inconclusive", "no_data")
ALL = "all"
NAV_LIMIT = 15  # a navigation section lists its pages up to this many; beyond, its index page does
HOME_CARDS = 24  # journeys shown as cards (with a sparkline) on the home page
BREAKDOWN_LIMIT = 300  # rows of a metric's breakdown table before it keeps to journeys and segments
PILLAR_MATRIX_JOURNEYS = 40  # journeys in the pillar matrix before it gives one row per journey instead of per stage
PILLAR_LIST_LIMIT = 50  # gaps, touchpoints and surprise plans listed per pillar; the rest are counted
CHAPTERS_PATH = "chapters.html"  # the handbook's contents, made when there are more chapters than NAV_LIMIT
PAGE_ROWS = 100  # rows (or cards) of a long list on one page; a longer list goes on over numbered pages
PREVIEW_ITEMS = 10  # items shown where a page only previews a list (a playbooks section, the home page's plans)
PAGER_AROUND = 2  # numbered links either side of the current page (the first and last are always there)
PLAYBOOK_SECTIONS = tuple(f"surprise-{s}" for s in SURPRISE_STATUSES) + ("recovery", "story", "experiment", "guide")
METRIC_TABLES = {"over-time": "metric.over_time", "breakdown": "metric.breakdown"}  # section id (sec-…): title label


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


@functools.lru_cache(maxsize=65536)
def relative_url(from_page: str, target: str) -> str:
    """Give the link from one output page to another output path, relative so the site works from disk."""
    target, _, fragment = target.partition("#")
    if not target:
        link = from_page.rsplit("/", 1)[-1]
    else:
        here = from_page.split("/")[:-1]
        parts = target.split("/")
        common = 0
        while common < len(here) and common < len(parts) - 1 and here[common] == parts[common]:
            common += 1
        link = "../" * (len(here) - common) + "/".join(parts[common:])
    return link + ("#" + fragment if fragment else "")


def journey_path(journey_id: str) -> str:
    return f"journeys/{journey_id}.html"


def touchpoint_path(journey_id: str, touchpoint_id: str) -> str:
    return f"journeys/{journey_id}.html#tp-{touchpoint_id}"


def persona_path(persona_id: str) -> str:
    return f"personas/{persona_id}.html"


def playbook_path(playbook_id: str) -> str:
    return f"playbooks/{playbook_id}.html"


def page_path(page_id: str) -> str:
    return f"pages/{page_id}.html"


def metric_path(metric_id: str) -> str:
    return f"metrics/{metric_id}.html"


def metric_csv_path(metric_id: str) -> str:
    return f"metrics/{metric_id}.csv"


def media_path(content_rel: str) -> str:
    """Give where a file under content/ is published: content/assets/x.png -> media/x.png."""
    rel = content_rel.removeprefix("assets/")
    return "media/" + rel


class FigureIndex:
    """The FigureSet looked up by its keys, built once (select() walks every figure on each call)."""

    def __init__(self, figures: FigureSet) -> None:
        # keys taken from the figure tuples by position (C speed: half a million figures at 1,000 journeys):
        # by_key: metric, type, period, journey, stage, touchpoint, segment, variant (a metric has one type);
        # series: metric, journey, stage, touchpoint, segment
        self.set = figures
        self._by_key: dict[tuple, Figure] = {}
        self._by_metric: dict[str, list[Figure]] = defaultdict(list)
        self._series: dict[tuple, list[Figure]] = defaultdict(list)
        by_key, by_metric, series, series_key = self._by_key, self._by_metric, self._series, itemgetter(0, 3, 4, 5, 6)
        for f in figures.figures:
            by_key[f[:8]] = f
            by_metric[f[0]].append(f)
            if f[2] != ALL and f[7] is None:
                series[series_key(f)].append(f)
        self._types: dict[str, str] = {metric: rows[0].type for metric, rows in by_metric.items()}
        for rows in series.values():
            rows.sort(key=itemgetter(2))  # by period (in that order already from the metric stage: cheap)
        self._segments = {m: sorted({f.segment for f in rows if f.segment is not None}) for m, rows in self._by_metric.items()}
        self._experiments: dict[str, list[VariantResult]] = defaultdict(list)
        for r in figures.experiments:
            self._experiments[r.experiment].append(r)
        self._kept: dict[tuple, Any] = {}

    def kept(self, key: tuple, make: Callable[[], Any]) -> Any:
        """Give make(), made once for these figures: what follows from the figures alone lasts as long as they do."""
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]

    _last: tuple[FigureSet, FigureIndex] | None = None

    @classmethod
    def of(cls, figures: FigureSet) -> FigureIndex:
        """Give the index of a FigureSet, kept for the next build while its figures stay the same (cxreport serve)."""
        if cls._last is None or cls._last[0] is not figures:
            with paused():  # half a million entries that all stay
                cls._last = (figures, cls(figures))
        return cls._last[1]

    def get(
        self,
        metric: str,
        period: str = ALL,
        journey: str | None = None,
        stage: str | None = None,
        touchpoint: str | None = None,
        segment: str | None = None,
        variant: str | None = None,
    ) -> Figure | None:
        return self._by_key.get((metric, self._types.get(metric), period, journey, stage, touchpoint, segment, variant))

    def of_metric(self, metric: str) -> list[Figure]:
        return self._by_metric.get(metric, [])

    def over_time(
        self,
        metric: str,
        journey: str | None = None,
        stage: str | None = None,
        touchpoint: str | None = None,
        segment: str | None = None,
    ) -> list[Figure]:
        """Give a place's figures per period (not 'all'), oldest first."""
        return self._series.get((metric, journey, stage, touchpoint, segment), [])

    def segments(self, metric: str) -> list[str]:
        return self._segments.get(metric, [])

    def experiment(self, experiment: str) -> list[VariantResult]:
        return self._experiments.get(experiment, [])

    def __len__(self) -> int:
        return len(self.set.figures)


@dataclass
class Planner:
    """Builds the page plan from the project, its figures and the site's language."""

    project: Project
    figures: FigureSet
    t: Catalogue
    markdown: MarkdownRenderer
    style: ChartStyle
    problems: Problems
    _chart_count: dict[str, int] = field(default_factory=dict)
    _metric_rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = FigureIndex.of(self.figures)
        self.cfg = self.project.config
        self.metric_ids = [s.id for s in self.cfg.metrics]
        self._playbooks_at: dict[tuple[str | None, str | None], list] = defaultdict(list)
        self._playbooks_of: dict[str | None, list] = defaultdict(list)  # journey -> its playbooks (no guides)
        self._playbooks_for: dict[str, list] = defaultdict(list)  # persona -> playbooks for it (audience, story)
        for pb in self.project.playbooks.values():
            if pb.type != "guide":
                self._playbooks_at[(pb.journey, pb.touchpoint)].append(pb)
                self._playbooks_of[pb.journey].append(pb)  # by id, as project.playbooks is
            for persona_id in {getattr(pb, "audience", None), pb.persona if pb.type == "story" else None} - {None}:
                self._playbooks_for[persona_id].append(pb)
        self._journeys_of: dict[str, list] = defaultdict(list)  # persona -> journeys (by id)
        for j in self.project.journeys.values():
            self._journeys_of[j.persona].append(j)

    # --- names in the site's language ---------------------------------------------------------

    def stage_model(self, journey: m.Journey) -> tuple[m.StageDef, ...]:
        return self.project.stage_models.get(self.project.stage_model_of(journey), ())

    def stage_name(self, model_id: str, stage_id: str) -> str:
        stages = self.project.stage_models.get(model_id, ())
        builtin = m.BUILTIN_STAGE_MODELS.get(model_id)
        if stages is builtin and self.t.has(f"stage.{model_id}.{stage_id}"):
            return self.t(f"stage.{model_id}.{stage_id}")
        return next((s.name for s in stages if s.id == stage_id), stage_id)

    def stage_description(self, model_id: str, stage_id: str) -> str | None:
        stages = self.project.stage_models.get(model_id, ())
        if stages is m.BUILTIN_STAGE_MODELS.get(model_id) and self.t.has(f"stage.{model_id}.{stage_id}.description"):
            return self.t(f"stage.{model_id}.{stage_id}.description")
        return next((s.description for s in stages if s.id == stage_id), None)

    def pillar_name(self, pillar_id: str) -> str:
        if pillar_id not in self.cfg.pillars and self.t.has(f"pillar.{pillar_id}"):
            return self.t(f"pillar.{pillar_id}")
        pillar = self.project.pillars.get(pillar_id)
        return pillar.name if pillar else pillar_id

    def pillar_description(self, pillar_id: str) -> str | None:
        if pillar_id not in self.cfg.pillars and self.t.has(f"pillar.{pillar_id}.description"):
            return self.t(f"pillar.{pillar_id}.description")
        pillar = self.project.pillars.get(pillar_id)
        return pillar.description if pillar else None

    def metric_label(self, metric_id: str) -> str:
        source = self.project.metric(metric_id)
        return (source.label or source.id) if source else metric_id

    def source_of(self, kind: str, object_id: str) -> tuple[str, int]:
        origin = self.project.origins.get((kind, object_id))
        return (origin.path, origin.body_line) if origin else ("", 0)

    def md(self, text: str | None, page: str, kind: str = "", object_id: str = "", *, ids: bool = False, body: bool = False):
        source, body_line = self.source_of(kind, object_id) if kind else ("", 0)
        return self.markdown.block(text, source=source, page=page, line=body_line if body else 0, ids=ids)

    def md_inline(self, text: str | None, page: str, kind: str = "", object_id: str = ""):
        source = self.source_of(kind, object_id)[0] if kind else ""
        return self.markdown.inline(text, source=source, page=page)

    def chart(self, page: str, name: str, figure: dict, label: str, height: int = 260, css_class: str = "chart") -> Chart:
        """Give a chart with an id unique on its page."""
        key = f"{page}:{name}"
        self._chart_count[key] = self._chart_count.get(key, 0) + 1
        suffix = "" if self._chart_count[key] == 1 else f"-{self._chart_count[key]}"
        return Chart(id=f"chart-{name}{suffix}", figure=figure, label=label, height=height, css_class=css_class)

    # --- lists over pages ---------------------------------------------------------------------

    def pager(self, pages: ListPages, number: int, name: str) -> dict | None:
        """Give the pager of page `number` of a list (previous, next, numbered links), or None for a one-page list."""
        count = pages.count
        if count == 1:
            return None
        here = pages.path(number)

        def link(n: int) -> str:
            return relative_url(here, pages.path(n) + (f"#{pages.anchor}" if n == 1 and pages.anchor else ""))

        def page_item(n: int) -> dict:
            return {
                "gap": False,
                "number": self.t.integer(n),
                "url": link(n),
                "current": n == number,
                "label": self.t("pager.page", n=self.t.integer(n)),
            }

        numbers = sorted({1, count} | set(range(max(1, number - PAGER_AROUND), min(count, number + PAGER_AROUND) + 1)))
        items: list[dict] = []
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

    def show_all(self, url: str, total: int, name: str) -> dict:
        """Give the link under a shortened list to the whole list ('Show all 500')."""
        return {"url": url, "text": self.t("list.show_all", n=self.t.integer(total)), "name": name}

    # --- figures ------------------------------------------------------------------------------

    def value_text(self, f: Figure | None, value: float | None = None) -> str:
        """Give a figure's value as a reader expects it: NPS 31,8; CSAT 82,4%; CES 3,25; a value with its unit."""
        if f is None:
            return "–"
        v = f.value if value is None else value
        if f.type == "nps":
            return self.t.number(v, 1)
        if f.type == "csat":
            return self.t.number(v, 1) + "%"
        if f.type == "ces":
            return self.t.number(v, 2)
        if f.type == "funnel":
            return self.t.integer(v)
        source = self.project.metric(f.metric)
        unit = source.unit if source else None
        text = self.t.number(v, _auto_decimals(v))
        if unit:
            text += unit if unit == "%" else "\u00a0" + unit
        return text

    def figure_view(self, f: Figure | None, metric_id: str, page: str, scope: str | None = None) -> dict:
        """Give what a template shows of one figure: value, margin, n, small-sample mark, status, link."""
        source = self.project.metric(metric_id)
        view = {
            "metric": metric_id,
            "label": self.metric_label(metric_id),
            "url": relative_url(page, metric_path(metric_id)),
            "type": source.type if source else (f.type if f else ""),
            "has_data": f is not None,
            "value": f.value if f else None,
            "value_text": self.value_text(f),
            "n": f.n if f else 0,
            "n_text": self.t.integer(f.n) if f else "–",
            "margin": f.margin if f else None,
            "margin_text": ("± " + self.t.number(f.margin, 2 if f.type == "ces" else 1)) if f and f.margin is not None else "",
            "small_sample": bool(f and f.small_sample),
            "status": (f.status if f else None) or "none",
            "status_text": self.t(f"status.{(f.status if f else None) or 'none'}"),
            "period": f.period if f else ALL,
            "period_text": self.t.period(f.period) if f else "",
            "conversion_text": self.t.percent(f.conversion) if f and f.conversion is not None else "",
            "scope": scope or "",
            "scope_text": self.t(f"scope.{scope}") if scope else "",
        }
        return view

    def place_figures(
        self, journey: str, stage: str | None, touchpoint: str | None, page: str, listed: Iterable[str] = ()
    ) -> list[dict]:
        """Give the figures of one place in a map: every metric with data there, then the listed ones from wider up."""
        views, seen = [], set()
        for metric_id in list(listed) + self.metric_ids:
            if metric_id in seen:
                continue
            f = self.index.get(metric_id, ALL, journey, stage, touchpoint)
            if f is not None:
                views.append(self.figure_view(f, metric_id, page))
                seen.add(metric_id)
            elif metric_id in listed:
                wider = self.index.get(metric_id, ALL, journey)
                scope = "journey"
                if wider is None:
                    wider, scope = self.index.get(metric_id, ALL), "overall"
                views.append(self.figure_view(wider, metric_id, page, scope if wider else None))
                seen.add(metric_id)
        return views

    def headline(
        self,
        journey: str | None,
        page: str,
        types: tuple[str, ...] = ("nps",),
        metric: str | None = None,
        segment: str | None = None,
    ) -> dict | None:
        """Give a place's headline figure: the latest period of its first NPS metric, with the trend against the one before."""
        candidates = [metric] if metric else [s.id for s in self.cfg.metrics if s.type in types]
        for metric_id in candidates:
            series = self.index.over_time(metric_id, journey, segment=segment)
            latest = series[-1] if series else self.index.get(metric_id, ALL, journey, segment=segment)
            if latest is None:
                continue
            view = self.figure_view(latest, metric_id, page)
            view["trend"] = None
            if len(series) >= 2:
                before = series[-2]
                delta = latest.value - before.value
                significant = None
                if latest.margin is not None and before.margin is not None:
                    significant = abs(delta) > math.hypot(latest.margin, before.margin)
                view["trend"] = {
                    "delta": delta,
                    "delta_text": self.t.signed(delta, 1),
                    "direction": "up" if delta > 0 else "down" if delta < 0 else "flat",
                    "against": self.t.period(before.period),
                    "within_margin": significant is False,
                }
            return view
        return None

    # --- the map ------------------------------------------------------------------------------

    def ordered_stages(self, journey: m.Journey) -> list[m.Stage]:
        """Give a journey's stages in the stage model's order (stages not in the model last, as written)."""
        order = {s.id: i for i, s in enumerate(self.stage_model(journey))}
        return sorted(journey.stages, key=lambda s: order.get(s.stage, len(order)))

    def feeling_view(self, feeling: m.Feeling | None) -> dict | None:
        if feeling is None:
            return None
        rounded = max(-2, min(2, round(feeling.score)))
        return {
            "score": feeling.score,
            "score_text": self.t.signed(feeling.score, 0 if feeling.score == int(feeling.score) else 1),
            "label": feeling.label or "",
            "word": self.t(f"feeling.{rounded}"),
            "level": rounded,
        }

    def playbooks_at(self, journey_id: str, touchpoint_id: str | None, page: str) -> list[dict]:
        return [self.playbook_link(pb, page) for pb in self._playbooks_at.get((journey_id, touchpoint_id), [])]

    def playbook_link(self, pb, page: str) -> dict:
        status = getattr(pb, "status", None)
        return {
            "id": pb.id,
            "title": pb.title,
            "type": pb.type,
            "type_text": self.t(f"playbook.{pb.type}"),
            "url": relative_url(page, playbook_path(pb.id)),
            "status": status or "",
            "status_text": self.t(f"{pb.type}.status.{status}") if status else "",
        }

    def touchpoint_view(self, journey: m.Journey, stage: m.Stage, tp: m.Touchpoint, page: str) -> dict:
        kind = ("journey", journey.id)

        def lane(items):
            return [self.md_inline(x, page, *kind) for x in items]

        return {
            "empty": False,
            "id": tp.id,
            "anchor": f"tp-{tp.id}",
            "name": tp.name,
            "channel": tp.channel or "",
            "owner": tp.owner or "",
            "stage": stage.stage,
            "pillars": [{"id": p, "name": self.pillar_name(p), "note": note or ""} for p, note in tp.pillars.items()],
            "doing": lane(tp.doing),
            "thinking": lane(tp.thinking),
            "feeling": self.feeling_view(tp.feeling),
            "pain_points": lane(tp.pain_points),
            "opportunities": lane(tp.opportunities),
            "backstage": lane(tp.backstage),
            "evidence": [
                {"kind": e.kind, "kind_text": self.t(f"evidence.{e.kind}"), "source": e.source or "", "note": e.note or ""}
                for e in tp.evidence
            ],
            "evidenced": tp.evidenced,
            "figures": self.place_figures(journey.id, stage.stage, tp.id, page, tp.metrics),
            "playbooks": self.playbooks_at(journey.id, tp.id, page),
        }

    def curve(self, journey: m.Journey) -> tuple[list[str], list[float | None], list[str]]:
        names, scores, hover = [], [], []
        for stage in self.ordered_stages(journey):
            for tp in stage.touchpoints:
                names.append(tp.name)
                scores.append(tp.feeling.score if tp.feeling else None)
                f = self.feeling_view(tp.feeling)
                hover.append(f"{tp.name}: {f['score_text']} {f['label']}".strip() if f else f"{tp.name}: –")
        return names, scores, hover

    def evidence_count(self, journey: m.Journey) -> dict:
        tps = [t for _, t in journey.touchpoints()]
        evidenced = sum(1 for t in tps if t.evidenced)
        return {
            "evidenced": evidenced,
            "total": len(tps),
            "text": self.t("journey.evidence_count", n=self.t.integer(evidenced), total=self.t.integer(len(tps))),
        }

    # --- pages --------------------------------------------------------------------------------

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
        for pb in p.playbooks.values():
            deps = [f"playbook:{pb.id}", "figures:-"]
            if pb.journey:
                deps.append(f"journey-brief:{pb.journey}")
            for persona_id in (getattr(pb, "audience", None), getattr(pb, "persona", None)):
                if persona_id:
                    deps.append(f"persona:{persona_id}")
            out.append(spec(playbook_path(pb.id), deps, self.playbook_page, pb))
        out += [spec(page_path(c.id), (f"page:{c.id}",), self.chapter_page, c) for c in p.pages.values()]
        if self.chapters_listed() is None:
            out += paged(self.chapter_pages(), lambda n: ("chapters",), self.chapters_page)
        if self.cfg.metrics:
            out.append(spec("metrics/index.html", ("figures:-",), self.metrics_page))
            metric_deps = ("figures:*", "journey-brief:*")
            for source in self.cfg.metrics:
                out.append(spec(metric_path(source.id), metric_deps, self.metric_page, source))
                for table in METRIC_TABLES:  # page 1 of each table is the metric's page
                    out += paged(
                        self.metric_table_pages(source, table), lambda n: metric_deps, self.metric_table_page, source, table
                    )[1:]
        return out

    def journey_pages(self) -> ListPages:
        return ListPages("journeys/index.html", "journeys", len(self.project.journeys))

    def persona_pages(self) -> ListPages:
        return ListPages("personas/index.html", "personas", len(self.project.personas))

    def pillar_matrix_pages(self) -> ListPages:
        """Give the pages of the pillar matrix: its first rows on pillars.html, the rest on pages of their own."""
        return ListPages("pillars.html", "pillars", len(self.project.journeys), "sec-matrix")

    def chapter_pages(self) -> ListPages:
        return ListPages(CHAPTERS_PATH, "chapters", len(self.chapters_sorted()))

    def section_pages(self, section: str) -> ListPages | None:
        """Give the pages of a playbooks section's own list, or None when the overview shows the whole section."""
        total = len(self.section_playbooks(section))
        return ListPages(f"playbooks/{section}/index.html", f"playbooks/{section}", total) if total > PREVIEW_ITEMS else None

    def metric_table_pages(self, source: m.MetricSource, table: str) -> ListPages:
        """Give the pages of one of a metric page's tables: its first rows on the metric's page, the rest after."""
        return ListPages(
            metric_path(source.id), f"metrics/{source.id}/{table}", len(self.metric_selection(source)[table]), f"sec-{table}"
        )

    def journey_card(self, journey: m.Journey, page: str, with_chart: bool = True) -> tuple[dict, Chart | None]:
        _names, scores, _hover = self.curve(journey)
        chart = None
        if with_chart and any(s is not None for s in scores):
            chart = self.chart(
                page,
                f"spark-{journey.id}",
                sparkline(scores, self.style),
                self.t("chart.sparkline", title=journey.title),
                height=56,
                css_class="chart sparkline",
            )
        persona = self.project.personas.get(journey.persona)
        return {
            "id": journey.id,
            "title": journey.title,
            "url": relative_url(page, journey_path(journey.id)),
            "state": journey.state,
            "state_text": self.t(f"journey.state.{journey.state}"),
            "persona": {"name": persona.name, "url": relative_url(page, persona_path(persona.id))} if persona else None,
            "headline": self.headline(journey.id, page),
            "evidence": self.evidence_count(journey),
            "touchpoints": len(journey.touchpoints()),
            "chart": chart,
            "owner": journey.owner or "",
        }, chart

    def home_page(self) -> Page:
        path = "index.html"
        cards, charts = [], []
        for journey in list(self.project.journeys.values())[:HOME_CARDS]:
            card, chart = self.journey_card(journey, path)
            cards.append(card)
            if chart:
                charts.append(chart)
        coverage = self.pillar_coverage(path)
        live = self.section_playbooks("surprise-live")
        experiments = self.section_playbooks("experiment")
        running = [pb for pb in experiments if pb.status == "running"]
        done = [pb for pb in experiments if pb.status == "done"]
        context = {
            "description": self.md(self.cfg.description, path),
            "journeys": cards,
            "journeys_total": len(self.project.journeys),
            "journeys_url": relative_url(path, "journeys/index.html"),
            "coverage": coverage,
            "live_surprises": [self.playbook_link(pb, path) | {"trigger": pb.trigger} for pb in live[:PREVIEW_ITEMS]],
            "live_surprises_more": self.section_more("surprise-live", path) if len(live) > PREVIEW_ITEMS else None,
            "running_experiments": [self.experiment_summary(pb, path) for pb in running[:PREVIEW_ITEMS]],
            "done_experiments": [self.experiment_summary(pb, path) for pb in done[:PREVIEW_ITEMS]],
            "experiments_more": self.section_more("experiment", path) if max(len(running), len(done)) > PREVIEW_ITEMS else None,
            "overall": self.headline(None, path, ("nps",)),
        }
        return Page(path, "home.html", "home", self.cfg.title, context, tuple(charts))

    def journeys_page(self, number: int = 1) -> Page:
        """Give page `number` of the journeys overview."""
        pages = self.journey_pages()
        path = pages.path(number)
        cards = [
            self.journey_card(j, path, with_chart=False)[0] for j in list(self.project.journeys.values())[pages.rows(number)]
        ]
        return Page(
            path,
            "journeys.html",
            "journeys",
            self.numbered(self.t("nav.journeys"), number),
            {"journeys": cards, "pager": self.pager(pages, number, self.t("nav.journeys"))},
        )

    def personas_page(self, number: int = 1) -> Page:
        """Give page `number` of the personas overview; a card names the persona's first journeys and counts the rest."""
        pages = self.persona_pages()
        path = pages.path(number)
        personas = []
        for p in list(self.project.personas.values())[pages.rows(number)]:
            theirs = self._journeys_of.get(p.id, [])
            journeys = [{"title": j.title, "url": relative_url(path, journey_path(j.id))} for j in theirs[:PREVIEW_ITEMS]]
            personas.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "quote": p.quote or "",
                    "segment": p.segment or "",
                    "url": relative_url(path, persona_path(p.id)),
                    "journeys": journeys,
                    "journeys_more": self.t.integer(len(theirs) - PREVIEW_ITEMS) if len(theirs) > PREVIEW_ITEMS else "",
                }
            )
        return Page(
            path,
            "personas.html",
            "personas",
            self.numbered(self.t("nav.personas"), number),
            {"personas": personas, "pager": self.pager(pages, number, self.t("nav.personas"))},
        )

    def journey_page(self, journey: m.Journey) -> Page:
        path = journey_path(journey.id)
        model_id = self.project.stage_model_of(journey)
        stages = []
        for stage in self.ordered_stages(journey):
            tps = [self.touchpoint_view(journey, stage, tp, path) for tp in stage.touchpoints]
            stages.append(
                {
                    "id": stage.stage,
                    "anchor": f"stage-{stage.stage}",
                    "name": self.stage_name(model_id, stage.stage),
                    "description": self.stage_description(model_id, stage.stage) or "",
                    "goal": self.md(stage.goal, path, "journey", journey.id),
                    "touchpoints": tps,
                    "span": max(len(tps), 1),
                    "figures": self.place_figures(journey.id, stage.stage, None, path),
                }
            )
        touchpoints = [tp for s in stages for tp in s["touchpoints"]]
        # One column a touchpoint; a stage without touchpoints still gets an (empty) column.
        columns = [tp for s in stages for tp in (s["touchpoints"] or [{"empty": True, "stage": s["id"]}])]
        lanes = [
            {"key": k, "label": self.t(f"lane.{k}"), "hint": self.t(f"lane.{k}.hint")}
            for k in LANES
            if k == "feeling" or any(tp[k] for tp in touchpoints)
        ]
        charts = []
        names = [c.get("name", "") for c in columns]
        scores = [c["feeling"]["score"] if not c["empty"] and c["feeling"] else None for c in columns]
        hover = [
            (f"{c['name']}: {c['feeling']['score_text']} {c['feeling']['label']}".strip() if c["feeling"] else c["name"])
            if not c["empty"]
            else ""
            for c in columns
        ]
        emotion = None
        if any(s is not None for s in scores):
            emotion = self.chart(
                path,
                "emotion",
                emotion_curve(names, scores, hover, self.style, fill_columns=True),
                self.t("chart.emotion", title=journey.title),
                height=150,
                css_class="chart emotion",
            )
            charts.append(emotion)
        nps_series = []
        for source in self.cfg.metrics:
            if source.type != "nps":
                continue
            rows = self.index.over_time(source.id, journey.id)
            if rows:
                nps_series.append(
                    {
                        "name": self.metric_label(source.id),
                        "x": [self.t.period(f.period) for f in rows],
                        "y": [f.value for f in rows],
                        "margin": [f.margin for f in rows],
                        "text": [f"{self.t.period(f.period)}: {self.value_text(f)} (n = {self.t.integer(f.n)})" for f in rows],
                        "rows": [self.figure_view(f, source.id, path) for f in rows],
                    }
                )
        nps_chart = None
        if nps_series:
            nps_chart = self.chart(
                path,
                "nps",
                time_series(nps_series, self.style, y_title="NPS"),
                self.t("chart.nps_over_time", title=journey.title),
            )
            charts.append(nps_chart)
        compare = self.compare(journey, path)
        if compare and compare["chart"]:
            charts.append(compare["chart"])
        persona = self.project.personas.get(journey.persona)
        linked = [self.playbook_link(pb, path) for pb in self._playbooks_of.get(journey.id, ())]
        context = {
            "journey": {
                "id": journey.id,
                "title": journey.title,
                "state": journey.state,
                "state_text": self.t(f"journey.state.{journey.state}"),
                "owner": journey.owner or "",
                "summary": self.md(journey.summary, path, "journey", journey.id),
                "stage_model": model_id,
                "persona": {"name": persona.name, "url": relative_url(path, persona_path(persona.id))} if persona else None,
            },
            "stages": stages,
            "touchpoints": touchpoints,
            "columns": columns,
            "lanes": lanes,
            "emotion_chart": emotion,
            "nps_chart": nps_chart,
            "nps_series": nps_series,
            "headline": self.headline(journey.id, path),
            "journey_figures": self.place_figures(journey.id, None, None, path),
            "evidence": self.evidence_count(journey),
            "channels": self.channels(journey, path),
            "compare": compare,
            "playbooks": linked,
        }
        return Page(path, "journey.html", "journey", journey.title, context, tuple(charts))

    def channels(self, journey: m.Journey, page: str) -> list[dict]:
        groups: dict[str, list[m.Touchpoint]] = defaultdict(list)
        for _, tp in journey.touchpoints():
            groups[tp.channel or ""].append(tp)
        out = []
        for channel in sorted(groups, key=lambda c: (c == "", c.casefold())):
            tps = groups[channel]
            scores = [t.feeling.score for t in tps if t.feeling]
            mean = sum(scores) / len(scores) if scores else None
            out.append(
                {
                    "channel": channel or self.t("channel.none"),
                    "touchpoints": [{"name": t.name, "url": f"#tp-{t.id}"} for t in tps],
                    "mean_text": self.t.signed(mean, 1) if mean is not None else "–",
                    "pillars": sorted({self.pillar_name(p) for t in tps for p in t.pillars}),
                }
            )
        return out

    def compare(self, journey: m.Journey, page: str) -> dict | None:
        """Give a future journey's comparison with the journey it replaces: both curves and what changes per stage."""
        if not journey.compare_to or journey.compare_to not in self.project.journeys:
            return None
        other = self.project.journeys[journey.compare_to]
        model_id = self.project.stage_model_of(journey)
        order = [s.id for s in self.stage_model(journey)]
        stage_ids = [s for s in order if any(st.stage == s for st in journey.stages + other.stages)]
        stage_ids += [st.stage for st in journey.stages + other.stages if st.stage not in stage_ids]
        stage_ids = list(dict.fromkeys(stage_ids))

        def series(j: m.Journey, name: str) -> dict:
            xs, ys, texts = [], [], []
            for k, sid in enumerate(stage_ids):
                tps = [tp for st in j.stages if st.stage == sid for tp in st.touchpoints]
                for i, tp in enumerate(tps):
                    xs.append(round(k + (i + 1) / (len(tps) + 1), 4))
                    ys.append(tp.feeling.score if tp.feeling else None)
                    f = self.feeling_view(tp.feeling)
                    texts.append(f"{tp.name}: {f['score_text']} {f['label']}".strip() if f else tp.name)
            return {"name": name, "x": xs, "y": ys, "text": texts}

        names = [self.stage_name(model_id, s) for s in stage_ids]
        chart = self.chart(
            page,
            "compare",
            emotion_compare([series(journey, journey.title), series(other, other.title)], names, self.style),
            self.t("chart.compare", title=journey.title, other=other.title),
            height=300,
        )
        changes = []
        for sid in stage_ids:
            now = {tp.id: tp for st in other.stages if st.stage == sid for tp in st.touchpoints}
            then = {tp.id: tp for st in journey.stages if st.stage == sid for tp in st.touchpoints}
            feeling_changes = []
            for tid in [t for t in then if t in now]:
                a, b = now[tid].feeling, then[tid].feeling
                if (a.score if a else None) != (b.score if b else None):
                    feeling_changes.append(
                        {
                            "name": then[tid].name,
                            "url": f"#tp-{tid}",
                            "before": self.t.signed(a.score, 0) if a else "–",
                            "after": self.t.signed(b.score, 0) if b else "–",
                        }
                    )
            pains_before = {p for tp in now.values() for p in tp.pain_points}
            pains_after = {p for tp in then.values() for p in tp.pain_points}

            def mean(tps) -> float | None:
                s = [t.feeling.score for t in tps if t.feeling]
                return sum(s) / len(s) if s else None

            mb, ma = mean(now.values()), mean(then.values())
            changes.append(
                {
                    "stage": sid,
                    "name": self.stage_name(model_id, sid),
                    "added": [{"name": then[t].name, "url": f"#tp-{t}"} for t in then if t not in now],
                    "removed": [{"name": now[t].name} for t in now if t not in then],
                    "feelings": feeling_changes,
                    "pains_solved": [self.md_inline(p, page, "journey", other.id) for p in sorted(pains_before - pains_after)],
                    "pains_new": [self.md_inline(p, page, "journey", journey.id) for p in sorted(pains_after - pains_before)],
                    "mean_before": self.t.signed(mb, 1) if mb is not None else "–",
                    "mean_after": self.t.signed(ma, 1) if ma is not None else "–",
                    "unchanged": False,
                }
            )
            c = changes[-1]
            c["unchanged"] = not (c["added"] or c["removed"] or c["feelings"] or c["pains_solved"] or c["pains_new"])
        return {
            "other": {
                "id": other.id,
                "title": other.title,
                "url": relative_url(page, journey_path(other.id)),
                "state_text": self.t(f"journey.state.{other.state}"),
            },
            "chart": chart,
            "changes": changes,
        }

    def persona_page(self, persona: m.Persona) -> Page:
        path = persona_path(persona.id)
        journeys = [self.journey_card(j, path, with_chart=False)[0] for j in self._journeys_of.get(persona.id, ())]
        figures = []
        charts = []
        if persona.segment:
            for source in self.cfg.metrics:
                seg = self.index.get(source.id, ALL, segment=persona.segment)
                if seg is None:
                    continue
                everyone = self.index.get(source.id, ALL)
                figures.append(
                    {"segment": self.figure_view(seg, source.id, path), "everyone": self.figure_view(everyone, source.id, path)}
                )
            for source in self.cfg.metrics:
                if source.type != "nps":
                    continue
                seg_rows = self.index.over_time(source.id, segment=persona.segment)
                all_rows = self.index.over_time(source.id)
                if seg_rows:
                    series = [
                        {
                            "name": persona.name,
                            "x": [self.t.period(f.period) for f in seg_rows],
                            "y": [f.value for f in seg_rows],
                            "margin": [f.margin for f in seg_rows],
                            "text": [self.value_text(f) for f in seg_rows],
                        },
                        {
                            "name": self.t("persona.everyone"),
                            "x": [self.t.period(f.period) for f in all_rows],
                            "y": [f.value for f in all_rows],
                            "margin": None,
                            "text": [self.value_text(f) for f in all_rows],
                        },
                    ]
                    charts.append(
                        self.chart(
                            path,
                            f"segment-{source.id}",
                            time_series(series, self.style, y_title="NPS"),
                            self.t("chart.segment", metric=self.metric_label(source.id), name=persona.name),
                        )
                    )
                    break
        playbooks = [self.playbook_link(pb, path) for pb in self._playbooks_for.get(persona.id, ())]
        kind = ("persona", persona.id)
        context = {
            "persona": {
                "id": persona.id,
                "name": persona.name,
                "quote": persona.quote or "",
                "segment": persona.segment or "",
                "description": self.md(persona.description, path, *kind),
                "goals": [self.md_inline(x, path, *kind) for x in persona.goals],
                "frustrations": [self.md_inline(x, path, *kind) for x in persona.frustrations],
                "channels": list(persona.channels),
            },
            "journeys": journeys,
            "figures": figures,
            "segment_chart": charts[0] if charts else None,
            "playbooks": playbooks,
        }
        return Page(path, "persona.html", "persona", persona.name, context, tuple(charts))

    def pillar_coverage(self, page: str) -> list[dict]:
        """Give per pillar how many touchpoints carry it and how many journey stages lack it."""
        out = []
        stages = [(j, s) for j in self.project.journeys.values() for s in j.stages]
        for pid in self.project.pillars:
            count = sum(1 for j, s in stages for tp in s.touchpoints if pid in tp.pillars)
            gaps = sum(1 for j, s in stages if not any(pid in tp.pillars for tp in s.touchpoints))
            out.append(
                {
                    "id": pid,
                    "name": self.pillar_name(pid),
                    "touchpoints": count,
                    "gaps": gaps,
                    "stages": len(stages),
                    "url": relative_url(page, f"pillars.html#sec-pillar-{pid}"),
                    "touchpoints_text": self.t.plural(count, "count.touchpoints"),
                    "gaps_text": self.t.plural(gaps, "count.gaps"),
                }
            )
        return out

    def pillar_matrix(self, journeys: Iterable[m.Journey], page: str) -> dict:
        """Give the pillar matrix of some journeys: the pillars, a row per journey (with its stages unless compact)."""
        pillars = list(self.project.pillars)
        rows = []
        # a large handbook gets a row per journey, so the page does not grow with every stage of every journey
        compact = len(self.project.journeys) > PILLAR_MATRIX_JOURNEYS
        for journey in journeys:
            model_id = self.project.stage_model_of(journey)
            stage_rows = []
            for stage in self.ordered_stages(journey):
                cells = []
                for pid in pillars:
                    tps = [tp for tp in stage.touchpoints if pid in tp.pillars]
                    cells.append({"pillar": pid, "count": len(tps), "gap": not tps, "names": ", ".join(tp.name for tp in tps)})
                stage_rows.append(
                    {
                        "name": self.stage_name(model_id, stage.stage),
                        "url": relative_url(page, journey_path(journey.id) + f"#stage-{stage.stage}"),
                        "cells": cells,
                    }
                )
            totals = [sum(r["cells"][i]["count"] for r in stage_rows) for i in range(len(pillars))]
            rows.append(
                {
                    "id": journey.id,
                    "title": journey.title,
                    "url": relative_url(page, journey_path(journey.id)),
                    "stages": [] if compact else stage_rows,
                    "totals": totals,
                }
            )
        return {"pillars": [{"id": p, "name": self.pillar_name(p)} for p in pillars], "rows": rows, "compact": compact}

    def pillars_page(self, number: int = 1) -> Page:
        """Give the pillars page (number 1), or a further page of its matrix."""
        pages = self.pillar_matrix_pages()
        path = pages.path(number)
        matrix = self.pillar_matrix(list(self.project.journeys.values())[pages.rows(number)], path)
        matrix["pager"] = self.pager(pages, number, self.t("pillars.matrix"))
        if number > 1:
            matrix["pillars_url"] = relative_url(path, "pillars.html")
            return Page(path, "pillar_matrix.html", "pillar-matrix", self.numbered(self.t("pillars.matrix"), number), matrix)
        pillars = list(self.project.pillars)
        details = []
        coverage = {c["id"]: c for c in self.pillar_coverage(path)}
        for pid in pillars:
            gaps = [
                {
                    "journey": j.title,
                    "stage": self.stage_name(self.project.stage_model_of(j), s.stage),
                    "url": relative_url(path, journey_path(j.id) + f"#stage-{s.stage}"),
                }
                for j in self.project.journeys.values()
                for s in self.ordered_stages(j)
                if not any(pid in tp.pillars for tp in s.touchpoints)
            ]
            metrics = [
                self.headline(None, path, metric=s.id, types=()) or self.figure_view(None, s.id, path)
                for s in self.cfg.metrics
                if s.pillar == pid
            ]
            surprises = [pb for pb in self.project.playbooks.values() if pb.type == "surprise" and pid in pb.pillars]
            touchpoints = [
                {
                    "name": tp.name,
                    "journey": j.title,
                    "url": relative_url(path, touchpoint_path(j.id, tp.id)),
                    "note": tp.pillars[pid] or "",
                }
                for j in self.project.journeys.values()
                for _, tp in j.touchpoints()
                if pid in tp.pillars
            ]
            details.append(
                {
                    "id": pid,
                    "anchor": f"sec-pillar-{pid}",
                    "name": self.pillar_name(pid),
                    "description": self.pillar_description(pid) or "",
                    "metrics": metrics,
                    "surprises": [self.playbook_link(pb, path) for pb in surprises[:PILLAR_LIST_LIMIT]],
                    "surprises_more": self._more(len(surprises) - PILLAR_LIST_LIMIT, "pillars.more_surprises"),
                    "gaps": gaps[:PILLAR_LIST_LIMIT],
                    "gaps_more": self._more(len(gaps) - PILLAR_LIST_LIMIT),
                    "touchpoints": touchpoints[:PILLAR_LIST_LIMIT],
                    "touchpoints_more": self._more(len(touchpoints) - PILLAR_LIST_LIMIT),
                    "coverage": coverage[pid],
                }
            )
        return Page(path, "pillars.html", "pillars", self.t("nav.pillars"), matrix | {"details": details})

    def _more(self, count: int, label: str = "pillars.more") -> str:
        """Give the note under a shortened list ('and 12 more: …'), or '' when nothing was left out."""
        return self.t(label, count=self.t.integer(count)) if count > 0 else ""

    def experiment_summary(self, pb: m.Experiment, page: str) -> dict:
        verdict = self.figures.verdicts.get(pb.id, "no_data")
        verdict = verdict if verdict in VERDICTS else "no_data"
        return self.playbook_link(pb, page) | {
            "hypothesis": pb.hypothesis,
            "verdict": verdict,
            "verdict_text": self.t(f"verdict.{verdict}"),
        }

    @functools.cached_property
    def _sections(self) -> dict[str, list]:
        sections: dict[str, list] = {section: [] for section in PLAYBOOK_SECTIONS}
        for pb in self.project.playbooks.values():  # by id
            if pb.type in ("recovery", "story", "experiment"):
                sections[pb.type].append(pb)
            elif pb.type == "surprise":
                sections[f"surprise-{pb.status}"].append(pb)
        sections["guide"] = [c for c in self.chapters_sorted() if isinstance(c, m.Guide)]
        return sections

    def section_playbooks(self, section: str) -> list:
        """Give the playbooks of a section of the playbooks overview (a surprise status, recovery, …, guide), in order."""
        return self._sections[section]

    def section_title(self, section: str) -> str:
        kind, _, status = section.partition("-")
        if kind == "surprise":
            return f"{self.t('playbooks.surprises')}: {self.t(f'surprise.status.{status}')}"
        return self.t(
            {
                "recovery": "playbooks.recoveries",
                "story": "playbooks.stories",
                "experiment": "playbooks.experiments",
                "guide": "playbooks.guides",
            }[kind]
        )

    def section_more(self, section: str, page: str) -> dict:
        """Give the link from a shortened section to its own list (it has one: it is longer than PREVIEW_ITEMS)."""
        return self.show_all(
            relative_url(page, f"playbooks/{section}/index.html"),
            len(self.section_playbooks(section)),
            self.section_title(section),
        )

    def playbook_item(self, pb, page: str) -> dict:
        """Give what a list of playbooks shows of one: a surprise's card, a recovery's row, a story, an experiment, a guide."""
        view = self.playbook_link(pb, page)
        if pb.type == "surprise":
            return view | {
                "trigger": pb.trigger,
                "owner": pb.owner or "",
                "budget_text": self.t.number(pb.budget, 2) if pb.budget is not None else "",
                "place": self.place_link(pb, page),
                "audience": self.persona_link(pb.audience, page),
            }
        if pb.type == "recovery":
            return view | {
                "failure": pb.failure,
                "signal": pb.signal or "",
                "response_time": pb.response_time or "",
                "owner": pb.owner or "",
                "place": self.place_link(pb, page),
            }
        if pb.type == "story":
            return view | {
                "moral": pb.moral or "",
                "persona": self.persona_link(pb.persona, page),
                "place": self.place_link(pb, page),
            }
        if pb.type == "experiment":
            return self.experiment_summary(pb, page) | {
                "place": self.place_link(pb, page),
                "status_text": self.t(f"experiment.status.{pb.status}"),
            }
        return view

    def playbooks_view(self, page: str, whole: bool = False) -> dict:
        """Give the playbooks overview: per section its first PREVIEW_ITEMS playbooks and a link to the rest (or, whole,
        every playbook: the print page)."""
        items, more = {}, {}
        for section in PLAYBOOK_SECTIONS:
            pbs = self.section_playbooks(section)
            shortened = not whole and len(pbs) > PREVIEW_ITEMS
            items[section] = [self.playbook_item(pb, page) for pb in (pbs[:PREVIEW_ITEMS] if shortened else pbs)]
            more[section] = self.section_more(section, page) if shortened else None
        board = [
            {
                "status": status,
                "label": self.t(f"surprise.status.{status}"),
                "cards": items[f"surprise-{status}"],
                "total": len(self.section_playbooks(f"surprise-{status}")),
                "more": more[f"surprise-{status}"],
            }
            for status in SURPRISE_STATUSES
        ]
        return {
            "board": board,
            "recoveries": items["recovery"],
            "stories": items["story"],
            "experiments": items["experiment"],
            "guides": items["guide"],
            "more": more,
        }

    def playbooks_page(self) -> Page:
        path = "playbooks/index.html"
        return Page(path, "playbooks.html", "playbooks", self.t("nav.playbooks"), self.playbooks_view(path))

    def playbook_list_page(self, section: str, number: int) -> Page:
        """Give page `number` of a playbooks section's own list (made for a section longer than the overview shows)."""
        pages = self.section_pages(section)
        assert pages is not None
        path = pages.path(number)
        title = self.section_title(section)
        items = [self.playbook_item(pb, path) for pb in self.section_playbooks(section)[pages.rows(number)]]
        context = {
            "section": {"id": section, "kind": section.partition("-")[0], "title": title, "items": items, "total": pages.total},
            "playbooks_url": relative_url(path, "playbooks/index.html"),
            "pager": self.pager(pages, number, title),
        }
        return Page(path, "playbook_list.html", "playbook-list", self.numbered(title, number), context)

    def place_link(self, pb, page: str) -> dict | None:
        """Give the journey (and touchpoint) a playbook is linked to, as a link."""
        if not pb.journey or pb.journey not in self.project.journeys:
            return None
        journey = self.project.journeys[pb.journey]
        tp = next((t for _, t in journey.touchpoints() if t.id == pb.touchpoint), None)
        target = touchpoint_path(journey.id, tp.id) if tp else journey_path(journey.id)
        return {"journey": journey.title, "touchpoint": tp.name if tp else "", "url": relative_url(page, target)}

    def persona_link(self, persona_id: str | None, page: str) -> dict | None:
        persona = self.project.personas.get(persona_id) if persona_id else None
        return {"name": persona.name, "url": relative_url(page, persona_path(persona.id))} if persona else None

    def playbook_page(self, pb) -> Page:
        path = playbook_path(pb.id)
        body = self.md(without_title(pb.body), path, "playbook", pb.id, ids=True, body=True)
        context: dict[str, Any] = {"playbook": self.playbook_link(pb, path) | {"body": body, "place": self.place_link(pb, path)}}
        charts: list[Chart] = []
        view = context["playbook"]
        if pb.type == "guide":
            return Page(path, "chapter.html", "chapter", pb.title, {"chapter": {"title": pb.title, "body": body}})
        if pb.type == "surprise":
            view.update(
                {
                    "trigger": pb.trigger,
                    "audience": self.persona_link(pb.audience, path),
                    "owner": pb.owner or "",
                    "budget_text": self.t.number(pb.budget, 2) if pb.budget is not None else "",
                    "pillars": [{"id": p, "name": self.pillar_name(p), "note": n or ""} for p, n in pb.pillars.items()],
                    "success_metric": (
                        self.headline(None, path, metric=pb.success_metric, types=())
                        or self.figure_view(None, pb.success_metric, path)
                    )
                    if pb.success_metric
                    else None,
                }
            )
        elif pb.type == "recovery":
            view.update(
                {
                    "failure": pb.failure,
                    "signal": pb.signal or "",
                    "response_time": pb.response_time or "",
                    "owner": pb.owner or "",
                }
            )
        elif pb.type == "story":
            steps, chart = self.story_path(pb, path)
            if chart:
                charts.append(chart)
            view.update(
                {
                    "persona": self.persona_link(pb.persona, path),
                    "quote": pb.quote or "",
                    "moral": pb.moral or "",
                    "steps": steps,
                    "chart": chart,
                }
            )
        elif pb.type == "experiment":
            charts += self.experiment_view(pb, path, view)
        return Page(path, f"{pb.type}.html", "playbook", pb.title, context, tuple(charts))

    def story_path(self, pb: m.Story, page: str) -> tuple[list[dict], Chart | None]:
        journey = self.project.journeys.get(pb.journey) if pb.journey else None
        if journey is None:
            return [], None
        by_id = {tp.id: (stage, tp) for stage, tp in journey.touchpoints()}
        model_id = self.project.stage_model_of(journey)
        steps = []
        for tid in pb.path:
            if tid not in by_id:
                continue
            stage, tp = by_id[tid]
            steps.append(
                {
                    "name": tp.name,
                    "url": relative_url(page, touchpoint_path(journey.id, tp.id)),
                    "stage": self.stage_name(model_id, stage.stage),
                    "feeling": self.feeling_view(tp.feeling),
                    "score": tp.feeling.score if tp.feeling else None,
                }
            )
        chart = None
        if any(s["score"] is not None for s in steps):
            hover = [
                f"{s['name']}: {s['feeling']['score_text']} {s['feeling']['label']}".strip() if s["feeling"] else s["name"]
                for s in steps
            ]
            chart = self.chart(
                page,
                "story",
                emotion_curve([s["name"] for s in steps], [s["score"] for s in steps], hover, self.style),
                self.t("chart.story", title=pb.title),
                height=300,
            )
        return steps, chart

    def experiment_view(self, pb: m.Experiment, page: str, view: dict) -> list[Chart]:
        rows = self.index.experiment(pb.id)
        summary = self.experiment_summary(pb, page)

        def row_view(r: VariantResult) -> dict:
            is_control = r.variant == r.control
            return {
                "variant": r.variant,
                "is_control": is_control,
                "n_text": self.t.integer(r.n),
                "conversions_text": self.t.integer(r.conversions),
                "rate_text": self.t.percent(r.rate),
                "lift_text": "" if is_control or r.lift is None else self.t.signed(r.lift * 100, 1) + "%",
                "interval_text": ""
                if is_control or r.ci_low is None
                else self.t("experiment.interval", low=self.t.signed(r.ci_low * 100, 1), high=self.t.signed(r.ci_high * 100, 1)),
                "p_text": "" if is_control else self.t.p_value(r.p_value),
            }

        overall = [r for r in rows if r.period == ALL and r.segment is None]
        segments = sorted({r.segment for r in rows if r.segment is not None})
        periods = sorted({r.period for r in rows if r.period != ALL})
        segment_tables = [
            {"segment": s, "rows": [row_view(r) for r in rows if r.period == ALL and r.segment == s]} for s in segments
        ]
        period_tables = [
            {"period": self.t.period(p), "rows": [row_view(r) for r in rows if r.period == p and r.segment is None]}
            for p in periods
        ]
        interval_rows = []
        for label, group in [(self.t("experiment.everyone"), overall)] + [
            (s, [r for r in rows if r.period == ALL and r.segment == s]) for s in segments
        ]:
            for r in group:
                if r.variant == r.control or r.ci_low is None:
                    continue
                diff = ((r.ci_low + r.ci_high) / 2) * 100
                interval_rows.append(
                    {
                        "label": f"{label}: {r.variant}",
                        "diff": round(diff, 4),
                        "low": round(r.ci_low * 100, 4),
                        "high": round(r.ci_high * 100, 4),
                        "text": f"{label}, {r.variant}: "
                        + self.t(
                            "experiment.interval", low=self.t.signed(r.ci_low * 100, 1), high=self.t.signed(r.ci_high * 100, 1)
                        ),
                    }
                )
        charts = []
        chart = None
        if interval_rows:
            chart = self.chart(
                page,
                "intervals",
                intervals(interval_rows, self.style, x_title=self.t("experiment.difference")),
                self.t("chart.intervals", title=pb.title),
                height=90 + 44 * len(interval_rows),
            )
            charts.append(chart)
        view.update(
            {
                "hypothesis": pb.hypothesis,
                "decision": pb.decision or "",
                "control": pb.control or (next(iter(pb.results)) if pb.results else ""),
                "metric": {"label": self.metric_label(pb.metric), "url": relative_url(page, metric_path(pb.metric))}
                if pb.metric
                else None,
                "verdict": summary["verdict"],
                "verdict_text": summary["verdict_text"],
                "results": [row_view(r) for r in overall],
                "segments": segment_tables,
                "periods": period_tables,
                "chart": chart,
            }
        )
        return charts

    def chapters_sorted(self) -> list:
        """Give the handbook's chapters: pages and guides by their order, then title."""
        items = list(self.project.pages.values()) + [pb for pb in self.project.playbooks.values() if pb.type == "guide"]
        return sorted(items, key=lambda x: (x.order is None, x.order or 0, isinstance(x, m.Guide), x.title.casefold(), x.id))

    def chapters_listed(self) -> list[dict] | None:
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
        return Page(
            path,
            "chapters.html",
            "chapters",
            self.numbered(self.t("nav.handbook"), number),
            {
                "chapters": items,
                "start": pages.rows(number).start + 1,
                "pager": self.pager(pages, number, self.t("nav.handbook")),
            },
        )

    def chapter_page(self, p: m.Page) -> Page:
        path = page_path(p.id)
        body = self.md(without_title(p.body), path, "page", p.id, ids=True, body=True)
        return Page(path, "chapter.html", "chapter", p.title, {"chapter": {"title": p.title, "body": body}})

    def metrics_page(self) -> Page:
        path = "metrics/index.html"
        metrics = []
        for source in self.cfg.metrics:
            overall = self.index.get(source.id, ALL) if source.type != "funnel" else None
            metrics.append(
                {
                    "id": source.id,
                    "label": self.metric_label(source.id),
                    "url": relative_url(path, metric_path(source.id)),
                    "type_text": self.t(f"metric.type.{source.type}"),
                    "overall": self.figure_view(overall, source.id, path) if overall else None,
                    "latest": self.headline(None, path, metric=source.id, types=()) if source.type != "funnel" else None,
                    "pillar": self.pillar_name(source.pillar) if source.pillar else "",
                }
            )
        return Page(path, "metrics.html", "metrics", self.t("nav.metrics"), {"metrics": metrics})

    def metric_page(self, source: m.MetricSource) -> Page:
        path = metric_path(source.id)
        figs = self.index.of_metric(source.id)
        series = []
        if source.type == "funnel":
            keys = sorted(
                {
                    (f.journey, f.stage)
                    for f in figs
                    if f.period != ALL
                    and f.segment is None
                    and f.variant is None
                    and f.touchpoint is None
                    and f.stage is not None
                },
                key=lambda k: (k[0] or "", self._stage_pos(k)),
            )
            for journey_id, stage_id in keys:
                rows = self.index.over_time(source.id, journey_id, stage_id)
                name = self._place_name(journey_id, stage_id, None)
                series.append(
                    {
                        "name": name,
                        "x": [self.t.period(f.period) for f in rows],
                        "y": [f.value for f in rows],
                        "margin": None,
                        "text": [self.value_text(f) for f in rows],
                    }
                )
        else:
            rows = self.index.over_time(source.id)
            if rows:
                series.append(
                    {
                        "name": self.t("metric.everyone"),
                        "x": [self.t.period(f.period) for f in rows],
                        "y": [f.value for f in rows],
                        "margin": [f.margin for f in rows],
                        "text": [f"{self.value_text(f)} (n = {self.t.integer(f.n)})" for f in rows],
                    }
                )
            for segment in self.index.segments(source.id):
                rows_s = self.index.over_time(source.id, segment=segment)
                if rows_s:
                    series.append(
                        {
                            "name": segment,
                            "x": [self.t.period(f.period) for f in rows_s],
                            "y": [f.value for f in rows_s],
                            "margin": None,
                            "text": [f"{self.value_text(f)} (n = {self.t.integer(f.n)})" for f in rows_s],
                        }
                    )
        charts = []
        chart = None
        if series:
            suffix = "%" if source.type == "csat" or source.unit == "%" else ""
            chart = self.chart(
                path,
                "metric",
                time_series(
                    series, self.style, y_title=self.metric_label(source.id), y_suffix=suffix, bars=source.type == "funnel"
                ),
                self.t("chart.metric", title=self.metric_label(source.id)),
                height=320,
            )
            charts.append(chart)
        over_time, over_time_pager = self.metric_table(source, "over-time", 1, path)
        breakdown, breakdown_pager = self.metric_table(source, "breakdown", 1, path)
        target = self.cfg.targets.get(source.id) or self.cfg.targets.get(source.type)
        context = {
            "metric": {
                "id": source.id,
                "label": self.metric_label(source.id),
                "type": source.type,
                "type_text": self.t(f"metric.type.{source.type}"),
                "explain": self.t(f"metric.explain.{source.type}"),
                "period_text": self.t(f"metric.period.{source.period}"),
                "unit": source.unit or "",
                "pillar": {
                    "name": self.pillar_name(source.pillar),
                    "url": relative_url(path, f"pillars.html#sec-pillar-{source.pillar}"),
                }
                if source.pillar
                else None,
                "target": {"good": self.t.number(target.good, 1), "bad": self.t.number(target.bad, 1)} if target else None,
                "higher_is_better": source.higher_is_better,
                "csv_url": relative_url(path, metric_csv_path(source.id)),
                "json_url": relative_url(path, "data/figures.json"),
                "count": len(figs),
            },
            "chart": chart,
            "over_time": over_time,
            "over_time_pager": over_time_pager,
            "breakdown": breakdown,
            "breakdown_pager": breakdown_pager,
            "breakdown_shortened": self.metric_rows(source)["shortened"],
        }
        return Page(path, "metric.html", "metric", self.metric_label(source.id), context, tuple(charts))

    def metric_selection(self, source: m.MetricSource) -> dict[str, Any]:
        """Give the figures of a metric's two tables, not yet in order: over time (all customers; a funnel per stage)
        and over all periods by place and group (with more than BREAKDOWN_LIMIT, journeys and groups only:
        'shortened'). They follow from the figures alone, so a rebuild that keeps the figures keeps them (the page
        plan needs their number, and half a million figures take a while to go through)."""

        def select() -> dict[str, Any]:
            figs = self.index.of_metric(source.id)
            shown = [
                f
                for f in figs
                if f.period != ALL and f.segment is None and f.variant is None and (source.type == "funnel" or f.journey is None)
            ]
            overall = [f for f in figs if f.period == ALL]
            shortened = len(overall) > BREAKDOWN_LIMIT
            if shortened:  # stages and touchpoints are on the journey pages and in the CSV
                overall = [f for f in overall if f.touchpoint is None and (f.stage is None or source.type == "funnel")]
            return {"over-time": shown, "breakdown": overall, "shortened": shortened}

        return self.index.kept(("metric-tables", source.id, source.type), select)

    def metric_rows(self, source: m.MetricSource) -> dict[str, Any]:
        """Give the figures of a metric's two tables (metric_selection) in the order of the maps."""
        if source.id not in self._metric_rows:
            chosen = self.metric_selection(source)
            self._metric_rows[source.id] = {
                "over-time": sorted(
                    chosen["over-time"],
                    key=lambda f: (f.period, f.journey or "", self._stage_pos((f.journey, f.stage)), f.touchpoint or ""),
                ),
                "breakdown": sorted(
                    chosen["breakdown"],
                    key=lambda f: (
                        f.journey or "",
                        self._stage_pos((f.journey, f.stage)),
                        f.touchpoint or "",
                        f.segment or "",
                        f.variant or "",
                    ),
                ),
                "shortened": chosen["shortened"],
            }
        return self._metric_rows[source.id]

    def metric_table(self, source: m.MetricSource, table: str, number: int, page: str) -> tuple[list[dict], dict | None]:
        """Give the rows that page `number` of one of a metric's tables shows, and the table's pager."""
        pages = self.metric_table_pages(source, table)
        rows = [
            self.figure_view(f, source.id, page)
            | {
                "place": self._place_name(f.journey, f.stage, f.touchpoint),
                "segment": f.segment or "",
                "variant": f.variant or "",
            }
            for f in self.metric_rows(source)[table][pages.rows(number)]
        ]
        return rows, self.pager(pages, number, self.t(METRIC_TABLES[table]))

    def metric_table_page(self, source: m.MetricSource, table: str, number: int) -> Page:
        """Give a further page (number 2 and on) of one of a metric page's tables."""
        path = self.metric_table_pages(source, table).path(number)
        rows, pager = self.metric_table(source, table, number, path)
        label, title = self.metric_label(source.id), self.t(METRIC_TABLES[table])
        context = {
            "metric": {
                "id": source.id,
                "label": label,
                "type": source.type,
                "type_text": self.t(f"metric.type.{source.type}"),
                "url": relative_url(path, metric_path(source.id)),
                "csv_url": relative_url(path, metric_csv_path(source.id)),
            },
            "table": table,
            "table_title": title,
            "rows": rows,
            "pager": pager,
            "breakdown_shortened": self.metric_rows(source)["shortened"],
        }
        return Page(path, "metric_table.html", "metric-table", self.numbered(f"{label}: {title}", number), context)

    def _stage_pos(self, key: tuple[str | None, str | None]) -> int:
        journey_id, stage_id = key
        journey = self.project.journeys.get(journey_id) if journey_id else None
        if journey is None or stage_id is None:
            return -1
        ids = [s.id for s in self.stage_model(journey)]
        return ids.index(stage_id) if stage_id in ids else len(ids)

    def _place_name(self, journey_id: str | None, stage_id: str | None, touchpoint_id: str | None) -> str:
        if journey_id is None:
            return self.t("metric.everyone") if stage_id is None else stage_id
        journey = self.project.journeys.get(journey_id)
        if journey is None:
            return journey_id
        parts = [journey.title]
        if stage_id:
            parts.append(self.stage_name(self.project.stage_model_of(journey), stage_id))
        if touchpoint_id:
            tp = next((t for _, t in journey.touchpoints() if t.id == touchpoint_id), None)
            parts.append(tp.name if tp else touchpoint_id)
        return " · ".join(parts)

    # --- navigation ---------------------------------------------------------------------------

    def navigation(self) -> list[dict]:
        """Give the site's navigation with site-absolute paths (each page makes them relative)."""
        nav: list[dict] = [{"label": self.t("nav.home"), "path": "index.html", "items": []}]

        def listed(items: list[dict]) -> list[dict]:
            return items if len(items) <= NAV_LIMIT else []

        nav.append(
            {
                "label": self.t("nav.journeys"),
                "path": "journeys/index.html",
                "items": listed([{"label": j.title, "path": journey_path(j.id)} for j in self.project.journeys.values()]),
            }
        )
        nav.append(
            {
                "label": self.t("nav.personas"),
                "path": "personas/index.html",
                "items": listed([{"label": p.name, "path": persona_path(p.id)} for p in self.project.personas.values()]),
            }
        )
        nav.append({"label": self.t("nav.pillars"), "path": "pillars.html", "items": []})
        nav.append({"label": self.t("nav.playbooks"), "path": "playbooks/index.html", "items": []})
        if self.cfg.metrics:
            nav.append(
                {
                    "label": self.t("nav.metrics"),
                    "path": "metrics/index.html",
                    "items": listed([{"label": self.metric_label(s.id), "path": metric_path(s.id)} for s in self.cfg.metrics]),
                }
            )
        chapters = self.chapters_listed()
        if chapters is None:  # too many to list on every page: the handbook's own contents page lists them
            nav.append({"label": self.t("nav.handbook"), "path": CHAPTERS_PATH, "items": []})
        elif chapters:
            nav.append({"label": self.t("nav.handbook"), "path": None, "items": chapters})
        return nav


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


def _auto_decimals(value: float) -> int:
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == int(magnitude):
        return 0 if magnitude == int(magnitude) else 1
    if magnitude >= 10:
        return 1
    if magnitude >= 1:
        return 2
    return 3


def page_link_resolver(project: Project, known: Callable[[str], bool]) -> Callable[[str, str, str], str | None]:
    """Give a resolver that turns links between content files into links between output pages."""
    by_source: dict[str, str] = {}
    for (kind, object_id), origin in project.origins.items():
        target = {"journey": journey_path, "persona": persona_path, "playbook": playbook_path, "page": page_path}[kind](object_id)
        by_source[origin.path] = target

    def resolve(url: str, source: str, page: str) -> str | None:
        if not url or url.startswith(("#", "mailto:", "tel:", "//")) or "://" in url or ":" in url.split("/")[0]:
            return url
        path, _, fragment = url.partition("#")
        path = path.split("?")[0]
        if path.startswith("/"):
            return None
        candidates = []
        if source:
            candidates.append(posixpath.normpath(posixpath.join(posixpath.dirname(source), path)))
        candidates.append(posixpath.normpath(posixpath.join("content", path)))
        for cand in candidates:
            if cand in by_source:
                return relative_url(page, by_source[cand] + ("#" + fragment if fragment else ""))
            if cand.startswith("content/assets/") and known(cand):
                return relative_url(page, media_path(cand[len("content/") :]) + ("#" + fragment if fragment else ""))
        return None

    return resolve
