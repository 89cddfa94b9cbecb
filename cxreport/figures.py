"""The figures a build computed: the typed result between the metric stage and rendering.

The metric engine (cxreport.metrics) produces a FigureSet; the site renders it and
writes it as output/data/figures.json and experiments.json (FORMAT.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .kinds import KINDS


class Figure(NamedTuple):
    """One figure: a metric for one period and one place in the map (and segment, variant).

    A named tuple: a large handbook has hundreds of thousands of figures, each made straight from a row
    of the metric engine (no __dict__, no per-field __setattr__ as a frozen dataclass would do).
    """

    metric: str
    type: str  # a metric kind: nps | csat | ces | funnel | value (cxreport/kinds.py)
    period: str  # '2026-03', '2026-Q1', '2026-W07' or 'all'
    journey: str | None
    stage: str | None
    touchpoint: str | None
    segment: str | None
    variant: str | None
    n: int
    value: float
    margin: float | None  # 95% margin of error (the kinds with a margin: nps, csat, ces), else None
    conversion: float | None = None  # a kind counted per stage (funnel) only: share of the previous stage's count
    status: str | None = None  # 'good' | 'neutral' | 'bad' from site targets, None without a target
    missing: int | None = None  # survey exports (format or missing:): rows of this group not answered; n answered

    @property
    def asked(self) -> int | None:
        """Give how many were asked (answered + not answered) for a survey metric, else None."""
        return None if self.missing is None else self.n + self.missing

    @property
    def small_sample(self) -> bool:
        """Tell whether fewer responses stand behind this figure than its kind's rule asks (nps, csat, ces: 30)."""
        return self.n < KINDS[self.type].small_sample


@dataclass(frozen=True)
class VariantResult:
    """One experiment variant's result in one period and segment."""

    experiment: str
    variant: str
    control: str
    period: str
    segment: str | None
    n: int
    conversions: int
    rate: float | None
    lift: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_holm: float | None = None  # p_value adjusted by Holm over the experiment's rows of period 'all'


@dataclass(frozen=True)
class PlanResult:
    """An experiment's plan: the visitors each variant needs (FORMAT.md, Experiments, version 2)."""

    experiment: str
    baseline: float
    mde: float
    power: float
    alpha: float
    needed_per_variant: int


@dataclass(frozen=True)
class DriverResult:
    """One driver of one driver analysis (FORMAT.md, Driver analysis): its pairing with the outcome, its weight."""

    analysis: str
    outcome: str
    driver: str
    n: int  # respondents who answered the driver and the outcome
    r: float | None
    r_low: float | None
    r_high: float | None
    n_complete: int  # respondents who answered the outcome and every driver
    r2: float | None
    weight: float | None
    share: float | None
    performance: float | None  # the driver metric's own figure (period all, no place, no segment)


class CodeCount(NamedTuple):
    """One row of codes.json: how many comments at a place and NPS group mention a code (metrics/coding.py)."""

    metric: str
    period: str  # 'all'
    journey: str | None
    stage: str | None
    touchpoint: str | None
    group: str | None  # None, or for nps: 'promoter' | 'passive' | 'detractor'
    code: str
    comments: int
    mentions: int
    share: float
    margin: float


class Comment(NamedTuple):
    """A respondent's comment as it may be published: redacted (metrics/redact.py), with the codes it mentions."""

    metric: str
    respondent: str | None
    day: str | None  # ISO date, None for a metric without dates
    journey: str | None
    stage: str | None
    touchpoint: str | None
    segment: str | None
    group: str | None  # the NPS group, None for other kinds and for a comment without a score
    score: float | None
    text: str  # redacted
    codes: tuple[str, ...]  # code ids, in the coding frame's order


@dataclass(frozen=True)
class FigureSet:
    """Every figure and experiment result of a build, sorted, plus a verdict per experiment."""

    figures: tuple[Figure, ...] = ()
    experiments: tuple[VariantResult, ...] = ()
    verdicts: Mapping[str, str] = field(default_factory=dict)  # experiment id -> verdict key
    fetched: Mapping[str, str] = field(default_factory=dict)  # warehouse metric id -> when its tally was fetched (UTC)
    due: float | None = None  # when the first warehouse tally is older than its max_age (seconds since the epoch)
    segment_verdicts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # experiment -> segment -> verdict
    plans: tuple[PlanResult, ...] = ()
    drivers: tuple[DriverResult, ...] = ()
    # analysis id -> why its weights are not shown: ('ok',), ('no-answers',), ('few', n), ('constant', ids…),
    # ('collinear', ids…)
    driver_notes: Mapping[str, tuple] = field(default_factory=dict)
    codes: tuple[CodeCount, ...] = ()  # codes.json, metrics in site.yml's order
    comments: tuple[Comment, ...] = ()  # every published comment, metrics in site.yml's order, each in file order

    def select(self, metric: str | None = None, **keys) -> list[Figure]:
        """Give the figures matching a metric and exact key values (None included), e.g. segment=None."""
        out = []
        for f in self.figures:
            if metric is not None and f.metric != metric:
                continue
            if all(getattr(f, k) == v for k, v in keys.items()):
                out.append(f)
        return out
