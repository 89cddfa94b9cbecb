"""Experiment results: each variant's rate, lift against the control, 95% interval and p-value, and a verdict.

Results come from an experiment playbook's inline `results`, or from a value metric with a
variant column (value 1 = a conversion), then also per period and per segment: the question
is what works where, when and for whom.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .. import stats
from ..figures import PlanResult, VariantResult
from ..loader import Project
from ..model import Experiment
from .join import MetricData, MetricTable
from .sql import period_label_sql

ALL = "all"


@dataclass
class Results:
    """Every experiment's rows (sorted), a verdict per experiment and per segment of it, and the plans."""

    rows: list[VariantResult] = field(default_factory=list)
    verdicts: dict[str, str] = field(default_factory=dict)
    segment_verdicts: dict[str, dict[str, str]] = field(default_factory=dict)
    plans: list[PlanResult] = field(default_factory=list)


def experiment_results(project: Project, data: MetricData) -> Results:
    """Give every experiment's variant results (sorted), its verdicts and its plan (FORMAT.md, Experiments)."""
    out = Results()
    for pb in sorted((p for p in project.playbooks.values() if isinstance(p, Experiment)), key=lambda p: p.id):
        groups: dict[tuple[str, str | None], dict[str, tuple[int, int]]] = {}
        control = pb.control
        if pb.results:
            control = control if control in pb.results else next(iter(pb.results))
            groups[(ALL, None)] = {name: (r.n, r.conversions) for name, r in pb.results.items()}
        elif pb.metric and control:
            table = data.tables.get(pb.metric)
            if table is not None and table.ok and table.has("variant"):
                groups = _metric_groups(data, table)
        rows = with_holm([r for key in sorted(groups, key=_group_key) for r in _compare_group(pb.id, control, key, groups[key])])
        out.rows.extend(rows)
        out.verdicts[pb.id] = verdict_of([r for r in rows if r.period == ALL and r.segment is None], control)
        segments = sorted({r.segment for r in rows if r.period == ALL and r.segment is not None})
        if segments:
            out.segment_verdicts[pb.id] = {
                s: segment_verdict([r for r in rows if r.period == ALL and r.segment == s], control) for s in segments
            }
        if pb.plan is not None:
            plan = pb.plan
            needed = stats.needed_per_variant(plan.baseline, plan.mde, plan.power, plan.alpha)
            out.plans.append(PlanResult(pb.id, plan.baseline, plan.mde, plan.power, plan.alpha, needed))
    return out


def with_holm(rows: list[VariantResult]) -> list[VariantResult]:
    """Give one experiment's rows with p_holm: Holm's adjustment over its rows of period 'all' (every segment and
    none), None where there is no p-value and on the per-period rows."""
    family = [i for i, r in enumerate(rows) if r.period == ALL and r.p_value is not None]
    adjusted = stats.holm([rows[i].p_value for i in family])
    out = list(rows)
    for i, p in zip(family, adjusted, strict=True):
        out[i] = dataclasses.replace(rows[i], p_holm=p)
    return out


def segment_verdict(rows: list[VariantResult], control: str | None) -> str:
    """Give a segment's verdict: its best variant (highest rate) against the control, 'better' or 'worse' only when
    p_holm < 0.05 (corrected for every comparison of the experiment), by the sign of the difference."""
    variants = [r for r in rows if r.variant != control and r.rate is not None and r.p_holm is not None]
    if not variants:
        return "no_data"
    best = min(variants, key=lambda r: (-(r.rate or 0.0), r.variant))
    if best.p_holm is None or best.p_holm >= 0.05 or best.ci_low is None or best.ci_high is None:
        return "inconclusive"
    diff = best.ci_low + best.ci_high  # twice the difference: the interval is symmetric around it
    return "better" if diff > 0 else "worse" if diff < 0 else "inconclusive"


def _metric_groups(data: MetricData, table: MetricTable) -> dict[tuple[str, str | None], dict[str, tuple[int, int]]]:
    """Give (period, segment) -> variant -> (n, conversions) from a value metric: all; each period; each segment."""
    sets = ["(variant)", "(period, variant)"] + (["(segment, variant)"] if table.has("segment") else [])
    label = period_label_sql("period", table.source.period)
    rows = data.con.execute(f"""
        SELECT CASE WHEN GROUPING(period) = 1 THEN 'all' ELSE {label} END, {"segment" if table.has("segment") else "NULL"},
               variant, sum(w)::BIGINT, sum(a)::BIGINT
        FROM {table.joined} GROUP BY GROUPING SETS ({", ".join(sets)}) HAVING variant IS NOT NULL AND sum(w) > 0""").fetchall()
    groups: dict[tuple[str, str | None], dict[str, tuple[int, int]]] = {}
    for period, segment, variant, n, conversions in rows:
        groups.setdefault((period, segment), {})[variant] = (int(n), int(conversions))
    return groups


def _group_key(key: tuple[str, str | None]) -> tuple:
    period, segment = key
    return ((0, "") if period == ALL else (1, period), (0, "") if segment is None else (1, segment))


def _compare_group(
    experiment: str, control: str | None, key: tuple[str, str | None], variants: dict[str, tuple[int, int]]
) -> list[VariantResult]:
    """Give one period's and segment's rows: the control first, then each variant against it."""
    period, segment = key
    control = control or ""  # no control: the variants have rates only
    base = variants.get(control) if control else None
    out = []
    if base is not None:
        n, conv = base
        out.append(
            VariantResult(experiment, control, control, period, segment, n, conv, stats.share(conv, n), None, None, None, None)
        )
    for name in sorted(v for v in variants if v != control):
        n, conv = variants[name]
        if base is None:
            out.append(
                VariantResult(experiment, name, control, period, segment, n, conv, stats.share(conv, n), None, None, None, None)
            )
            continue
        c = stats.compare(base[1], base[0], conv, n)
        out.append(
            VariantResult(experiment, name, control, period, segment, n, conv, c.rate, c.lift, c.ci_low, c.ci_high, c.p_value)
        )
    return out


def verdict_of(rows: list[VariantResult], control: str | None) -> str:
    """Give 'better', 'worse', 'inconclusive' or 'no_data' for the best variant (highest rate) against the control.

    'better' only when the whole 95% interval of p_v - p_c lies above 0, 'worse' when it lies
    below: a verdict never claims a winner when the interval crosses 0.
    """
    variants = [r for r in rows if r.variant != control and r.rate is not None and r.ci_low is not None]
    if not variants:
        return "no_data"
    best = min(variants, key=lambda r: (-(r.rate or 0.0), r.variant))  # the highest rate; on a tie the first by name
    return stats.verdict(best.ci_low, best.ci_high)
