"""The metrics overview, each metric's page and its long tables over numbered pages."""

from __future__ import annotations

import math
from typing import Any

from ... import model as m
from ...figures import Figure
from ..charts import MAX_BARS, MAX_LINES, time_series
from ..contexts import MetricContext, MetricsContext, MetricTableContext, Pager
from ..figure_index import ALL
from ..metric_views import MetricViews
from ..page import Page
from ..paging import ListPages, Paging
from ..paths import (
    metric_csv_path,
    metric_path,
    relative_url,
)

BREAKDOWN_LIMIT = 300  # rows of a metric's breakdown table before it keeps to journeys and segments

METRIC_TABLES = {"over-time": "metric.over_time", "breakdown": "metric.breakdown"}  # section id (sec-…): title label

Key = tuple[str | None, str | None, str | None, str | None, str | None]  # journey, stage, touchpoint, segment, variant
# What a breakdown row also stands for: ('place', 'stage' | 'journey' | 'all', ()) for a wider place with all its
# answers; ('segment' | 'variant', name, wider levels) for the group that gave all of them, and where else it did.
Same = tuple[tuple[str, str, tuple[str, ...]], ...]


def _key(f: Figure) -> Key:
    return (f.journey, f.stage, f.touchpoint, f.segment, f.variant)


def _same(a: Figure, b: Figure) -> bool:
    """Tell whether two figures count the same answers: the same n, value and margin (sums in another order may
    differ in the last bits)."""
    if a.n != b.n or not math.isclose(a.value, b.value, rel_tol=1e-9, abs_tol=1e-12):
        return False
    return (a.margin is None) == (b.margin is None) and (a.margin is None or math.isclose(a.margin, b.margin or 0, rel_tol=1e-9))


def without_repeats(figs: list[Figure]) -> tuple[list[Figure], dict[Key, Same]]:
    """Give a breakdown's figures with each group of answers once, and what each kept figure also stands for.

    A narrower group holds a subset of the wider one's answers, so the same count means the same answers and
    the same figure: a touchpoint with all its stage's answers, a stage with all its journey's, a journey with
    all customers', a segment (or variant) with all of its place's. Figures linked that way are one group of
    answers and one row: the one at the narrowest place, without the segment (or variant) when it is there; what
    it also stands for is a Same. Counted kinds (a funnel) are not subsets: the caller keeps all of theirs.
    """
    by_key = {_key(f): f for f in figs}
    parent: dict[Key, Key] = {k: k for k in by_key}

    def root(k: Key) -> Key:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for k, f in by_key.items():
        j, st, tp, seg, var = k
        place_up = (j, st, None) if tp is not None else (j, None, None) if st is not None else (None, None, None)
        wider: list[Key] = [(j, st, tp, None, var), (j, st, tp, seg, None)]
        if j is not None:
            wider.append((*place_up, seg, var))
        for w in wider:
            if w != k and w in by_key and _same(by_key[w], f):
                parent[root(k)] = root(w)
    groups: dict[Key, list[Key]] = {}
    for k in by_key:
        groups.setdefault(root(k), []).append(k)
    kept: set[Key] = set()
    also: dict[Key, Same] = {}
    for members in groups.values():
        # the narrowest place first, then the row without a segment, then without a variant
        rep = min(members, key=lambda k: (-_depth(k), k[3] is not None, k[4] is not None))
        kept.add(rep)
        same = _same_as(rep, members)
        if same:
            also[rep] = same
    return [f for f in figs if _key(f) in kept], also


def _same_as(rep: Key, members: list[Key]) -> Same:
    """Give what a row also stands for: the wider places with all its answers (whole, segment and variant as the
    row's), then the segment (or variant) that gave all of them, with the wider places where that holds too."""
    same: list[tuple[str, str, tuple[str, ...]]] = []
    whole = sorted({_depth(k) for k in members if k[3:] == rep[3:] and _depth(k) < _depth(rep)}, reverse=True)
    same += [("place", _LEVELS[d], ()) for d in whole]
    for kind, i in (("segment", 3), ("variant", 4)):
        names = sorted({str(k[i]) for k in members if k[i] is not None and rep[i] is None})
        for name in names:
            wider = {_depth(k) for k in members if k[i] == name and _depth(k) < _depth(rep)} - set(whole)
            same.append((kind, name, tuple(_LEVELS[d] for d in sorted(wider, reverse=True))))
    return tuple(same)


_LEVELS = {0: "all", 1: "journey", 2: "stage"}


def _depth(k: Key) -> int:
    """Give how narrow a figure's place is: 0 all customers, 1 a journey, 2 a stage, 3 a touchpoint."""
    return 3 if k[2] is not None else 2 if k[1] is not None else 1 if k[0] is not None else 0


class MetricPages(MetricViews, Paging):
    """The metrics overview, each metric's page and its long tables over numbered pages."""

    def metric_table_pages(self, source: m.MetricSource, table: str) -> ListPages:
        """Give the pages of one of a metric page's tables: its first rows on the metric's page, the rest after."""
        return ListPages(
            metric_path(source.id), f"metrics/{source.id}/{table}", len(self.metric_selection(source)[table]), f"sec-{table}"
        )

    def metrics_page(self) -> Page:
        path = "metrics/index.html"
        metrics = []
        for source in self.cfg.metrics:
            overall = self.index.get(source.id, ALL) if not source.kind.staged else None
            metrics.append(
                {
                    "id": source.id,
                    "label": self.metric_label(source.id),
                    "url": relative_url(path, metric_path(source.id)),
                    "type_text": self.t(f"metric.type.{source.type}"),
                    "overall": self.figure_view(overall, source.id, path) if overall else None,
                    "latest": self.headline(None, path, metric=source.id, types=()) if not source.kind.staged else None,
                    "pillar": self.pillar_name(source.pillar) if source.pillar else "",
                }
            )
        context: MetricsContext = {"metrics": metrics}
        return Page(path, "metrics.html", "metrics", self.t("nav.metrics"), context)

    def metric_series(self, source: m.MetricSource, figs: list[Figure]) -> tuple[list[dict], str]:
        """Give a metric's chart series and a note on what the chart leaves out ("" when nothing).

        A funnel's are its journey stages in the maps' order, the first MAX_BARS of them; another's are everyone,
        then the segments with the most answers (ties by name), MAX_LINES lines in all.
        """
        if source.kind.staged:
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
            series = [
                self._series(self._place_name(j, st, None), self.index.over_time(source.id, j, st), margins=False, n=False)
                for j, st in keys[:MAX_BARS]
            ]
            left_out = len(keys) - MAX_BARS
            note = self.t("chart.left_out.stages", shown=self.t.integer(MAX_BARS), more=self.t.integer(left_out))
            return series, note if left_out > 0 else ""
        series = []
        rows = self.index.over_time(source.id)
        if rows:
            series.append(self._series(self.t("metric.everyone"), rows, margins=True, n=True))
        drawn = [seg for seg in self.index.segments(source.id) if self.index.over_time(source.id, segment=seg)]
        answers = {seg: (f.n if (f := self.index.get(source.id, segment=seg)) else 0) for seg in drawn}
        room = MAX_LINES - len(series)
        chosen = sorted(drawn, key=lambda seg: (-answers[seg], seg))[:room]
        for seg in sorted(chosen):
            series.append(self._series(seg, self.index.over_time(source.id, segment=seg), margins=False, n=True))
        left_out = len(drawn) - len(chosen)
        note = self.t("chart.left_out.segments", shown=self.t.integer(len(chosen)), more=self.t.integer(left_out))
        return series, note if left_out > 0 else ""

    def _series(self, name: str, rows: list[Figure], *, margins: bool, n: bool) -> dict[str, Any]:
        """Give one line (or set of bars) of a metric's chart: its figures per period."""
        return {
            "name": name,
            "x": [self.t.period(f.period) for f in rows],
            "y": [f.value for f in rows],
            "margin": [f.margin for f in rows] if margins else None,
            "text": [f"{self.value_text(f)} (n = {self.t.integer(f.n)})" if n else self.value_text(f) for f in rows],
        }

    def _has_comments(self, metric: str) -> bool:
        return any(c.metric == metric for c in self.figures.comments)

    def metric_page(self, source: m.MetricSource) -> Page:
        path = metric_path(source.id)
        figs = self.index.of_metric(source.id)
        series, note = self.metric_series(source, figs)
        charts = []
        chart = None
        if series:
            suffix = source.kind.suffix or ("%" if source.unit == "%" else "")
            chart = self.chart(
                path,
                "metric",
                time_series(
                    series,
                    self.style,
                    y_title=self.metric_label(source.id),
                    y_suffix=suffix,
                    bars=source.kind.staged,
                    scale=source.kind.value_range,
                ),
                self.t("chart.metric", title=self.metric_label(source.id)),
                height=320,
                note=note,
            )
            charts.append(chart)
        over_time, over_time_pager = self.metric_table(source, "over-time", 1, path)
        breakdown, breakdown_pager = self.metric_table(source, "breakdown", 1, path)
        target = self.cfg.targets.get(source.id) or self.cfg.targets.get(source.type)
        context: MetricContext = {
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
                "comments_url": relative_url(path, f"comments/{source.id}.html") if self._has_comments(source.id) else "",
                "json_url": relative_url(path, "data/figures.json"),
                "count": len(figs),
                "warehouse": source.warehouse or "",
                "fetched": self.fetched_text(source.id),
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
                if f.period != ALL and f.segment is None and f.variant is None and (source.kind.staged or f.journey is None)
            ]
            overall = [f for f in figs if f.period == ALL]
            shortened = len(overall) > BREAKDOWN_LIMIT
            if shortened:  # stages and touchpoints are on the journey pages and in the CSV
                overall = [f for f in overall if f.touchpoint is None and (f.stage is None or source.kind.staged)]
            same: dict[Key, Same] = {}
            if not source.kind.staged:
                overall, same = without_repeats(overall)
            return {"over-time": shown, "breakdown": overall, "shortened": shortened, "same": same}

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
                "same": chosen["same"],
            }
        return self._metric_rows[source.id]

    def metric_table(self, source: m.MetricSource, table: str, number: int, page: str) -> tuple[list[dict], Pager | None]:
        """Give the rows that page `number` of one of a metric's tables shows, and the table's pager."""
        pages = self.metric_table_pages(source, table)
        same = self.metric_rows(source)["same"] if table == "breakdown" else {}
        rows = [
            self.figure_view(f, source.id, page)
            | {
                "place": self._place_name(f.journey, f.stage, f.touchpoint),
                "segment": f.segment or "",
                "variant": f.variant or "",
                "same_as": self.same_as_text(same.get(_key(f), ())),
            }
            for f in self.metric_rows(source)[table][pages.rows(number)]
        ]
        return rows, self.pager(pages, number, self.t(METRIC_TABLES[table]))

    def same_as_text(self, same: Same) -> str:
        """Give what a breakdown row also stands for, in words ('also the whole stage and the group parents: the
        same answers'), or "" for a row that stands for its own place and group only."""
        if not same:
            return ""
        parts = []
        for kind, name, wider in same:
            if kind == "place":
                parts.append(self.t(f"metric.same.{name}"))
            elif wider:
                places = self._listed([self.t(f"metric.same.{level}") for level in wider])
                parts.append(self.t(f"metric.same.{kind}_wider", name=name, places=places))
            else:
                parts.append(self.t(f"metric.same.{kind}", name=name))
        return self.t("metric.same", levels=self._listed(parts))

    def _listed(self, names: list[str]) -> str:
        return names[0] if len(names) == 1 else self.t("metric.same.and", first=", ".join(names[:-1]), last=names[-1])

    def metric_table_page(self, source: m.MetricSource, table: str, number: int) -> Page:
        """Give a further page (number 2 and on) of one of a metric page's tables."""
        path = self.metric_table_pages(source, table).path(number)
        rows, pager = self.metric_table(source, table, number, path)
        label, title = self.metric_label(source.id), self.t(METRIC_TABLES[table])
        context: MetricTableContext = {
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
