"""Driver analyses: the drivers page, each analysis's importance–performance chart with its table, and the links
to it from journeys, touchpoints and personas (FORMAT.md, Driver analysis; docs/metrics.md)."""

from __future__ import annotations

import functools
from typing import Any

from ... import model as m
from ...figures import DriverResult
from ...kinds import KINDS
from ..charts import Chart, importance_performance
from ..contexts import DriversContext
from ..metric_views import MetricViews
from ..page import Page
from ..paths import journey_path, metric_path, relative_url

DRIVERS_PATH = "drivers/index.html"
LOWER_IS_BETTER = frozenset({"ces"})  # effort: a low score is the good one


def drivers_path(analysis_id: str) -> str:
    return f"{DRIVERS_PATH}#drivers-{analysis_id}"


class DriverPages(MetricViews):
    """The drivers page and what other pages show of the driver analyses."""

    @functools.cached_property
    def _driver_rows(self) -> dict[str, list[DriverResult]]:
        rows: dict[str, list[DriverResult]] = {}
        for r in self.figures.drivers:
            rows.setdefault(r.analysis, []).append(r)
        return rows

    def relative_performance(self, metric_id: str, value: float | None) -> float | None:
        """Give a figure as a share of its scale, 0 the worst and 100 the best (NPS -100..100, CES 7..1)."""
        source = self.project.metric(metric_id)
        if source is None or value is None or source.kind.value_range is None:
            return None
        low, high = source.kind.value_range
        share = (value - low) / (high - low) * 100
        return round(100 - share if source.type in LOWER_IS_BETTER else share, 4)

    def performance_text(self, metric_id: str, value: float | None) -> str:
        source = self.project.metric(metric_id)
        if source is None or value is None:
            return "–"
        kind = KINDS[source.type]
        return self.t.number(value, kind.shown_decimals if kind.shown_decimals is not None else 1) + kind.suffix

    def improve_first(self, rows: list[DriverResult]) -> list[str]:
        """Give the drivers to improve first: more than an equal share, and a performance below the drivers' mean."""
        places = [self.relative_performance(r.driver, r.performance) for r in rows]
        known = [p for p in places if p is not None]
        if not rows or len(known) != len(rows) or any(r.share is None for r in rows):
            return []
        mean = sum(known) / len(known)
        return [
            r.driver for r, p in zip(rows, places, strict=True) if (r.share or 0) > 1 / len(rows) and p is not None and p < mean
        ]

    def note_text(self, note: tuple) -> str:
        key, *ids = note
        if key == "ok":
            return ""
        if key == "few":
            return self.t("drivers.note.few", n=self.t.integer(ids[0]))
        names = ", ".join(self.metric_label(i) for i in ids)
        return self.t(f"drivers.note.{key}", names=names)

    def analysis_view(self, analysis: m.DriverAnalysis, page: str, name: str) -> tuple[dict[str, Any], Chart | None]:
        """Give one analysis as a page shows it (its table, its sentence, its chart) and the chart, if it is sound."""
        rows = self._driver_rows.get(analysis.id, [])
        note = self.figures.driver_notes.get(analysis.id, ("no-answers",))
        first = self.improve_first(rows)
        outcome = self.metric_label(analysis.outcome)
        table = []
        for r in rows:
            interval = (
                self.t("drivers.interval", low=self.t.number(r.r_low, 2), high=self.t.number(r.r_high, 2))
                if r.r_low is not None and r.r_high is not None
                else "–"
            )
            table.append(
                {
                    "driver": self.metric_label(r.driver),
                    "url": relative_url(page, metric_path(r.driver)),
                    "n_text": self.t.integer(r.n),
                    "r_text": self.t.number(r.r, 2) if r.r is not None else "–",
                    "interval_text": interval,
                    "share_text": self.t.percent(r.share, 1) if r.share is not None else "–",
                    "performance_text": self.performance_text(r.driver, r.performance),
                    "first": r.driver in first,
                }
            )
        sound = note[0] == "ok" and bool(rows) and all(r.share is not None for r in rows)
        if not sound:
            sentence = ""
        elif first:
            sentence = self.t("drivers.first", names=", ".join(self.metric_label(d) for d in first), outcome=outcome)
        else:
            sentence = self.t("drivers.none_first", outcome=outcome)
        chart = None
        if sound:
            points = [
                {
                    "name": self.metric_label(r.driver),
                    "x": self.relative_performance(r.driver, r.performance),
                    "y": round((r.share or 0.0) * 100, 4),
                    "first": r.driver in first,
                    "text": self.t(
                        "drivers.point",
                        name=self.metric_label(r.driver),
                        share=self.t.percent(r.share, 1),
                        performance=self.performance_text(r.driver, r.performance),
                    ),
                }
                for r in rows
            ]
            points = [point for point in points if point["x"] is not None]  # a driver without figures has no place
            figure = importance_performance(
                points, self.style, x_title=self.t("drivers.x_title"), y_title=self.t("drivers.y_title")
            )
            chart = self.chart(page, name, figure, self.t("chart.drivers", title=analysis.title), height=360)
        journey = self.project.journeys.get(analysis.journey) if analysis.journey else None
        r2 = rows[0].r2 if rows else None
        view = {
            "id": analysis.id,
            "anchor": f"drivers-{analysis.id}",
            "title": analysis.title,
            "outcome": {"label": outcome, "url": relative_url(page, metric_path(analysis.outcome))},
            "journey": {"title": journey.title, "url": relative_url(page, journey_path(journey.id))} if journey else None,
            "url": relative_url(page, drivers_path(analysis.id)),
            "n_complete_text": self.t.integer(rows[0].n_complete if rows else 0),
            "r2_text": self.t.percent(r2, 1) if r2 is not None else "",
            "note": self.note_text(note),
            "sound": sound,
            "rows": table,
            "sentence": sentence,
            "chart": chart,
        }
        return view, chart

    def analyses_of_journey(self, journey_id: str, page: str) -> tuple[list[dict], list[Chart]]:
        """Give the views (and charts) of the analyses shown on a journey's page."""
        views, charts = [], []
        for a in self.cfg.drivers:
            if a.journey == journey_id:
                view, chart = self.analysis_view(a, page, f"drivers-{a.id}")
                views.append(view)
                if chart is not None:
                    charts.append(chart)
        return views, charts

    def driver_links(self, page: str, *, journey: str | None = None, touchpoint: str | None = None) -> list[dict]:
        """Give links to the analyses of a journey (its page, a persona's) or with a driver at one touchpoint."""
        out = []
        for a in self.cfg.drivers:
            if touchpoint is None:
                if a.journey != journey:
                    continue
            elif not any(self._measures(d, journey, touchpoint) for d in a.drivers):
                continue
            out.append({"title": a.title, "url": relative_url(page, drivers_path(a.id))})
        return out

    def _measures(self, metric_id: str, journey: str | None, touchpoint: str) -> bool:
        """Tell whether a metric is placed at a touchpoint: by `at:`, or by the touchpoint's own `metrics:`."""
        source = self.project.metric(metric_id)
        if source is not None and source.at is not None and (source.at.journey, source.at.touchpoint) == (journey, touchpoint):
            return True
        j = self.project.journeys.get(journey) if journey else None
        return j is not None and any(tp.id == touchpoint and metric_id in tp.metrics for _, tp in j.touchpoints())

    def drivers_page(self) -> Page:
        path = DRIVERS_PATH
        views, charts = [], []
        for a in self.cfg.drivers:
            view, chart = self.analysis_view(a, path, f"drivers-{a.id}")
            views.append(view)
            if chart is not None:
                charts.append(chart)
        context: DriversContext = {"analyses": views, "explain": self.t("drivers.explain")}
        return Page(path, "drivers.html", "drivers", self.t("nav.drivers"), context, tuple(charts))
