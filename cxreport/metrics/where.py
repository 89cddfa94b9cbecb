"""Where a row is, as the person who opens the file sees it: the line of a CSV, the row of Parquet, the cell of a sheet."""

from __future__ import annotations

import duckdb

from . import rowcheck
from .files import FileRef
from .layout import Layout
from .read import lines_from, source_sql
from .sql import one_row
from .xlsx import cell_name


def places(
    con: duckdb.DuckDBPyConnection, name: str, file: FileRef, layout: Layout, rids: list[int]
) -> dict[int, tuple[int, bool]]:
    """Give, for rows by rid, (line, spans): the line (CSV: where the record starts; a sheet: its row) and, for CSV,
    whether the record spans more lines. Rows whose line cannot be told are left out."""
    if layout.kind == "parquet":
        return {rid: (rid + 1, False) for rid in rids}
    if layout.kind == "sheet":
        return {rid: (rid, False) for rid in rids}
    count = one_row(con, f"SELECT count(*) FROM {source_sql(file, layout, False)}")[0]
    return rowcheck.record_lines(con, name, lines_from(file, layout), layout, sorted(set(rids)), count)


def suffix(layout: Layout, line: int, col: int, spans: bool) -> str:
    """Give the words after a row problem's message that say where it is, beyond file:line:col."""
    if layout.kind == "parquet":
        return f" (row {line})"
    if layout.kind == "sheet":
        return f" (sheet {layout.sheet}, cell {cell_name(line, col)})" if col else f" (sheet {layout.sheet}, row {line})"
    return f" (record starting on line {line})" if spans else ""


def unplaced(layout: Layout, rid: int) -> str:
    """Give the words for a row whose line cannot be told."""
    return f" (record {rid + 1} after the header)"
