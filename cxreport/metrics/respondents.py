"""Respondents: within one metric a respondent id occurs at most once (FORMAT.md, columns.respondent)."""

from __future__ import annotations

import duckdb

from ..model import MetricSource
from ..problems import Problems
from . import rowcheck, where
from .files import FileRef
from .layout import Layout
from .read import cells_sql
from .sql import one_row


def check_respondents(
    con: duckdb.DuckDBPyConnection, name: str, file: FileRef, layout: Layout, source: MetricSource, problems: Problems
) -> bool:
    """Report each respondent id that occurs on a second row, naming both rows; give whether every id is unique.

    Survey previews, tests and spam are left out, as for the figures; a row without an id is no problem.
    """
    column = layout.columns["respondent"]
    # the usual case first: one hash table over the ids, no row numbers (for a CSV read as it streams, giving each
    # row its place would take a window over the whole file)
    plain = cells_sql(file, layout, source, with_rid=False, extra=("respondent",))
    ids = f"SELECT trim(respondent) AS id FROM ({plain}) WHERE respondent IS NOT NULL AND trim(respondent) <> ''"
    if one_row(con, f"SELECT count(*) = count(DISTINCT id) FROM ({ids})")[0]:
        return True
    cells = cells_sql(file, layout, source, with_rid=True, extra=("respondent",))
    dupes = con.execute(
        f"""WITH r AS (SELECT rid, trim(respondent) AS id FROM ({cells}) WHERE respondent IS NOT NULL AND trim(respondent) <> ''),
            n AS (SELECT id, rid, row_number() OVER (PARTITION BY id ORDER BY rid) AS k, min(rid) OVER (PARTITION BY id) AS first
                  FROM r QUALIFY count(*) OVER (PARTITION BY id) > 1)
            SELECT id, rid, first, count(*) OVER () FROM n WHERE k > 1 ORDER BY rid LIMIT {rowcheck.LIMIT + 1}"""
    ).fetchall()
    if not dupes:
        return True
    total = dupes[0][3]
    lines = where.places(con, name, file, layout, [r for _, rid, first, _ in dupes for r in (rid, first)])
    col = column + 1
    header = layout.headers[column]
    out = []
    for rid, first in ((d[1], d[2]) for d in dupes):
        line, spans = lines.get(rid, (0, False))
        first_line = lines.get(first, (0, False))[0]
        first_at = (f"line {first_line}" if layout.kind == "csv" else f"row {first_line}") if first_line else "an earlier row"
        value = next(d[0] for d in dupes if d[1] == rid)
        out.append(
            (
                line,
                col,
                f"respondent '{value}' in column '{header}' occurs again: first on {first_at}",
                "a respondent answers a metric once; remove the second response, or map the column that identifies "
                "each response under 'columns: respondent:'",
                where.suffix(layout, line, col, spans) if line else where.unplaced(layout, rid),
                "csv-duplicate-respondent",
            )
        )
    rowcheck.report(problems, file.rel, out, total)
    return False
