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
        # by every place (a tuple per figure as the key cost 70 MB at L); series: metric, journey, stage,
        # touchpoint, segment
        self.set = figures
        self._by_place: dict[tuple, dict[tuple, Figure]] = {}
        self._by_metric: dict[str, list[Figure]] = defaultdict(list)
        self._series: dict[tuple, list[Figure]] = defaultdict(list)
        by_place, by_metric, series = self._by_place, self._by_metric, self._series
        place_key, inner_key, series_key = itemgetter(0, 3, 4, 5), itemgetter(2, 6, 7), itemgetter(0, 3, 4, 5, 6)
        shared: dict[tuple, tuple] = {}
        one = shared.setdefault
        for f in figures.figures:
            at = by_place.get(place := place_key(f))
            if at is None:
                at = by_place[place] = {}
            key = inner_key(f)
            at[one(key, key)] = f
            by_metric[f[0]].append(f)
            if f[2] != ALL and f[7] is None:
                series[series_key(f)].append(f)
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
        at = self._by_place.get((metric, journey, stage, touchpoint))
        return at.get((period, segment, variant)) if at is not None else None

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
