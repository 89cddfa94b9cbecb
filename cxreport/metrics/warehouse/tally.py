"""The tally a warehouse sent, judged as a file's rows are: the same SQL reads its dates and scores.

The received rows (a few thousand: one per period or day, place, segment, variant and score) are loaded into
the build's DuckDB as table `wh_{i}` (RECEIVED columns), then made into the metric's standard form (read.py) by
the expressions that judge a file's cells, each received row weighing as many rows as it counts. Row problems
are counted, not located: a warehouse has no lines, so a problem names the metric, the column, the values
and how many rows have each.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import duckdb

from ...model import MetricSource
from ..layout import KEY_COLUMNS, Layout
from ..read import _missing_sql, _standard_select, _values_sql, judged_sql, keys_sql, number_sql_pair
from ..sql import (
    DATE_OK,
    NUM_EMPTY,
    NUM_MISSING,
    NUM_NEGATIVE,
    NUM_NOT_BINARY,
    NUM_NOT_WHOLE,
    NUM_OK,
    date_sql,
    date_status_sql,
    period_sql,
)

RECEIVED = ["date_raw", *KEY_COLUMNS, "num_raw", "st", "w", "total"]


def text_of(value: Any) -> str | None:
    """Give a received value as the text a file would hold: dates ISO, whole numbers without a point."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, decimal.Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
    return str(value)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def received_rows(names: list[str], rows: list[tuple], source: MetricSource) -> dict[str, list]:
    """Give the engine's rows as RECEIVED columns: aggregated counts and values spread over their statuses."""
    out: dict[str, list] = {c: [] for c in RECEIVED}
    at = {n: i for i, n in enumerate(names)}
    empty_status = NUM_MISSING if "" in source.missing_texts else NUM_EMPTY

    def add(row: tuple, num: Any, st: int | None, w: Any, total: Any) -> None:
        if not w:
            return
        out["date_raw"].append(text_of(row[at["cx_date"]]) if "cx_date" in at else None)
        for k in KEY_COLUMNS:
            out[k].append(text_of(row[at[f"cx_{k}"]]) if f"cx_{k}" in at else None)
        out["num_raw"].append(text_of(num))
        out["st"].append(st)
        out["w"].append(int(w))
        out["total"].append(_num(total))

    for row in rows:
        if "cx_num" in at:
            add(row, row[at["cx_num"]], None, row[at["cx_w"]], None)
            continue
        add(row, None, empty_status, row[at["cx_empty"]], 0.0)
        add(row, 1, NUM_OK, row[at["cx_ok_w"]], row[at["cx_ok_sum"]] or 0)
        if "cx_neg_w" in at:  # a funnel's counts
            add(row, row[at["cx_neg_ex"]], NUM_NEGATIVE, row[at["cx_neg_w"]], 0.0)
            add(row, row[at["cx_frac_ex"]], NUM_NOT_WHOLE, row[at["cx_frac_w"]], 0.0)
        else:  # a value: 0 and 1, or any other number (what an experiment's metric may not hold)
            add(row, row[at["cx_nb_ex"]], NUM_NOT_BINARY, row[at["cx_nb_w"]], row[at["cx_nb_sum"]] or 0)
    return out


def load_received(con: duckdb.DuckDBPyConnection, table: str, data: dict[str, list]) -> None:
    """Create the table of received rows (RECEIVED columns) from their columns."""
    types = {"st": "INTEGER", "w": "BIGINT", "total": "DOUBLE"}
    # lists as parameters, unnested side by side: the values never become SQL text
    columns = ", ".join(f"unnest(?::{types.get(c, 'VARCHAR')}[]) AS {c}" for c in RECEIVED)
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {columns}", [data[c] for c in RECEIVED])


def cells_sql(table: str, layout: Layout, source: MetricSource, typed_date: bool) -> str:
    """Give the received rows as a file's cells: date_raw, d, num_raw, miss, the keys, st, w0 and t0."""
    fmt = None if typed_date else source.date_format
    date = "NULL::DATE" if layout.dateless else date_sql("date_raw", fmt)
    keys = [f"'{v.replace(chr(39), chr(39) * 2)}' AS {k}" for k, v in layout.fixed.items()]
    for k in KEY_COLUMNS:
        if k in layout.columns:
            cell = k
            if k in ("segment", "variant") and source.missing_texts:
                cell = f"CASE WHEN {_missing_sql(k, source)} THEN NULL ELSE {k} END"
            keys.append(f"{cell} AS {k}")
    return (
        f"SELECT date_raw, {date} AS d, {_values_sql('num_raw', source)} AS num_raw, "
        f"CASE WHEN st IS NULL THEN {_missing_sql('num_raw', source)} ELSE st = {NUM_MISSING} END AS miss"
        f"{', ' + ', '.join(keys) if keys else ''}, st, w AS w0, total AS t0 FROM {table}"
    )


def build_standard(
    con: duckdb.DuckDBPyConnection, std: str, received: str, layout: Layout, source: MetricSource, typed_date: bool
) -> None:
    """Create the standard form (read.STANDARD_COLUMNS) of a received tally."""
    cells = cells_sql(received, layout, source, typed_date)
    judged = judged_sql(cells, layout, source, "sum(w0)", "st", "sum(coalesce(t0, num * w0))")
    con.execute(f"CREATE OR REPLACE TABLE {std} AS {_standard_select(source, layout, judged)}")


def rows_sql(received: str, layout: Layout, source: MetricSource, typed_date: bool) -> str:
    """Give the received rows judged one by one (the columns rowcheck's conditions read), w rows each."""
    cells = cells_sql(received, layout, source, typed_date)
    _, status = number_sql_pair("num_raw", layout, source)
    num_status = f"coalesce(st, CASE WHEN miss THEN {NUM_MISSING} ELSE {status} END)"
    date_status = str(DATE_OK) if layout.dateless else date_status_sql("date_raw", "d")
    return (
        f"SELECT 0 AS rid, w0 AS w, {period_sql('d', source.period)} AS period, {date_status} AS date_status, "
        f"{keys_sql(layout)}, {num_status} AS num_status, date_raw, num_raw FROM ({cells})"
    )
