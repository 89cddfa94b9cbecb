"""A figure as the reader sees it: its value's text, its view, the headline figures of a place."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..figures import Figure
from ..kinds import KINDS
from .figure_index import ALL
from .paths import (
    metric_path,
    relative_url,
)
from .views import PlannerBase


def _auto_decimals(value: float) -> int:
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == int(magnitude):
        return 0 if magnitude == int(magnitude) else 1
    if magnitude >= 10:
        return 1
    if magnitude >= 1:
        return 2
    return 3


def _margin_decimals(metric_type: str) -> int:
    """Give the decimals of a margin on the site: those of the kind's values, else one."""
    shown = KINDS[metric_type].shown_decimals
    return 1 if shown is None else shown


HEADLINE_TYPES = tuple(name for name, kind in KINDS.items() if kind.headline)  # nps: the figure a place is known by


class MetricViews(PlannerBase):
    """Figures as text and views."""

    def value_text(self, f: Figure | None, value: float | None = None) -> str:
        """Give a figure's value as a reader expects it: NPS 31,8; CSAT 82,4%; CES 3,25; a value with its unit."""
        if f is None:
            return "–"
        v = f.value if value is None else value
        kind = KINDS[f.type]
        if kind.whole:
            return self.t.integer(v)
        if kind.shown_decimals is not None:
            return self.t.number(v, kind.shown_decimals) + kind.suffix
        source = self.project.metric(f.metric)
        unit = source.unit if source else None
        text = self.t.number(v, _auto_decimals(v))
        if unit:
            text += unit if unit == "%" else "\u00a0" + unit
        return text

    def margin_text(self, f: Figure | None) -> str:
        """Give a figure's margin as the site shows it: ± 7,4; or, when value ± margin runs past the scale (a small
        sample), the 95% interval cut at the scale's edge, so no figure reads as an NPS of 0 ± 138,6."""
        if f is None or f.margin is None:
            return ""
        decimals = _margin_decimals(f.type)
        scale = KINDS[f.type].value_range
        if scale is None or scale[0] <= f.value - f.margin and f.value + f.margin <= scale[1]:
            return "± " + self.t.number(f.margin, decimals)
        low, high = max(scale[0], f.value - f.margin), min(scale[1], f.value + f.margin)
        return self.t("figure.interval", low=self.t.number(low, decimals), high=self.t.number(high, decimals))

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
            "margin_text": self.margin_text(f),
            "answered_text": (
                self.t("figure.answered", n=self.t.integer(f.n), asked=self.t.integer(f.asked))
                if f and f.asked is not None
                else ""
            ),
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
        types: tuple[str, ...] = HEADLINE_TYPES,
        metric: str | None = None,
        segment: str | None = None,
    ) -> dict | None:
        """Give a place's headline figure: the latest period of its first headline metric (NPS), with its trend."""
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
