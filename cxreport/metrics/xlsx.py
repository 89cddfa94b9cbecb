"""One sheet of an .xlsx workbook loaded into a DuckDB table of its cells as text, with the dates Excel typed.

    found = load_sheet(con, "src", path, "Antwoorden", header_rows=3)   # or 2 (the second sheet), or None (the first)
    con.sql("SELECT row, c0, c1, d1 FROM src")                            # row 1 is the header, as Excel numbers it

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
(header text above numbers and dates). The careful read (`_careful`) reads a sheet twice at once on two
threads, once as text and once as numbers: a cell whose text reads as its number is kept as it is; a
number the text pass rounded (it writes 9 decimals) is written again from the number; a text cell has
no number, or one its text reads as. A date cell is the one the number pass leaves empty while the text
pass writes it as a date; when some text cell reads like one (`2026-03-01 10:15:00` typed as text), a
third pass as dates tells them apart. Error cells and ISO-typed date cells, which no pass gives back,
come from the check of the sheet's XML made before any reading (xlsx_guard.py, which also refuses
unsafe files).

Each read parses the whole sheet, so the careful read costs two. When the caller knows how many header
rows the format has (`header_rows`), the header rows are read carefully from a copy of the workbook cut
after them (`_head_workbook`: a few kilobytes), and the data rows once, with a type for each column
(`_typed`). A column whose cells are all of one kind is written from that read alone, by the same rules
in SQL (`_typed_cell`); only a column that mixes kinds is read again, carefully, on its own. The table
is the same whatever `header_rows` says (a wrong count only costs time); `header_rows=None` is the
careful read of the whole sheet. One exception, which no writer makes: a cell that comes later in the
sheet's XML than the header rows' elements but names a cell among them (a hand-edited file) is in
neither read; the cut is refused when the row after it goes back, not when a far-off cell does.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import fastexcel

from .xlsx_guard import SAVE_HINT, Inspection, Patch, SheetRefused, column_letters, inspect_workbook

__all__ = ["SheetRefused", "SheetTable", "cell_name", "load_sheet"]

Kind = Literal["string", "float", "datetime"]
Source = Path | bytes

# the text pass writes a date cell as chrono does: 2026-03-01 10:15:00, with .fff when the time has a fraction
_DATE_TEXT = "'____-__-__ __:__:__%'"
# a time of day alone is a date cell on day 0 of Excel's calendar, which calamine calls 1899-12-31
_DAY_ZERO = "'1899-12-31 %'"
# text the careful read may write otherwise than the text pass does: a number, a boolean, a date
_NUMBER_TEXT = "'-?[0-9]+([.][0-9]+)?'"
# the text pass writes a number as Rust's format!("{:.9}") less trailing zeros; DuckDB's format is the same
# below 1e17 (checked against fastexcel on random doubles), so a typed number column stays below 1e15
_PASS_TEXT = "rtrim(rtrim(format('{{:.9f}}', {f}), '0'), '.')"
_BIG = "1e15"
_STAGED = "_cxr_x"  # prefix of the temporary tables

# fastexcel logs a warning for each column whose type it cannot guess (a column empty in the rows read)
logging.getLogger("fastexcel.types.dtype").addFilter(lambda record: "Could not determine dtype" not in record.getMessage())


@dataclass(frozen=True)
class SheetTable:
    sheet: str  # the sheet's name
    width: int  # number of columns c0..c{width-1}
    rows: int  # records in the table (header rows included)
    dated: frozenset[int] = frozenset()  # 0-based columns holding at least one date cell


@dataclass
class _Block:
    """Consecutive sheet rows read into staged tables: each column's text, date and whether the cell is filled."""

    tables: list[tuple[str, str]]  # (staged table, alias), joined by position: record i is sheet row skip + i + 1
    skip: int
    width: int  # 1 + the last column's absolute index
    cells: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # absolute column -> (text, date, filled)
    upto: int | None = None  # the last sheet row the block gives
    dense: bool = False  # some column is filled in every record: no record is empty


def cell_name(row: int, col: int) -> str:
    """Give a cell's name from its 1-based row and column: (14, 2) -> "B14"; (1, 27) -> "AA1"."""
    return f"{column_letters(col)}{row}"


def load_sheet(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, sheet: str | int | None, *, header_rows: int | None = None
) -> SheetTable:
    """Create DuckDB table `table` from one sheet, or raise SheetRefused.

    `header_rows`: how many of the first non-empty rows are the format's header (1 to 3), read apart
    from the data rows; None reads the whole sheet carefully. The table is the same either way."""
    found = inspect_workbook(path, sheet)
    try:
        con.execute(f"CREATE TEMP TABLE {_STAGED}p (row INTEGER, col INTEGER, text VARCHAR, d DATE)")
        if found.patches:
            con.executemany(
                f"INSERT INTO {_STAGED}p VALUES (?, ?, ?, ?)", [(p.row, p.col, p.text, p.date) for p in found.patches]
            )
        blocks = _blocks(con, path, found, header_rows)
        width = max(block.width for block in blocks)
        if width == 0:
            con.execute(f"CREATE TABLE {_ident(table)} (row INTEGER)")
            return SheetTable(sheet=found.sheet, width=0, rows=0)
        _fill(con, table, blocks, width, bool(found.patches))
        _apply_patches(con, table, found.patches, width)
        counts = con.execute(
            f"SELECT count(*), {', '.join(f'count(d{i})' for i in range(width))} FROM {_ident(table)}"
        ).fetchone()
    finally:
        staged = con.execute(
            f"SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, '{_STAGED}')"
        ).fetchall()
        for (name,) in staged:
            con.execute(f"DROP TABLE IF EXISTS {_ident(name)}")
    assert counts is not None
    dated = frozenset(i for i, n in enumerate(counts[1:]) if n)
    return SheetTable(sheet=found.sheet, width=width, rows=int(counts[0]), dated=dated)


def _blocks(con: duckdb.DuckDBPyConnection, path: Path, found: Inspection, header_rows: int | None) -> list[_Block]:
    """Give the sheet's rows as blocks: the header rows and the data rows, or the whole sheet read carefully."""
    split = _head_workbook(found, header_rows) if header_rows else None
    if split is not None:
        last, head = split
        try:
            header = _careful(con, "h", head, found, skip=0)
            header.upto = last
            return [header, _typed(con, "t", path, found, skip=last)]
        except (SheetRefused, _CutFailed):  # the cut copy is ours, not the user's: the whole sheet is read as it is
            pass
    return [_careful(con, "a", path, found, skip=0)]


def _careful(
    con: duckdb.DuckDBPyConnection,
    alias: str,
    source: Source,
    found: Inspection,
    skip: int,
    columns: list[str] | None = None,
    text: str | None = None,
) -> _Block:
    """Read rows after `skip` (only `columns`, when given) as text and as numbers (and as dates), each cell
    written from the passes. `text`: a staged table that holds the text pass already (the typed read's text)."""
    kinds: list[Kind] = ["string"] if text is None else []
    kinds += ["float", "datetime"] if found.datetime_texts else ["float"]
    sheets = _read(source, found.sheet, kinds, skip, columns)
    passes = dict(zip(kinds, sheets, strict=True))
    selected = sheets[0].selected_columns
    if not selected:  # an empty sheet
        return _Block([], skip, 0)
    tables = []
    for kind, sheet in passes.items():
        name = f"{_STAGED}{alias}_{kind[0]}"
        _stage(con, name, sheet)
        tables.append((name, f"{alias}_{kind[0]}"))
    block = _Block(tables, skip, max(c.absolute_index + 1 for c in selected))
    for column in selected:
        name = _ident(column.name)
        s = f"{text or alias + '_s'}.{name}"
        f = f"{alias}_f.{name}"
        is_date = f"{f} IS NULL AND {s} LIKE {_DATE_TEXT}"
        if found.datetime_texts:
            is_date += f" AND {alias}_d.{name} IS NOT NULL"
        day = f"CASE WHEN {is_date} AND {s} NOT LIKE {_DAY_ZERO} THEN TRY_CAST(substr({s}, 1, 10) AS DATE) END"
        block.cells[column.absolute_index] = (_text_sql(s, f, is_date), day, f"{s} IS NOT NULL")
    return block


def _typed(con: duckdb.DuckDBPyConnection, alias: str, path: Path, found: Inspection, skip: int) -> _Block:
    """Read rows after `skip` once, a type to each column; read carefully only the columns that mix kinds."""
    try:
        [sheet] = _read(path, found.sheet, [None], skip, None)
    except _MixedColumn:  # a column mixes durations with other cells, which fastexcel will not coerce
        return _careful(con, alias, path, found, skip)
    if not sheet.selected_columns:
        return _Block([], skip, 0)
    staged = f"{_STAGED}{alias}_t"
    _stage(con, staged, sheet)
    columns = [(c.name, c.dtype, c.absolute_index) for c in sheet.selected_columns]
    plain, dense = _plain_columns(con, staged, columns, found)
    mixed = [(name, dtype, index) for name, dtype, index in columns if name not in plain]
    block = _Block([(staged, alias)], skip, max(index + 1 for _, _, index in columns), dense=dense)
    for name, _, index in columns:
        if name in plain:
            block.cells[index] = _typed_cell(f"{alias}.{_ident(name)}", plain[name])
    if mixed:
        text = alias if all(dtype == "string" for _, dtype, _ in mixed) else None
        again = _careful(con, alias + "m", path, found, skip, [name for name, _, _ in mixed], text)
        block.tables += again.tables
        block.cells.update(again.cells)
    return block


def _plain_columns(
    con: duckdb.DuckDBPyConnection, staged: str, columns: list[tuple[str, str, int]], found: Inspection
) -> tuple[dict[str, str], bool]:
    """Give the columns of the typed read written from it alone (each cell of one kind, in the range the rules
    cover), each with its kind: its type, or `whole` for numbers that are all whole (and no -0); and whether
    some column is filled in every record."""
    plain = {name: dtype for name, dtype, _ in columns if dtype in ("boolean", "null")}
    checks: list[tuple[str, str, str]] = []  # (column, the kind it is when the check holds, the check)
    for name, dtype, index in columns:
        c = _ident(name)
        if dtype == "string":  # no cell the careful read would write otherwise (a number, boolean or date)
            other = f"{c} IN ('true', 'false') OR regexp_full_match({c}, {_NUMBER_TEXT}) OR {c} LIKE {_DATE_TEXT}"
            checks.append((name, dtype, f"NOT coalesce(bool_or({other}), false)"))
        elif dtype == "float" and not ({index + 1, 0} & found.booleans):  # fastexcel reads a boolean there as 1 or 0
            checks.append((name, dtype, f"coalesce(bool_and(isfinite({c}) AND abs({c}) < {_BIG}), true)"))
            checks.append((name, "whole", f"coalesce(bool_and({c} = trunc({c}) AND NOT ({c} = 0 AND signbit({c}))), true)"))
        elif dtype == "datetime":  # years of four digits, as the text pass writes them
            years = f"min({c}) >= TIMESTAMP_MS '1000-01-01' AND max({c}) <= TIMESTAMP_MS '9999-12-31 23:59:59.999'"
            checks.append((name, dtype, f"coalesce({years}, true)"))
    full = " OR ".join(f"count({_ident(name)}) = count(*)" for name, _, _ in columns)
    row = con.execute(
        f"SELECT {', '.join([sql for _, _, sql in checks] + [f'({full}) AND count(*) > 0'])} FROM {staged}"
    ).fetchone()
    assert row is not None  # aggregates give one row
    held = {(name, kind) for (name, kind, _), ok in zip(checks, row, strict=False) if ok}
    for name, kind, _ in checks:
        if (name, kind) in held and (kind != "whole" or (name, "float") in held):
            plain[name] = kind
    return plain, bool(row[-1])


def _typed_cell(c: str, dtype: str) -> tuple[str, str, str]:
    """Give a typed column's text, date and filled SQL: what the careful read writes for cells of that one kind."""
    filled = f"{c} IS NOT NULL"
    if dtype == "string":
        return c, "NULL::DATE", filled
    if dtype == "boolean":
        return f"CASE WHEN {c} THEN 'TRUE' WHEN NOT {c} THEN 'FALSE' END", "NULL::DATE", filled
    if dtype == "whole":  # whole numbers below 1e15, none -0: their digits, as the text pass writes them
        return f"CAST(CAST({c} AS BIGINT) AS VARCHAR)", "NULL::DATE", filled
    if dtype == "float":  # a whole number below 1e15 as its digits; else the text pass's text, read back
        text = _text_sql(_PASS_TEXT.format(f=c), c, "false")
        whole = (  # the text pass writes -0 for a negative zero
            f"CASE WHEN {c} = trunc({c}) THEN CASE WHEN {c} = 0 AND signbit({c}) THEN '-0' "
            f"ELSE CAST(CAST({c} AS BIGINT) AS VARCHAR) END ELSE {text} END"
        )
        return whole, "NULL::DATE", filled
    if dtype == "datetime":  # DuckDB writes the milliseconds without trailing zeros, chrono with three digits
        v = f"CAST({c} AS VARCHAR)"
        s = f"CASE WHEN length({v}) > 19 THEN rpad({v}, 23, '0') ELSE {v} END"
        text = (
            f"CASE WHEN {s} LIKE {_DAY_ZERO} THEN substr({s}, 12) WHEN {s} LIKE '% 00:00:00' THEN substr({s}, 1, 10) ELSE {s} END"
        )
        day = f"CASE WHEN {s} NOT LIKE {_DAY_ZERO} THEN TRY_CAST(substr({s}, 1, 10) AS DATE) END"
        return text, day, filled
    return "NULL::VARCHAR", "NULL::DATE", "false"  # null: a column empty in these rows


class _MixedColumn(Exception):
    """fastexcel found a column it cannot give one type."""


class _CutFailed(Exception):
    """The reader does not read the rows after the header rows as the cut expects."""


def _read(source: Source, sheet: str, kinds: Sequence[Kind | None], skip: int, columns: list[str] | None) -> list[Any]:
    """Give the sheet's rows after `skip` read once for each kind (None: a type guessed for each column), at once."""
    try:
        with ThreadPoolExecutor(len(kinds)) as pool:
            return list(pool.map(lambda kind: _read_as(source, sheet, kind, skip, columns), kinds))
    except (KeyboardInterrupt, SystemExit):
        raise
    except fastexcel.UnsupportedColumnTypeCombinationError as err:
        raise _MixedColumn() from err
    except fastexcel.InvalidParametersError as err:  # rows to skip past the reader's last row
        raise _CutFailed() from err
    except BaseException as err:  # fastexcel's errors, and a panic in the Rust reader (pyo3 raises BaseException)
        where = str(source) if isinstance(source, Path) else ""
        name = source.name if isinstance(source, Path) else ""
        lines = (str(err).replace(where, name) if where else str(err)).splitlines() or [type(err).__name__]
        raise SheetRefused("xlsx-unreadable", f"the workbook cannot be read: {lines[0][:200]}", SAVE_HINT) from err


def _read_as(source: Source, sheet: str, kind: Kind | None, skip: int, columns: list[str] | None) -> Any:
    # header_row=None with skip_rows: no header, and the first record is row skip + 1 even when it is empty
    reader = fastexcel.read_excel(source)
    if kind is None:  # the type of each column guessed from all its cells, not the first 1000
        return reader.load_sheet(sheet, header_row=None, skip_rows=skip, schema_sample_rows=None)
    return reader.load_sheet(sheet, header_row=None, skip_rows=skip, use_columns=columns, dtypes=kind)


def _stage(con: duckdb.DuckDBPyConnection, name: str, sheet: Any) -> None:
    """Copy a read into a temporary table, whose rowid is the record's number."""
    _cxr_sheet = sheet  # DuckDB finds Arrow objects by their local name
    con.execute(f"CREATE TEMP TABLE {_ident(name)} AS SELECT * FROM _cxr_sheet")


def _fill(con: duckdb.DuckDBPyConnection, table: str, blocks: list[_Block], width: int, patched: bool) -> None:
    """Create the sheet's table and write every block's cells into it, in sheet order, empty rows left out.
    DuckDB keeps the order of a single table's rows through WHERE and INSERT, so a block read once needs
    no sort; one whose passes are joined by position is sorted (a join keeps no order)."""
    columns = [f"c{i} VARCHAR" for i in range(width)] + [f"d{i} DATE" for i in range(width)]
    con.execute(f"CREATE TABLE {_ident(table)} (row INTEGER, {', '.join(columns)})")
    for block in (b for b in blocks if b.tables):
        row = f"CAST({block.tables[0][1]}.rowid + {block.skip + 1} AS INTEGER)"
        cells, days, filled = [], [], []
        for i in range(width):
            text, day, full = block.cells.get(i, ("NULL", "NULL", "false"))
            cells.append(text)
            days.append(day)
            filled.append(full)
        if patched:  # a row whose only cells are errors
            filled.append(f"{row} IN (SELECT row FROM {_STAGED}p)")
        joins = " POSITIONAL JOIN ".join(f"{name} AS {alias}" for name, alias in block.tables)
        where = "true" if block.dense else f"({' OR '.join(filled)})"
        if block.upto is not None:
            where += f" AND {row} <= {block.upto}"
        order = " ORDER BY 1" if len(block.tables) > 1 else ""
        con.execute(f"INSERT INTO {_ident(table)} SELECT {row}, {', '.join(cells + days)} FROM {joins} WHERE {where}{order}")


def _text_sql(s: str, f: str, is_date: str) -> str:
    """Give a cell's text from its text pass `s` and number pass `f` (see the module's docstring)."""
    # 15 significant digits, then the shortest text that reads back: 0.30000000000000004 -> 0.3, 1e-10 stays
    number = f"regexp_replace(CAST(CAST(format('{{:.15g}}', {f}) AS DOUBLE) AS VARCHAR), '\\.0$', '')"
    return (
        f"CASE WHEN {s} IS NULL THEN NULL "
        f"WHEN {f} IS NOT NULL THEN CASE WHEN TRY_CAST({s} AS DOUBLE) = {f} THEN {s} "
        f"WHEN {s} IN ('true', 'false') THEN upper({s}) "
        f"WHEN isfinite({f}) AND regexp_full_match({s}, {_NUMBER_TEXT}) THEN {number} ELSE {s} END "
        f"WHEN {is_date} THEN CASE WHEN {s} LIKE {_DAY_ZERO} THEN substr({s}, 12) "
        f"WHEN {s} LIKE '% 00:00:00' THEN substr({s}, 1, 10) ELSE {s} END "
        f"ELSE {s} END"
    )


def _apply_patches(con: duckdb.DuckDBPyConnection, table: str, patches: list[Patch], width: int) -> None:
    """Write the error cells and ISO date cells the passes cannot give back."""
    for col in sorted({p.col for p in patches if p.col <= width}):
        i = col - 1
        con.execute(
            f"UPDATE {_ident(table)} AS x SET c{i} = p.text, d{i} = p.d "
            f"FROM {_STAGED}p AS p WHERE p.row = x.row AND p.col = {col}"
        )


# --- the header rows cut out of the workbook -----------------------------------------------------------------

_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*>")
_ROW = re.compile(rb"\s*<(?:\w+:)?row\b([^>]*)>")
_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_ROW_NUMBER = re.compile(rb'\br="([0-9]{1,7})"')
_CELL_ROW = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="[A-Z]{1,3}([0-9]{1,7})"')
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b[^>/]*>")
_SHARED_INDEX = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="s"[^>]*>\s*<(?:\w+:)?v>\s*([0-9]{1,9})\s*<')
_SST = re.compile(rb"<((?:\w+:)?)sst\b[^>]*>")
_SST_ITEM_END = re.compile(rb"</(?:\w+:)?si>|<(?:\w+:)?si\b[^>]*/>")


def _head_workbook(found: Inspection, header_rows: int) -> tuple[int, bytes] | None:
    """Give the last header row and a workbook of the sheet cut after it (its parts up to there), or None
    when the sheet's head is not plain enough to cut (then the whole sheet is read carefully)."""
    cut = _header_cut(found.head, header_rows)
    if cut is None or found.part is None:
        return None
    last, end, prefix = cut
    sheet = found.head[:end] + b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
    parts = dict(found.parts)
    parts[found.part] = sheet
    if found.strings_part is not None:
        used = [int(m.group(1)) for m in _SHARED_INDEX.finditer(found.head, 0, end)]
        strings = _strings_cut(found.strings_head, max(used) + 1 if used else 0)
        if strings is None:
            return None
        parts[found.strings_part] = strings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return last, buffer.getvalue()


def _header_cut(head: bytes, header_rows: int) -> tuple[int, int, bytes] | None:
    """Give the row number of the `header_rows`-th row holding a value, where its element ends, and the
    sheet's namespace prefix; None unless the rows before it are in order and their cells in their rows."""
    data = _SHEET_DATA.search(head)
    if data is None or data.group(0).endswith(b"/>"):
        return None
    pos, last, valued, cut, cut_row = data.end(), 0, 0, None, 0
    while valued < header_rows:
        row = _ROW.match(head, pos)
        number = _ROW_NUMBER.search(row.group(1)) if row else None
        if row is None or number is None or int(number.group(1)) <= last:
            break
        if row.group(1).endswith(b"/"):
            body, pos = b"", row.end()
        else:
            end = _ROW_END.search(head, row.end())
            if end is None:
                break
            body, pos = head[row.end() : end.start()], end.end()
        last = int(number.group(1))
        if any(int(m.group(1)) != last for m in _CELL_ROW.finditer(body)):
            return None
        if _HAS_VALUE.search(body):  # the cut is after a row with a value (the reader's rows end at the last)
            valued, cut, cut_row = valued + 1, pos, last
    if cut is None:
        return None
    following = _ROW.match(head, cut)
    if following is not None:
        number = _ROW_NUMBER.search(following.group(1))
        if number is None or int(number.group(1)) <= cut_row:
            return None
    return cut_row, cut, data.group(1)


def _strings_cut(head: bytes, count: int) -> bytes | None:
    """Give the shared strings part cut after its first `count` strings, or None if its head holds fewer."""
    sst = _SST.search(head)
    if sst is None or sst.group(0).endswith(b"/>"):
        return None
    end = sst.end()
    if count:
        for n, item in enumerate(_SST_ITEM_END.finditer(head, sst.end()), start=1):
            if n == count:
                end = item.end()
                break
        else:
            return None
    return head[:end] + b"</" + sst.group(1) + b"sst>"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
