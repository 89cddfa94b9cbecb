"""Report why DuckDB could not parse a metric file: ragged rows, bad quotes, text in another encoding."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ..model import MetricSource
from ..problems import Problems
from .files import FileRef
from .layout import Layout, encoding_problem
from .read import MAX_REJECTS, csv_from
from .sql import lit

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
        con.execute(f"SELECT {touch} FROM {csv_from(file, layout, options)}").fetchall()
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
    mixed = _mixed_line_end(file.path) if "invalid state" in head.lower() else None
    if "unicode" in head.lower() or "encod" in head.lower():
        encoding_problem(problems, file.rel, line, source)
    elif mixed is not None:
        line, ends, before = mixed
        problems.error(
            file.rel,
            line,
            0,
            f"line {line} ends with {ends}, the lines before it with {before}: the file mixes two kinds of line end",
            "save the file again with one kind of line end (a text editor's line-ending setting), or export it again "
            "from the tool instead of adding rows by hand",
            code="csv-unreadable",
        )
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


def _mixed_line_end(path: Path) -> tuple[int, str, str] | None:
    """Give (line, its end, the ends before it) of the first record end that differs from the first one's, or None.

    DuckDB's strict reader stops on a file that mixes CRLF and LF without saying where. A line break inside a
    quoted field (an odd count of quotes so far) is part of the text and not judged. Only run on that error.
    """
    names = {True: "CRLF (Windows)", False: "LF"}
    first: bool | None = None
    inside = False
    line, rest = 0, b""
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            pieces = (rest + block).split(b"\n")
            rest = pieces.pop()
            for piece in pieces:
                line += 1
                inside ^= piece.count(b'"') % 2 == 1
                if inside:
                    continue
                crlf = piece.endswith(b"\r")
                if first is None:
                    first = crlf
                elif crlf != first:
                    return line, names[crlf], names[first]
    return None


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
