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

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..model import MetricSource
from ..problems import Problems
from .layout import KEY_COLUMNS, Layout, decode_error_line, encoding_problem
from .sql import (
    DATE_OK,
    DATE_UNREADABLE,
    NUM_OK,
    date_sql,
    date_status_sql,
    decimal_mark,
    lit,
    number_sql,
    number_status_sql,
    number_text_sql,
    one_row,
    period_sql,
    plain_scores_sql,
)

MAX_REJECTS = 10_000
DUCKDB_ENCODING = {"utf-8": "utf-8", "latin-1": "latin-1", "cp1252": "utf-8"}  # cp1252 is transcoded first
_DATE_TYPES = ("DATE", "TIMESTAMP")


@dataclass(frozen=True)
class FileRef:
    """The file DuckDB reads for a metric (a UTF-8 copy for cp1252) and the path problems name."""

    path: Path
    rel: str
    encoding: str


def transcode(path: Path, rel: str, source: MetricSource, folder: Path, problems: Problems) -> Path | None:
    """Give a UTF-8 copy of a cp1252 file in folder (DuckDB reads UTF-8 and latin-1 only), or None with a problem."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (path.name + ".utf8")
    decoder_errors = None
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        decoder = codecs.getincrementaldecoder("cp1252")()
        offset = 0
        while True:
            block = src.read(1 << 22)
            try:
                dst.write(decoder.decode(block, final=not block))
            except UnicodeDecodeError as exc:
                decoder_errors = offset + exc.start
                break
            if not block:
                break
            offset += len(block)
    if decoder_errors is not None:
        with path.open("rb") as f:
            line = decode_error_line(f.read(decoder_errors + 1), decoder_errors)
        encoding_problem(problems, rel, line, source)
        return None
    return target


def _csv_from(file: FileRef, layout: Layout, extra: str = "") -> str:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.headers))) + "}"
    return (
        f"read_csv({lit(str(file.path))}, delim={lit(layout.delimiter)}, quote='\"', escape='\"', header=true, "
        f"skip={layout.skip}, columns={columns}, auto_detect=false, strict_mode=true, "
        f"encoding={lit(DUCKDB_ENCODING[file.encoding])}{extra})"
    )


def lines_from(file: FileRef, layout: Layout) -> str:
    """Give a read_csv of a file's physical lines, one text column, blank lines as NULL (for line numbers)."""
    # latin-1 reads any bytes, and quotes, delimiters and line ends are ASCII in every encoding we read
    return (
        f"read_csv({lit(str(file.path))}, delim=chr(31), quote='', escape='', header=false, skip=0, "
        f"columns={{'l': 'VARCHAR'}}, auto_detect=false, strict_mode=false, null_padding=true, encoding='latin-1')"
    )


def cells_sql(file: FileRef, layout: Layout, source: MetricSource, with_rid: bool = False) -> str:
    """Give a SELECT of the columns we use, as text: date_raw, d (the date), num_raw and the keys."""
    number = source.kind.number
    if layout.kind == "csv":

        def raw(name: str) -> str:
            return f"c{layout.columns[name]}"

        date_raw = raw("date")
        parsed = date_sql(date_raw, source.date_format)
        src = _csv_from(file, layout)
        rid = "NULL::BIGINT AS rid"  # rows read for line numbers take rowid from a table instead
    else:

        def raw(name: str) -> str:
            return f'CAST("{layout.header(name).replace(chr(34), chr(34) * 2)}" AS VARCHAR)'

        date_type = layout.parquet_types[layout.header("date")]
        date_raw = raw("date")
        quoted = '"' + layout.header("date").replace('"', '""') + '"'
        parsed = f"CAST({quoted} AS DATE)" if date_type.startswith(_DATE_TYPES) else date_sql(date_raw, source.date_format)
        src = f"read_parquet({lit(str(file.path))}{', file_row_number=true' if with_rid else ''})"
        rid = "file_row_number AS rid" if with_rid else "NULL::BIGINT AS rid"
    keys = ", ".join(f"{raw(k)} AS {k}" for k in KEY_COLUMNS if k in layout.columns)
    return (
        f"SELECT {rid}, {date_raw} AS date_raw, {parsed} AS d, {raw(number)} AS num_raw{', ' + keys if keys else ''} FROM {src}"
    )


def number_decimal(layout: Layout, source: MetricSource) -> tuple[str, str | None]:
    """Give (decimal mark, thousands separator) for the number column; Parquet numbers are numbers already."""
    if layout.kind == "parquet":
        if not layout.parquet_types[layout.header(source.kind.number)].startswith("VARCHAR"):
            return ".", None
        return source.decimal or ".", source.thousands
    return decimal_mark(source, layout.delimiter), source.thousands


def number_sql_pair(raw: str, layout: Layout, source: MetricSource) -> tuple[str, str]:
    """Give (number, status) expressions for a score, count or value text column."""
    decimal, thousands = number_decimal(layout, source)
    number = number_sql(number_text_sql(raw, decimal, thousands), source.kind.number_type)
    return number, number_status_sql(raw, number, source.kind)


def keys_sql(layout: Layout) -> str:
    """Give every key column, NULL for the ones the file does not have."""
    return ", ".join(k if k in layout.columns else f"NULL::VARCHAR AS {k}" for k in KEY_COLUMNS)


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
    counting (the row pass that words the problems tells empty from unreadable).
    """
    columns = [f"{period_sql('d', source.period)} AS period", *(k for k in KEY_COLUMNS if k in layout.columns), *extra]
    counted = f"SELECT {', '.join(columns)} FROM ({cells}) GROUP BY ALL"
    return f"SELECT *, CASE WHEN period IS NULL THEN {DATE_UNREADABLE} ELSE {DATE_OK} END AS date_status FROM ({counted})"


def build_standard(con: duckdb.DuckDBPyConnection, table: str, file: FileRef, layout: Layout, source: MetricSource) -> None:
    """Create the standard form of one file in one scan (raises duckdb.Error when DuckDB cannot parse the file).

    Scores are counted per score class straight away when every score is written plainly
    ('0' to '10'), the usual case; a file with any other score text is counted again per
    distinct text, and each text judged once after counting. Counts and values are judged
    row by row (their texts are many).
    """
    cells = cells_sql(file, layout, source)
    kind = source.kind
    if kind.scored:
        plain = plain_scores_sql(kind)
        a, b = kind.tally_sql(per_row=True)
        parts = ["count(*) FILTER (WHERE score IS NULL) AS odd", "count(*) AS w", f"{a} AS a", f"{b} AS b"]
        scored = f"SELECT *, CASE WHEN num_raw IN ({plain}) THEN CAST(num_raw AS INTEGER) END AS score FROM ({cells})"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_plain AS {_counted(scored, layout, source, parts)}")
        if not one_row(con, f"SELECT sum(odd) FROM {table}_plain")[0]:
            con.execute(
                f"CREATE OR REPLACE TABLE {table} AS SELECT period, date_status, {keys_sql(layout)}, 0 AS num_status, "
                f"w::HUGEINT AS w, coalesce(a, 0)::HUGEINT AS a, coalesce(b, 0)::HUGEINT AS b FROM {table}_plain"
            )
            con.execute(f"DROP TABLE {table}_plain")
            return
        con.execute(f"DROP TABLE {table}_plain")
        number, status = number_sql_pair("score_raw", layout, source)
        tally = _counted(cells, layout, source, ["num_raw AS score_raw", "count(*) AS w"])
        judged = f"SELECT *, {status} AS num_status, TRY_CAST({number} AS INTEGER) AS score FROM ({tally})"
    else:
        number, _ = number_sql_pair("num_raw", layout, source)
        numbered = f"SELECT *, {number} AS num FROM ({cells})"
        status = number_status_sql("num_raw", "num", kind)
        judged = _counted(numbered, layout, source, [f"{status} AS num_status", "count(*) AS w", "sum(num) AS total"])
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {_standard_select(source, layout, judged)}")


def rows_sql(file: FileRef, layout: Layout, source: MetricSource) -> str:
    """Give a SELECT of the rows in file order, every cell judged, to find the lines of problems (one streaming pass).

    Columns rid (the record's index: DuckDB keeps a file's order through a window with an
    empty OVER clause; for Parquet the row number), w = 1, period, date_status, the keys,
    num_status and the raw date and number. Nothing is held in memory row by row.
    """
    _, status = number_sql_pair("num_raw", layout, source)
    if source.kind.scored:  # a score written plainly needs no closer look
        status = f"CASE WHEN num_raw IN ({plain_scores_sql(source.kind)}) THEN {NUM_OK} ELSE {status} END"
    parquet = layout.kind == "parquet"
    cells = cells_sql(file, layout, source, with_rid=parquet)
    rid = "rid" if parquet else "row_number() OVER () - 1"
    return (
        f"SELECT {rid} AS rid, 1 AS w, {period_sql('d', source.period)} AS period, "
        f"{date_status_sql('date_raw', 'd')} AS date_status, {keys_sql(layout)}, {status} AS num_status, date_raw, num_raw "
        f"FROM ({cells})"
    )


# --- when DuckDB cannot parse a file ----------------------------------------------

_LINE_RE = re.compile(r"CSV Error on Line: (\d+)")
_FOUND_RE = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def report_unparsable(
    con: duckdb.DuckDBPyConnection,
    name: str,
    file: FileRef,
    layout: Layout,
    source: MetricSource,
    error: duckdb.Error,
    problems: Problems,
    limit: int,
) -> None:
    """Report why DuckDB could not parse a file: ragged rows, bad quotes, text in another encoding."""
    if layout.kind == "parquet":
        problems.error(
            file.rel,
            0,
            0,
            f"the file cannot be read: {str(error).splitlines()[0]}",
            "export it again as Parquet, or as CSV with a .csv name",
            code="parquet-unreadable",
        )
        return
    rejects = _rejected_rows(con, name, file, layout)
    if not rejects:  # the reader stopped before it could log rows, e.g. a quote never closed
        _report_stop(file, layout, source, error, problems)
        return
    for shown, (line, column_idx, error_type, message) in enumerate(rejects):
        physical = line + layout.skip
        if "ENCODING" in error_type or "UNICODE" in error_type:
            encoding_problem(problems, file.rel, physical, source)
            return  # one is enough: the whole file is in another encoding
        if shown == limit:
            more = len(rejects) - limit
            problems.error(
                file.rel,
                physical,
                0,
                f"{'at least ' if len(rejects) >= MAX_REJECTS else ''}{more} more rows from line {physical} on "
                f"cannot be read (only the first {limit} are listed)",
                "fix the rows above; the others are likely the same mistake",
                code="more-problems",
            )
            return
        _report_rejected(file, layout, physical, column_idx, error_type, message, problems)


def _rejected_rows(con: duckdb.DuckDBPyConnection, name: str, file: FileRef, layout: Layout) -> list[tuple]:
    """Give the rows DuckDB's reader rejects (line, column, error type, message), one per line, in line order."""
    try:
        options = (
            f", store_rejects=true, rejects_table={lit(name)}, rejects_scan={lit(name + '_scan')}, rejects_limit={MAX_REJECTS}"
        )
        touch = ", ".join(f"count(c{i})" for i in range(len(layout.headers)))  # count(*) would skip reading the cells
        con.execute(f"SELECT {touch} FROM {_csv_from(file, layout, options)}").fetchall()
        # DuckDB logs a ragged row once per missing or extra field: the first says how many a short row has,
        # the last how many a long one has (min() of the text would pick 'Found: 10' over 'Found: 9')
        return con.execute(
            f"SELECT line, min(column_idx), min(error_type), CASE WHEN min(error_type) = 'TOO MANY COLUMNS' "
            f"THEN arg_max(error_message, column_idx) ELSE arg_min(error_message, column_idx) END "
            f"FROM {name} GROUP BY line ORDER BY line"
        ).fetchall()
    except duckdb.Error:
        return []


def _report_stop(file: FileRef, layout: Layout, source: MetricSource, error: duckdb.Error, problems: Problems) -> None:
    """Report the error that stopped DuckDB's reader before it logged any row."""
    head = str(error).split("\n\n")[0]  # what went wrong, without DuckDB's list of options
    match = _LINE_RE.search(head)
    line = int(match.group(1)) + layout.skip if match else 0
    first = next((ln for ln in head.splitlines()[1:] if ln and not ln.startswith(("Original Line", "  "))), "")
    if "unicode" in head.lower() or "encod" in head.lower():
        encoding_problem(problems, file.rel, line, source)
    elif "quote" in head.lower():
        problems.error(
            file.rel,
            line,
            0,
            'a quoted field is never closed: a " opens it and no " ends it',
            'close the quote, or double a quote that is part of the text ("")',
            code="csv-unclosed-quote",
        )
    else:
        problems.error(
            file.rel,
            line,
            0,
            f"the file cannot be read as CSV: {first or str(error).splitlines()[0]}",
            "check the delimiter and the quotes; declare 'delimiter:' in site.yml if it is not detected",
            code="csv-unreadable",
        )


def _report_rejected(
    file: FileRef, layout: Layout, physical: int, column_idx: int | None, error_type: str, message: str | None, problems: Problems
) -> None:
    """Report one row DuckDB's reader rejected, at its line: too few or too many fields, quotes that do not pair up."""
    width = len(layout.headers)
    found = _FOUND_RE.search(message or "")
    if error_type == "MISSING COLUMNS":
        n = int(found.group(2)) if found else (column_idx or 0)
        problems.error(
            file.rel,
            physical,
            n + 1,
            f"row has {n} field{'s' * (n != 1)} but the header has {width} columns",
            f"every row needs {width} fields separated by '{_show(layout.delimiter)}'; "
            "check for a missing delimiter or a stray line break",
            code="csv-row-width",
        )
    elif error_type == "TOO MANY COLUMNS":
        n = int(found.group(2)) if found else width + 1
        problems.error(
            file.rel,
            physical,
            width + 1,
            f"row has {n} fields but the header has {width} columns",
            f"put a field that contains '{_show(layout.delimiter)}' in quotes, or remove the extra delimiter",
            code="csv-row-width",
        )
    elif error_type == "UNQUOTED VALUE":
        problems.error(
            file.rel,
            physical,
            (column_idx or 0),
            "the quotes in this row do not pair up: a quoted field is never closed, or a quote follows a closing quote",
            'put a field that holds quotes or line breaks in quotes, and double each quote inside it ("")',
            code="csv-unclosed-quote",
        )
    elif error_type == "LINE SIZE OVER MAXIMUM":
        problems.error(
            file.rel,
            physical,
            0,
            "the line is too long to be a row (over 2 MB)",
            "check for a quote that is never closed",
            code="csv-unreadable",
        )
    else:
        problems.error(
            file.rel,
            physical,
            column_idx or 0,
            f"row cannot be read: {message}",
            "check the delimiter and the quotes",
            code="csv-unreadable",
        )


def _show(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter
