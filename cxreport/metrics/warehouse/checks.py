"""Row problems of a warehouse metric: counted on the received tally, each named with its values and counts.

The checks are a file's (rowcheck.checks): the same conditions over the same standard view. A warehouse has no
lines, so a problem is told at the metric's line in site.yml (its column's line when the column is mapped):
`metric 'nps-app': 12 rows: score '11' in column 'score' is out of range: an nps score is 0 to 10`.
"""

from __future__ import annotations

import duckdb

from ...loader import Project
from ...model import MetricSource
from ...problems import Problems
from .. import rowcheck
from ..layout import KEY_COLUMNS, Layout
from ..map_index import MapIndex
from .tally import rows_sql

EXAMPLES = 3  # values named per problem, the most frequent first


def _value_column(check: rowcheck.Check, source: MetricSource) -> str:
    if check.column == "date":
        return "date_raw"
    if check.column == source.kind.number:
        return "num_raw"
    return check.column


def report(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    i: int,
    source: MetricSource,
    layout: Layout,
    std: str,
    received: str,
    typed_date: bool,
    index: MapIndex,
    experiment: str | None,
    problems: Problems,
) -> bool:
    """Report the row problems of a warehouse metric; give whether it has none."""
    found = rowcheck.checks(source, layout, experiment, index)
    if rowcheck.count_problems(con, std, found) == 0:
        return _funnel_ok(con, project, i, source, layout, std, index, problems)
    rows = rows_sql(received, layout, source, typed_date)
    origin = project.site_origin
    reported = 0
    for check in found:
        value = _value_column(check, source)
        counted = con.execute(
            f"SELECT {value}, sum(w) AS n FROM ({rows}) x WHERE {check.condition} GROUP BY ALL ORDER BY n DESC, 1 NULLS FIRST"
        ).fetchall()
        if not counted:
            continue
        total = int(sum(n for _, n in counted))
        first = counted[0][0]
        values = dict.fromkeys(["date_raw", "num_raw", *KEY_COLUMNS])
        values[value] = first
        p = rowcheck.RowProblem(0, layout.col(check.column), check.column, check.kind, values)
        message, hint = rowcheck.describe(p, source, layout, index, experiment)
        others = [f"'{v}' ({int(n)})" for v, n in counted[1:EXAMPLES] if v is not None]
        more = (
            f"; also {', '.join(others)}" + (f" and {len(counted) - EXAMPLES} more values" if len(counted) > EXAMPLES else "")
            if others
            else ""
        )
        rows_word = "1 row" if total == 1 else f"{total} rows"
        keys = ("metrics", i, "columns", check.column)
        line, col = origin.at(*keys) if keys in origin.locator.values else origin.at("metrics", i)
        problems.error(
            origin.path, line, col, f"metric '{source.id}': {rows_word}: {message}{more}", hint, code=rowcheck.code_of(p, source)
        )
        reported += 1
    return reported == 0


def _funnel_ok(
    con: duckdb.DuckDBPyConnection,
    project: Project,
    i: int,
    source: MetricSource,
    layout: Layout,
    std: str,
    index: MapIndex,
    problems: Problems,
) -> bool:
    """Report the funnel stages whose count exceeds the stage before them; give whether there are none."""
    if not source.kind.staged:
        return True
    breaks = con.execute(rowcheck.funnel_breaks_sql(rowcheck.resolved_sql(std, layout), index, source.period)).fetchall()
    line, col = project.site_origin.at("metrics", i)
    for _, label, journey, segment, variant, stage, c, prev_stage, prev_c in breaks[: rowcheck.LIMIT]:
        within = ", ".join(
            [label] + [f"{w} '{v}'" for w, v in (("journey", journey), ("segment", segment), ("variant", variant)) if v]
        )
        problems.error(
            project.site_origin.path,
            line,
            col,
            f"metric '{source.id}': stage '{stage}' has {int(c)} ({within}), more than the {int(prev_c)} of the stage "
            f"before it, '{prev_stage}'",
            "no stage can be reached by more customers than the stage before it in the stage model; "
            "check the counts and the stage ids",
            code="funnel-order",
        )
    return not breaks
