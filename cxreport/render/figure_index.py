"""The FigureSet looked up by its keys, built once per figure set."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from ..collector import paused
from ..figures import Figure, FigureSet, VariantResult

ALL = "all"


class FigureIndex:
    """The FigureSet looked up by its keys, built once (select() walks every figure on each call)."""

    def __init__(self, figures: FigureSet) -> None:
        # keys taken from the figure tuples by position (C speed: half a million figures at 1,000 journeys):
        # by place (metric, journey, stage, touchpoint), then by (period, segment, variant), those keys shared
        # by every place (a tuple per figure as the key cost 70 MB at L). Only this is made before the page
        # workers are forked; a metric's figures, segments and a place's series are made when first asked for
        # (mostly in the workers, each for its own pages, in parallel)
        self.set = figures
        self._by_place: dict[tuple, dict[tuple, Figure]] = {}
        by_place = self._by_place
        place_key, inner_key = itemgetter(0, 3, 4, 5), itemgetter(2, 6, 7)
        shared: dict[tuple, tuple] = {}
        one = shared.setdefault
        for f in figures.figures:
            at = by_place.get(place := place_key(f))
            if at is None:
                at = by_place[place] = {}
            key = inner_key(f)
            at[one(key, key)] = f
        self._by_metric: dict[str, list[Figure]] | None = None
        self._segments: dict[str, list[str]] = {}
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
        at = self._by_place.get((metric, journey, stage, touchpoint))
        return at.get((period, segment, variant)) if at is not None else None

    def of_metric(self, metric: str) -> list[Figure]:
        if self._by_metric is None:
            by_metric: dict[str, list[Figure]] = defaultdict(list)
            for f in self.set.figures:
                by_metric[f[0]].append(f)
            self._by_metric = by_metric
        return self._by_metric.get(metric, [])

    def over_time(
        self,
        metric: str,
        journey: str | None = None,
        stage: str | None = None,
        touchpoint: str | None = None,
        segment: str | None = None,
    ) -> list[Figure]:
        """Give a place's figures per period (not 'all'), oldest first (of the segment, without a variant)."""
        at = self._by_place.get((metric, journey, stage, touchpoint))
        if at is None:
            return []
        rows = [f for (period, g, v), f in at.items() if g == segment and v is None and period != ALL]
        rows.sort(key=itemgetter(2))  # by period (in that order already from the metric stage: cheap)
        return rows

    def segments(self, metric: str) -> list[str]:
        if metric not in self._segments:
            self._segments[metric] = sorted({f.segment for f in self.of_metric(metric) if f.segment is not None})
        return self._segments[metric]

    def experiment(self, experiment: str) -> list[VariantResult]:
        return self._experiments.get(experiment, [])

    def __len__(self) -> int:
        return len(self.set.figures)
