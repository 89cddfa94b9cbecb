"""Read one metric file with DuckDB into its standard form: rows counted per period and keys, every cell judged.

One scan reads the columns we use as text, judges each date and number in SQL (metrics/sql.py)
and counts in the same query, so a 10-million-row file is read once and never held in
memory row by row. The result keeps what every figure needs (for each period, place,
segment and variant: the rows and the sums a and b of the metric's kind, cxreport/kinds.py) and what every row
check needs (the status of the cells and the raw ids).

Only when something is wrong are the rows read again, in file order, to find the line of
each problem (rowcheck.py).
"""

from __future__ import annotations

import duckdb

from ..model import MetricSource
from .exports import SKIPPED_STATUS
from .files import FileRef
from .layout import KEY_COLUMNS, Layout
from .sql import (
    DATE_OK,
    DATE_UNREADABLE,
    NUM_MISSING,
    NUM_OK,
    date_sql,
    date_status_sql,
    decimal_mark,
    in_range,
    lit,
    number_sql,
    number_status_sql,
    number_text_sql,
    one_row,
    period_sql,
    plain_scores_sql,
)

MAX_REJECTS = 10_000
_DATE_TYPES = ("DATE", "TIMESTAMP")


def csv_from(file: FileRef, layout: Layout, extra: str = "") -> str:
    """Give a read_csv of a file's data records (the header records skipped), every column as text c0, c1 ..."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.headers))) + "}"
    # header=false: DuckDB's skip counts records, quoted line breaks included, so a header of several rows
    # (Qualtrics: three) is skipped whole; every file it reads is UTF-8 (files.py)
    return (
        f"read_csv({lit(str(file.path))}, delim={lit(layout.delimiter)}, quote='\"', escape='\"', header=false, "
        f"skip={layout.skip + layout.header_records}, columns={columns}, auto_detect=false, strict_mode=true, "
        f"encoding='utf-8'{extra})"
    )


def lines_from(file: FileRef, layout: Layout) -> str:
    """Give a read_csv of a file's physical lines, one text column, blank lines as NULL (for line numbers)."""
    # quotes, delimiters and line ends are ASCII, so a line is a line whatever the text holds (C1 characters too)
    return (
        f"read_csv({lit(str(file.path))}, delim=chr(31), quote='', escape='', header=false, skip=0, "
        f"columns={{'l': 'VARCHAR'}}, auto_detect=false, strict_mode=false, null_padding=true, encoding='utf-8')"
    )


def used_columns(layout: Layout) -> list[int]:
    """Give the file's columns a metric reads: ours and a Qualtrics Status."""
    used = set(layout.columns.values())
    if layout.status is not None:
        used.add(layout.status)
    return sorted(used)


def source_sql(file: FileRef, layout: Layout, with_rid: bool) -> str:
    """Give the data records of a file: columns c0, c1 ... and, with_rid, rid (the record's place, in file order)."""
    if file.table is not None:
        return file.table
    src = csv_from(file, layout)
    if with_rid:  # DuckDB keeps a file's order through a window with an empty OVER clause
        return f"(SELECT row_number() OVER () - 1 AS rid, * FROM {src})"
    return src


def _missing_sql(raw: str, source: MetricSource) -> str:
    """Give whether a cell is one of the metric's 'not answered' texts."""
    texts = source.missing_texts
    if not texts:
        return "false"
    return f"coalesce(lower(trim({raw})), '') IN ({', '.join(lit(t) for t in texts)})"


def _values_sql(raw: str, source: MetricSource) -> str:
    """Give a cell with the metric's answer texts (values:) replaced by their numbers."""
    if not source.values:
        return raw
    whens = " ".join(f"WHEN {lit(' '.join(k.split()).lower())} THEN {lit(_number_text(v))}" for k, v in source.values.items())
    return f"CASE lower(trim({raw})) {whens} ELSE {raw} END"


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def cells_sql(file: FileRef, layout: Layout, source: MetricSource, with_rid: bool = False, extra: tuple[str, ...] = ()) -> str:
    """Give a SELECT of the data rows we use, as text: date_raw, d (the date), num_raw, miss and the keys.

    miss: the answer is one of the 'not answered' texts. Survey previews, tests and spam (Qualtrics'
    Status) are left out; `at:` keys are constants; a key cell that is 'not answered' is NULL. extra: more of our
    columns, as text (respondent, comment).
    """
    if layout.kind == "parquet":
        return _parquet_cells(file, layout, source, with_rid, extra)

    def raw(name: str) -> str:
        return f"c{layout.columns[name]}"

    if layout.dateless:
        date_raw, parsed = "NULL::VARCHAR", "NULL::DATE"
    else:
        date_raw = raw("date")
        parsed = file.parsed_date(layout.columns["date"], source.date_format) or date_sql(date_raw, source.date_format)
        if layout.columns["date"] in layout.dated:  # a cell Excel typed as a date is that date
            typed = in_range(f"d{layout.columns['date']}")
            parsed = f"coalesce({typed}, {parsed})"
    number = raw(source.kind.number)
    keys = [f"{lit(v)} AS {k}" for k, v in layout.fixed.items()]
    for k in KEY_COLUMNS:
        if k in layout.columns:
            cell = raw(k)
            if k in ("segment", "variant") and source.missing_texts:
                cell = f"CASE WHEN {_missing_sql(cell, source)} THEN NULL ELSE {cell} END"
            keys.append(f"{cell} AS {k}")
    keys += [f"{raw(k)} AS {k}" for k in extra]
    rid = "rid, " if with_rid else ""
    where = ""
    if file.skipped:
        where = " WHERE NOT skipped"
    elif layout.status is not None:
        where = f" WHERE NOT {_skipped_sql(f'c{layout.status}')}"
    return (
        f"SELECT {rid}{date_raw} AS date_raw, {parsed} AS d, {_values_sql(number, source)} AS num_raw, "
        f"{_missing_sql(number, source)} AS miss{', ' + ', '.join(keys) if keys else ''} "
        f"FROM {source_sql(file, layout, with_rid)}{where}"
    )


def _parquet_cells(file: FileRef, layout: Layout, source: MetricSource, with_rid: bool, extra: tuple[str, ...]) -> str:
    def raw(name: str) -> str:
        return f'CAST("{layout.header(name).replace(chr(34), chr(34) * 2)}" AS VARCHAR)'

    if layout.dateless:
        date_raw, parsed = "NULL::VARCHAR", "NULL::DATE"
    else:
        date_type = layout.parquet_types[layout.header("date")]
        date_raw = raw("date")
        quoted = '"' + layout.header("date").replace('"', '""') + '"'
        typed = date_type.startswith(_DATE_TYPES)
        parsed = in_range(f"CAST({quoted} AS DATE)") if typed else date_sql(date_raw, source.date_format)
    src = f"read_parquet({lit(str(file.path))}{', file_row_number=true' if with_rid else ''})"
    rid = "file_row_number AS rid, " if with_rid else ""
    keys = [f"{lit(v)} AS {k}" for k, v in layout.fixed.items()]
    keys += [f"{raw(k)} AS {k}" for k in (*KEY_COLUMNS, *extra) if k in layout.columns]
    number = raw(source.kind.number)
    return (
        f"SELECT {rid}{date_raw} AS date_raw, {parsed} AS d, {_values_sql(number, source)} AS num_raw, "
        f"{_missing_sql(number, source)} AS miss{', ' + ', '.join(keys) if keys else ''} FROM {src}"
    )


def number_decimal(layout: Layout, source: MetricSource) -> tuple[str, str | None]:
    """Give (decimal mark, thousands separator) for the number column; Parquet numbers are numbers already."""
    if layout.kind == "parquet":
        if not layout.parquet_types[layout.header(source.kind.number)].startswith("VARCHAR"):
            return ".", None
        return source.decimal or ".", source.thousands
    if layout.kind == "sheet":  # a sheet's numbers are written with a point (xlsx.py)
        return source.decimal or ".", source.thousands
    return decimal_mark(source, layout.delimiter), source.thousands


def number_sql_pair(raw: str, layout: Layout, source: MetricSource) -> tuple[str, str]:
    """Give (number, status) expressions for a score, count or value text column."""
    decimal, thousands = number_decimal(layout, source)
    number = number_sql(number_text_sql(raw, decimal, thousands), source.kind.number_type)
    return number, number_status_sql(raw, number, source.kind)


def keys_sql(layout: Layout) -> str:
    """Give every key column, NULL for the ones the rows do not have."""
    return ", ".join(k if layout.has(k) else f"NULL::VARCHAR AS {k}" for k in KEY_COLUMNS)


# The standard form of a file (see rowcheck): one line per period, date status, keys and
# number status, with w rows and the two sums a and b the figures are made of.
STANDARD_COLUMNS = ["period", "date_status", *KEY_COLUMNS, "num_status", "w", "a", "b"]


def _standard_select(source: MetricSource, layout: Layout, judged: str) -> str:
    """Give the standard form of judged lines (columns period, date_status, keys, num_status, w, score or total)."""
    a, b = source.kind.tally_sql()
    return (
        f"SELECT period, date_status, {keys_sql(layout)}, num_status, sum(w)::HUGEINT AS w, "
        f"coalesce({a}, 0)::{source.kind.sum_type} AS a, coalesce({b}, 0)::HUGEINT AS b FROM ({judged}) GROUP BY ALL"
    )


def _counted(cells: str, layout: Layout, source: MetricSource, extra: list[str]) -> str:
    """Give cells counted per period and keys (plus the extra columns), the only work done row by row.

    A date that cannot be read (or is missing) has no period; its status is set after
    counting (the row pass that words the problems tells empty from unreadable). A metric
    without a date has no period and no date problems.
    """
    columns = [f"{period_sql('d', source.period)} AS period", *(k for k in KEY_COLUMNS if layout.has(k)), *extra]
    counted = f"SELECT {', '.join(columns)} FROM ({cells}) GROUP BY ALL"
    if layout.dateless:
        return f"SELECT *, {DATE_OK} AS date_status FROM ({counted})"
    return f"SELECT *, CASE WHEN period IS NULL THEN {DATE_UNREADABLE} ELSE {DATE_OK} END AS date_status FROM ({counted})"


def build_standard(con: duckdb.DuckDBPyConnection, table: str, file: FileRef, layout: Layout, source: MetricSource) -> None:
    """Create the standard form of one file in one scan (raises duckdb.Error when DuckDB cannot parse the file).

    Scores are counted per score class straight away when every score is written plainly
    ('0' to '10') or is a 'not answered' text, the usual case; a file with any other score text
    is counted again per distinct text, and each text judged once after counting. Counts and
    values are judged row by row (their texts are many).
    """
    cells = cells_sql(file, layout, source)
    kind = source.kind
    if kind.scored:
        plain = plain_scores_sql(kind)
        a, b = kind.tally_sql(per_row=True)
        parts = ["miss", "count(*) FILTER (WHERE score IS NULL AND NOT miss) AS odd", "count(*) AS w", f"{a} AS a", f"{b} AS b"]
        scored = (
            f"SELECT *, CASE WHEN num_raw IN ({plain}) AND NOT miss THEN CAST(num_raw AS INTEGER) END AS score FROM ({cells})"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_plain AS {_counted(scored, layout, source, parts)}")
        if not one_row(con, f"SELECT sum(odd) FROM {table}_plain")[0]:
            con.execute(
                f"CREATE OR REPLACE TABLE {table} AS SELECT period, date_status, {keys_sql(layout)}, "
                f"CASE WHEN miss THEN {NUM_MISSING} ELSE {NUM_OK} END AS num_status, "
                f"w::HUGEINT AS w, coalesce(a, 0)::HUGEINT AS a, coalesce(b, 0)::HUGEINT AS b FROM {table}_plain"
            )
            con.execute(f"DROP TABLE {table}_plain")
            return
        con.execute(f"DROP TABLE {table}_plain")
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {_standard_select(source, layout, judged_sql(cells, layout, source))}")


def judged_sql(
    cells: str, layout: Layout, source: MetricSource, weight: str = "count(*)", given: str | None = None, total: str = "sum(num)"
) -> str:
    """Give cells judged and counted per period and keys: num_status, w, and the score (scored kinds) or total.

    Scores are counted per distinct text and each text judged once; counts and values are judged row by row.
    weight: the rows a line stands for (count(*): a file's rows; a warehouse's tally says how many each of its
    lines counts); given: a status the source already knows (a warehouse's sums per status), which wins.
    """
    if source.kind.scored:
        number, status = number_sql_pair("score_raw", layout, source)
        tally = _counted(cells, layout, source, ["num_raw AS score_raw", "miss", f"{weight} AS w"])
        return (
            f"SELECT *, CASE WHEN miss THEN {NUM_MISSING} ELSE {status} END AS num_status, "
            f"CASE WHEN NOT miss THEN TRY_CAST({number} AS INTEGER) END AS score FROM ({tally})"
        )
    number, _ = number_sql_pair("num_raw", layout, source)
    numbered = f"SELECT *, CASE WHEN NOT miss THEN {number} END AS num FROM ({cells})"
    status = f"CASE WHEN miss THEN {NUM_MISSING} ELSE {number_status_sql('num_raw', 'num', source.kind)} END"
    if given is not None:
        status = f"coalesce({given}, {status})"
    return _counted(numbered, layout, source, [f"{status} AS num_status", f"{weight} AS w", f"{total} AS total"])


def rows_sql(file: FileRef, layout: Layout, source: MetricSource) -> str:
    """Give a SELECT of the rows in file order, every cell judged, to find the lines of problems (one streaming pass).

    Columns rid (the record's place: for CSV its index among the data records, for Parquet the
    row number, for a sheet its row), w = 1, period, date_status, the keys, num_status and the
    raw date and number. Nothing is held in memory row by row.
    """
    _, status = number_sql_pair("num_raw", layout, source)
    if source.kind.scored:  # a score written plainly needs no closer look
        status = f"CASE WHEN num_raw IN ({plain_scores_sql(source.kind)}) THEN {NUM_OK} ELSE {status} END"
    status = f"CASE WHEN miss THEN {NUM_MISSING} ELSE {status} END"
    cells = cells_sql(file, layout, source, with_rid=True)
    date_status = str(DATE_OK) if layout.dateless else date_status_sql("date_raw", "d")
    return (
        f"SELECT rid, 1 AS w, {period_sql('d', source.period)} AS period, "
        f"{date_status} AS date_status, {keys_sql(layout)}, {status} AS num_status, date_raw, num_raw "
        f"FROM ({cells})"
    )


def load_shared(con: duckdb.DuckDBPyConnection, table: str, file: FileRef, readers: list[tuple[Layout, MetricSource]]) -> FileRef:
    """Load the columns several metrics read from one CSV file into a table, once (raises duckdb.Error).

    What all of them would work out row by row is worked out here once: whether a row is a survey preview,
    test or spam, and each date column parsed by each date_format they declare.
    """
    layout = readers[0][0]
    used = sorted({c for lo, _ in readers for c in used_columns(lo)})
    columns = [f"c{c}" for c in used]
    if layout.status is not None:
        columns.append(f"{_skipped_sql(f'c{layout.status}')} AS skipped")
    dates: dict[tuple[int, str | None], str] = {}
    for lo, source in readers:
        if not lo.dateless:
            key = (lo.columns["date"], source.date_format)
            if key not in dates:
                dates[key] = f"parsed_{len(dates)}"
                columns.append(f"{date_sql(f'c{key[0]}', key[1])} AS {dates[key]}")
    # a table keeps the order its rows were read in, so its rowid is the record's index
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(columns)} FROM {csv_from(file, layout)}")
    ref = f"(SELECT rowid AS rid, * FROM {table})"
    return FileRef(file.path, file.rel, file.encoding, ref, layout.status is not None, tuple(dates.items()))


def _skipped_sql(status: str) -> str:
    """Give whether a Qualtrics Status cell marks a survey preview, a test or spam."""
    return f"coalesce(lower(trim({status})) IN ({', '.join(lit(t) for t in SKIPPED_STATUS)}), false)"
