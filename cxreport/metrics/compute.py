"""compute_figures: every figure of every metric, in one GROUPING SETS query per metric, sorted."""

from __future__ import annotations

from itertools import pairwise, product

from .. import stats
from ..collector import paused
from ..figures import Comment, DriverResult, Figure, FigureSet
from ..loader import Project
from ..model import MetricSource
from .coding import code_counts
from .experiments import experiment_results
from .join import MetricData, MetricTable
from .sql import lit, period_label_sql


def compute_figures(project: Project, data: MetricData) -> FigureSet:
    """Give every figure (FORMAT.md, figures.json) and experiment result, sorted so two builds give the same order.

    Metrics with row problems have no figures (the build stops on them anyway).
    """
    figures: list[Figure] = []
    codes, comments = [], []
    with paused():
        for table in sorted(data.tables.values(), key=lambda t: t.index):  # metrics in the order site.yml declares them
            if table.ok:
                figures.extend(_metric_figures(project, data, table))
                if table.comments is not None:
                    ids = list(project.config.codes)
                    grouped, model = table.source.type == "nps", data.index.default_model
                    codes.extend(code_counts(data.con, table.comments, table.source.id, table.places, ids, grouped, model))
                    comments.extend(_comments(data, table, ids))
    experiments = experiment_results(project, data)
    fetched = {t.source.id: t.fetched_at for t in data.tables.values() if t.fetched_at is not None}
    dues = [t.due for t in data.tables.values() if t.due is not None]
    drivers: list[DriverResult] = []
    notes: dict[str, tuple] = {}
    if project.config.drivers:
        from .drivers import driver_results  # numpy takes 65 ms to import: only a project with a driver analysis

        drivers, notes = driver_results(project, data, figures)
    return FigureSet(
        tuple(figures),
        tuple(experiments.rows),
        experiments.verdicts,
        fetched,
        min(dues) if dues else None,
        segment_verdicts=experiments.segment_verdicts,
        plans=tuple(experiments.plans),
        drivers=tuple(drivers),
        driver_notes=notes,
        codes=tuple(codes),
        comments=tuple(comments),
    )


def _comments(data: MetricData, table: MetricTable, codes: list[str]) -> list[Comment]:
    """Give a metric's published comments in file order, each with the ids of the codes it mentions."""
    # code ids hold no comma (model.ID_PATTERN); concat_ws leaves out the codes that do not match
    matched = ", ".join(f"CASE WHEN code_{k} THEN {lit(c)} END" for k, c in enumerate(codes))
    listed = f"concat_ws(',', {matched})" if codes else "''"
    rows = data.con.execute(
        f"SELECT respondent, strftime(day, '%Y-%m-%d'), journey, stage, touchpoint, segment, grp, score, text, {listed} "
        f"FROM {table.comments} ORDER BY rid"
    ).fetchall()
    metric = table.source.id
    out = []
    for respondent, day, journey, stage, touchpoint, segment, group, score, text, matched_ids in rows:
        ids = tuple(matched_ids.split(",")) if matched_ids else ()
        out.append(Comment(metric, respondent, day, journey, stage, touchpoint, segment, group, score, text, ids))
    return out


def grouping_sets(table: MetricTable) -> tuple[list[str], list[tuple[str, ...]]]:
    """Give the key columns and the grouping sets of a metric (FORMAT.md: which rows exist).

    Period: each period and all. Place: none, journey, journey + stage, journey + stage +
    touchpoint, as far as the file's columns reach (a funnel only at levels with a stage).
    Segment and variant: none and each, when the file has the column.
    """
    places = table.places
    levels = [places[:k] for k in range(len(places) + 1)]
    if table.source.kind.staged:
        levels = [lv for lv in levels if "stage" in lv]
    extras = [[(), (k,)] if table.has(k) else [()] for k in ("segment", "variant")]
    periods = [()] if table.layout.dateless else [("period",), ()]  # no date: the whole time only
    sets = [p + lv + s + v for p, lv, s, v in product(periods, levels, *extras)]
    keys = ([] if table.layout.dateless else ["period"]) + [*places] + [k for k in ("segment", "variant") if table.has(k)]
    return keys, sets


def _metric_figures(project: Project, data: MetricData, table: MetricTable) -> list[Figure]:
    source = table.source
    keys, sets = grouping_sets(table)
    place_keys = [k for k in keys if k != "period"]
    label = period_label_sql("period", source.period)
    outer = ", ".join(k if k in keys else f"NULL AS {k}" for k in ("journey", "stage", "touchpoint", "segment", "variant"))
    # an empty tally still gives the empty grouping set one row, of NULLs: sum(w) > 0 drops it
    having = " AND ".join([f"NOT (GROUPING({k}) = 0 AND {k} IS NULL)" for k in place_keys] + ["sum(w) > 0"])
    a_type = source.kind.result_type  # exact sums, cast once: Python gets plain numbers

    def query(grouped: list[tuple[str, ...]], per_period: bool) -> str:
        every, period = ("0", "period") if per_period else ("1", "NULL::DATE")
        where = "WHERE period BETWEEN ? AND ?" if per_period else ""
        # the order of figures.json: 'all' before the periods in time order, then journeys by id, stages in their
        # model's order, touchpoints in their map's order, segments and variants by name; none before any
        return f"""
            WITH g AS (
                SELECT {every} AS every, {period} AS period, {outer}, sum(w)::BIGINT AS n, sum(a)::{a_type} AS a,
                       sum(b)::BIGINT AS b, sum(m)::BIGINT AS m
                FROM {table.joined} {where}
                GROUP BY GROUPING SETS ({", ".join("(" + ", ".join(s) + ")" for s in grouped)})
                HAVING {having})
            SELECT CASE WHEN every = 1 THEN 'all' ELSE {label} END, g.journey, g.stage, g.touchpoint, g.segment,
                   g.variant, n, a, b, m
            FROM g LEFT JOIN cx_journeys jm ON jm.journey = g.journey
            LEFT JOIN cx_model_stages ms ON ms.model = coalesce(jm.model, {lit(data.index.default_model)})
                 AND ms.stage = g.stage
            LEFT JOIN cx_touchpoints tp ON tp.journey = g.journey AND tp.touchpoint = g.touchpoint
            ORDER BY every DESC, period, g.journey NULLS FIRST, ms.ord NULLS FIRST, g.stage NULLS FIRST,
                     tp.ord NULLS FIRST, g.touchpoint NULLS FIRST, g.segment NULLS FIRST, g.variant NULLS FIRST"""

    def batches():
        yield from _batches(data.con.execute(query([s for s in sets if "period" not in s], False)))
        dated = [s for s in sets if "period" in s]
        if dated:  # a run of periods at a time, in time order: DuckDB holds one run's groups, not half a million
            sql = query(dated, True)
            for first, last in _period_runs(data, table):
                yield from _batches(data.con.execute(sql, [first, last]))

    target = project.config.targets.get(source.id) or project.config.targets.get(source.type)
    return _figures(source, batches(), target.status if target is not None else None)


def _period_runs(data: MetricData, table: MetricTable, rows: int = 20_000) -> list[tuple]:
    """Give the metric's periods as runs (first, last) in time order, each of about `rows` rows of its tally."""
    runs: list[tuple] = []
    first, count = None, 0
    for period, n in data.con.execute(
        f"SELECT period, count(*) FROM {table.joined} WHERE period IS NOT NULL GROUP BY period ORDER BY period"
    ).fetchall():
        first = period if first is None else first
        count += n
        if count >= rows:
            runs.append((first, period))
            first, count = None, 0
    if first is not None:
        runs.append((first, period))
    return runs


def _batches(result, size: int = 65_536):
    """Give a query's rows a batch (a list) at a time: half a million rows as Python tuples at once would double
    the memory."""
    while batch := result.fetchmany(size):
        yield batch


def _figures(source: MetricSource, batches, status) -> list[Figure]:
    """Give the figures of a metric's rows (period, journey, stage, touchpoint, segment, variant, n, a, b, m), given
    in batches.

    One tight loop per metric: at 10 million responses a handbook has half a million figures.
    """
    metric, kind = source.id, source.type
    formula = source.kind.formula
    judged = status if not source.kind.staged else None  # a count per stage is judged on its conversion
    shared: dict[str, str] = {}  # one string object per distinct period and id, not one per figure (memory)
    one = shared.setdefault
    new = tuple.__new__
    out: list[Figure] = []
    add = out.append
    survey = source.survey
    for batch in batches:
        for period, journey, stage, touchpoint, segment, variant, n, a, b, m in batch:
            n, value, margin = formula(n, a, b)
            add(
                new(
                    Figure,
                    (
                        metric,
                        kind,
                        one(period, period),
                        journey and one(journey, journey),
                        stage and one(stage, stage),
                        touchpoint and one(touchpoint, touchpoint),
                        segment and one(segment, segment),
                        variant and one(variant, variant),
                        n,
                        value,
                        margin,
                        None,
                        judged(value) if judged is not None else None,
                        m if survey else None,
                    ),
                )
            )
    if source.kind.staged:
        out = _with_conversion(out, status)
    return out


def _with_conversion(figures: list[Figure], status) -> list[Figure]:
    """Give funnel figures with each stage's share of the previous stage present (model order, same journey, period,
    segment, variant) and the status of that share against the target."""
    groups: dict[tuple, list[int]] = {}
    for i, f in enumerate(figures):
        if f.touchpoint is None:
            groups.setdefault((f.period, f.journey, f.segment, f.variant), []).append(i)
    for stages in groups.values():  # in the model's order already: the query sorts them so
        for before, i in pairwise(stages):
            conversion = stats.share(figures[i].value, figures[before].value)
            figures[i] = figures[i]._replace(conversion=conversion)
    if status is not None:
        figures = [f._replace(status=status(100 * f.conversion)) if f.conversion is not None else f for f in figures]
    return figures
