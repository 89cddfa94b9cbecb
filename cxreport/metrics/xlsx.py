"""One sheet of an .xlsx workbook loaded into a DuckDB table of its cells as text, with the dates Excel typed.

    found = load_sheet(con, "src", path, "Antwoorden")     # or 2 (the second sheet), or None (the first)
    con.sql("SELECT row, c0, c1, d1 FROM src")               # row 1 is the header, as Excel numbers it

The table has one record per non-empty spreadsheet row, in sheet order, with columns:

- `row` INTEGER: the row number as Excel shows it (empty rows are left out, the numbers are kept);
- `c0` ... `c{width-1}` VARCHAR: the cells of columns A, B, ... as text, NULL when empty;
- `d0` ... `d{width-1}` DATE: the date of a cell Excel typed as a date or a date and time (the time
  dropped), NULL for every other cell. Every column has its d-column; `SheetTable.dated` says which
  columns hold at least one date cell.

How a cell is written as text (decisions FORMAT.md leaves open):

- text as it is, spaces included; an error cell as its text (`#N/A`, `#DIV/0!`); a boolean `TRUE`/`FALSE`;
- a number in the fewest digits that read back as the number (`7`, `7.5`, never `7.0`), to Excel's own
  precision of 15 significant digits, so a formula's float noise (0.1 + 0.2 = 0.30000000000000004) reads
  as Excel shows it (`0.3`); digits past 15 are kept only where they are exact (`100000000000000000000`);
- a date cell as ISO text: `2026-03-01` at midnight, else `2026-03-01 10:15:00` (fractions of a second
  kept, `.500`); a cell typed as a time of day alone (no date) as `10:15:00`, with no date.

The reader is fastexcel (calamine, in Rust), whose Arrow output DuckDB takes through the PyCapsule
interface (no pyarrow). It gives each column one type, while a survey sheet mixes types in a column
(header text above numbers and dates), so the sheet is read twice at once on two threads, once as text
and once as numbers: a cell whose text reads as its number is kept as it is; a number the text pass
rounded (it writes 9 decimals) is written again from the number; a text cell has no number, or one
its text reads as. A date cell is the one the number pass leaves empty while the text pass writes it
as a date; when some text cell reads like one (`2026-03-01 10:15:00` typed as text), a third pass
as dates tells them apart. Error cells and ISO-typed date cells, which neither pass gives back, come
from the check of the sheet's XML made before any reading (xlsx_guard.py, which also refuses unsafe files).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import fastexcel

from .xlsx_guard import SAVE_HINT, Inspection, Patch, SheetRefused, column_letters, inspect_workbook

__all__ = ["SheetRefused", "SheetTable", "cell_name", "load_sheet"]

# the text pass writes a date cell as chrono does: 2026-03-01 10:15:00, with .fff when the time has a fraction
_DATE_TEXT = "'____-__-__ __:__:__%'"
# a time of day alone is a date cell on day 0 of Excel's calendar, which calamine calls 1899-12-31
_DAY_ZERO = "'1899-12-31 %'"


@dataclass(frozen=True)
class SheetTable:
    sheet: str  # the sheet's name
    width: int  # number of columns c0..c{width-1}
    rows: int  # records in the table (header rows included)
    dated: frozenset[int] = frozenset()  # 0-based columns holding at least one date cell


def cell_name(row: int, col: int) -> str:
    """Give a cell's name from its 1-based row and column: (14, 2) -> "B14"; (1, 27) -> "AA1"."""
    return f"{column_letters(col)}{row}"


def load_sheet(con: duckdb.DuckDBPyConnection, table: str, path: Path, sheet: str | int | None) -> SheetTable:
    """Create DuckDB table `table` from one sheet, or raise SheetRefused."""
    found = inspect_workbook(path, sheet)
    text, numbers, dates = _read(path, found)
    if text.width == 0:
        con.execute(f"CREATE TABLE {_ident(table)} (row INTEGER)")
        return SheetTable(sheet=found.sheet, width=0, rows=0)
    offset = text.available_columns()[0].absolute_index
    width = offset + text.width
    try:
        _stage(con, text, numbers, dates, found.patches)
        con.execute(_table_sql(table, text, offset, with_dates=dates is not None))
        _apply_patches(con, table, found.patches, width)
        counts = con.execute(
            f"SELECT count(*), {', '.join(f'count(d{i})' for i in range(width))} FROM {_ident(table)}"
        ).fetchone()
    finally:
        for name in ("_cxr_xa", "_cxr_xb", "_cxr_xc", "_cxr_xp"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    assert counts is not None
    dated = frozenset(i for i, n in enumerate(counts[1:]) if n)
    return SheetTable(sheet=found.sheet, width=width, rows=int(counts[0]), dated=dated)


def _read(path: Path, found: Inspection) -> tuple[Any, Any, Any]:
    """Give the sheet read as text, as numbers and (when a text cell reads like a date) as dates, at once."""
    kinds: list[Literal["string", "float", "datetime"]] = ["string", "float"]
    if found.datetime_texts:
        kinds.append("datetime")
    try:
        with ThreadPoolExecutor(len(kinds)) as pool:
            sheets = list(pool.map(lambda kind: _read_as(path, found.sheet, kind), kinds))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # fastexcel's errors, and a panic in the Rust reader (pyo3 raises BaseException)
        lines = str(err).replace(str(path), path.name).splitlines() or [type(err).__name__]
        raise SheetRefused("xlsx-unreadable", f"the workbook cannot be read: {lines[0][:200]}", SAVE_HINT) from err
    return sheets[0], sheets[1], sheets[2] if len(sheets) > 2 else None


def _read_as(path: Path, sheet: str, kind: Literal["string", "float", "datetime"]) -> Any:
    # header_row=None with skip_rows=0: no header, and the first record is row 1 even when it is empty
    reader = fastexcel.read_excel(path)
    return reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes=kind)


def _stage(con: duckdb.DuckDBPyConnection, text: Any, numbers: Any, dates: Any, patches: list[Patch]) -> None:
    """Copy the passes into temporary tables, whose rowid is the sheet's row less one."""
    _cxr_text, _cxr_numbers, _cxr_dates = text, numbers, dates  # DuckDB finds Arrow objects by their local name
    con.execute("CREATE TEMP TABLE _cxr_xa AS SELECT * FROM _cxr_text")
    con.execute("CREATE TEMP TABLE _cxr_xb AS SELECT * FROM _cxr_numbers")
    if _cxr_dates is not None:
        con.execute("CREATE TEMP TABLE _cxr_xc AS SELECT * FROM _cxr_dates")
    con.execute("CREATE TEMP TABLE _cxr_xp (row INTEGER, col INTEGER, text VARCHAR, d DATE)")
    if patches:
        con.executemany("INSERT INTO _cxr_xp VALUES (?, ?, ?, ?)", [(p.row, p.col, p.text, p.date) for p in patches])


def _table_sql(table: str, text: Any, offset: int, with_dates: bool) -> str:
    """Give the CREATE TABLE of the sheet: every cell's text and date from the passes, empty rows left out."""
    names = [column.name for column in text.selected_columns]
    cells, days, filled = [], [], []
    for i in range(offset):
        cells.append(f"NULL::VARCHAR AS c{i}")
        days.append(f"NULL::DATE AS d{i}")
    for i, name in enumerate(names, start=offset):
        s, f = f"a.{_ident(name)}", f"b.{_ident(name)}"
        is_date = f"{f} IS NULL AND {s} LIKE {_DATE_TEXT}" + (f" AND c.{_ident(name)} IS NOT NULL" if with_dates else "")
        cells.append(f"{_text_sql(s, f, is_date)} AS c{i}")
        days.append(f"CASE WHEN {is_date} AND {s} NOT LIKE {_DAY_ZERO} THEN TRY_CAST(substr({s}, 1, 10) AS DATE) END AS d{i}")
        filled.append(f"{s} IS NOT NULL")
    joins = "_cxr_xa AS a POSITIONAL JOIN _cxr_xb AS b" + (" POSITIONAL JOIN _cxr_xc AS c" if with_dates else "")
    return (
        f"CREATE TABLE {_ident(table)} AS SELECT CAST(a.rowid + 1 AS INTEGER) AS row, {', '.join(cells + days)} "
        f"FROM {joins} WHERE {' OR '.join(filled)} OR a.rowid + 1 IN (SELECT row FROM _cxr_xp) ORDER BY row"
    )


def _text_sql(s: str, f: str, is_date: str) -> str:
    """Give a cell's text from its text pass `s` and number pass `f` (see the module's docstring)."""
    # 15 significant digits, then the shortest text that reads back: 0.30000000000000004 -> 0.3, 1e-10 stays
    number = f"regexp_replace(CAST(CAST(format('{{:.15g}}', {f}) AS DOUBLE) AS VARCHAR), '\\.0$', '')"
    return (
        f"CASE WHEN {s} IS NULL THEN NULL "
        f"WHEN {f} IS NOT NULL THEN CASE WHEN TRY_CAST({s} AS DOUBLE) = {f} THEN {s} "
        f"WHEN {s} IN ('true', 'false') THEN upper({s}) "
        f"WHEN isfinite({f}) AND regexp_full_match({s}, '-?[0-9]+([.][0-9]+)?') THEN {number} ELSE {s} END "
        f"WHEN {is_date} THEN CASE WHEN {s} LIKE {_DAY_ZERO} THEN substr({s}, 12) "
        f"WHEN {s} LIKE '% 00:00:00' THEN substr({s}, 1, 10) ELSE {s} END "
        f"ELSE {s} END"
    )


def _apply_patches(con: duckdb.DuckDBPyConnection, table: str, patches: list[Patch], width: int) -> None:
    """Write the error cells and ISO date cells the passes cannot give back."""
    for col in sorted({p.col for p in patches if p.col <= width}):
        i = col - 1
        con.execute(
            f"UPDATE {_ident(table)} AS x SET c{i} = p.text, d{i} = p.d FROM _cxr_xp AS p WHERE p.row = x.row AND p.col = {col}"
        )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
