"""Source files: each metric file read once, however many metrics read it.

Metrics that name the same file with the same way of reading it (format, sheet, encoding,
delimiter) share one SourceFile. Its layout is read once from the head; the first metric that
must read rows makes the file ready (the encoding checked over the whole file, a UTF-8 copy
when DuckDB needs one) and, when more than one metric reads it, loads the columns they use
into one table that each of them then counts. An .xlsx sheet is always loaded into a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..model import MetricSource
from ..problems import Problems
from . import xlsx
from .exports import NotThisFormat, read_header
from .files import FileRef, check_text, duckdb_path, needs_copy, utf8_copy
from .layout import Layout, inspect_csv, inspect_parquet
from .read import load_shared
from .unparsable import report_unparsable

PARQUET_SUFFIXES = (".parquet", ".pq")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
OLD_EXCEL_SUFFIXES = (".xls",)


def file_kind(path: Path) -> str:
    """Give how a metric file is read, by its name: csv, parquet or sheet."""
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in XLSX_SUFFIXES or suffix in OLD_EXCEL_SUFFIXES:
        return "sheet"
    return "csv"


def file_key(path: Path, source: MetricSource) -> tuple:
    """Give what makes two metrics read a file the same way (then the file is read once for both)."""
    return (str(path.resolve()), source.format, source.sheet, source.encoding, source.delimiter)


# the header rows of each format, which the sheet reader reads apart from the data rows (a speed hint only)
_SHEET_HEADER_ROWS = {"qualtrics": 3, "surveymonkey": 2}


def _load(con: duckdb.DuckDBPyConnection, table: str, path: Path, source: MetricSource) -> xlsx.SheetTable:
    """Load a sheet by name or number; YAML gives `sheet: 2` as text, so digits name a sheet or else count one."""
    sheet, rows = source.sheet, _SHEET_HEADER_ROWS.get(source.format, 1)
    try:
        return xlsx.load_sheet(con, table, path, sheet, header_rows=rows)
    except xlsx.SheetRefused as exc:
        if exc.on_sheet and isinstance(sheet, str) and sheet.strip().isdigit():
            return xlsx.load_sheet(con, table, path, int(sheet), header_rows=rows)
        raise


@dataclass
class SourceFile:
    """One file as the metrics that read it see it: its layout, and its records once they are needed."""

    con: duckdb.DuckDBPyConnection
    name: str  # a prefix for its tables
    path: Path
    rel: str
    source: MetricSource  # the first metric that reads it (names the declaration in problems)
    scratch: Path
    layout: Layout | None = None  # the header, before any metric's columns are located
    readers: int = 0  # metrics that read it
    layouts: list[tuple[Layout, MetricSource]] = field(default_factory=list)  # each reader's located layout
    checked: dict[tuple, bool] = field(default_factory=dict)  # respondent checks done: (column, status) -> unique
    _ref: FileRef | None = None
    _failed: bool = False

    def __post_init__(self) -> None:
        self.read_path = duckdb_path(self.path, self.scratch / self.name)  # exactly this file, never a pattern

    def inspect(self, problems: Problems, sheet_error) -> Layout | None:
        """Give the file's layout (its header), read once; None with problems when it cannot be read."""
        if self.layout is not None or self._failed:
            return self.layout
        kind = file_kind(self.path)
        try:
            if kind == "parquet":
                self.layout = inspect_parquet(self.con, self.read_path, self.rel, problems)
            elif kind == "sheet":
                self.layout = self._load_sheet(problems, sheet_error)
            else:
                self.layout = inspect_csv(self.path, self.rel, self.source, problems)
        except OSError as exc:
            self._unreadable(exc, problems)
        self._failed = self.layout is None
        return self.layout

    def _unreadable(self, exc: OSError, problems: Problems) -> None:
        problems.error(
            self.rel,
            0,
            0,
            f"the file cannot be read: {exc.strerror or exc}",
            "check that the file may be read by the user running cxreport (its permissions), and that it is a file",
            code="file-unreadable",
        )

    def _load_sheet(self, problems: Problems, sheet_error) -> Layout | None:
        """Load an .xlsx sheet into a table and read its header rows; None with a problem when it is refused."""
        table = f"{self.name}_sheet"
        try:
            sheet = _load(self.con, table, self.path, self.source)
        except xlsx.SheetRefused as exc:
            if exc.on_sheet:
                sheet_error(exc.message, exc.hint, exc.code)
            else:
                problems.error(self.rel, 0, 0, exc.message, exc.hint, code=exc.code)
            return None
        width = sheet.width
        cells = ", ".join(f"c{i}" for i in range(width))
        head = self.con.execute(f'SELECT "row", {cells} FROM {table} ORDER BY "row" LIMIT 3').fetchall()
        if not head:
            problems.error(
                self.rel,
                0,
                0,
                f"sheet '{sheet.sheet}' is empty: it has no header row",
                "put the answers in the sheet with a header row naming the columns, or name another sheet with 'sheet:'",
                code="csv-no-header",
            )
            return None
        try:
            header = read_header(self.source.format, [row[1:] for row in head])
        except NotThisFormat as exc:
            problems.error(self.rel, head[0][0], 0, exc.message + f" (sheet {sheet.sheet})", exc.hint, code="export-format")
            return None
        last = head[header.records - 1][0]
        self._ref = FileRef(self.path, self.rel, "utf-8", f'(SELECT "row" AS rid, * FROM {table} WHERE "row" > {last})')
        return Layout(
            "sheet",
            header.names,
            {},
            skip=head[0][0] - 1,
            header_lines=last - head[0][0] + 1,
            header_records=header.records,
            status=header.status,
            sheet=sheet.sheet,
            dated=sheet.dated,
        )

    def ref(self, problems: Problems) -> FileRef | None:
        """Give the records DuckDB reads, made ready when first needed; None when the file cannot be read."""
        if self._ref is not None or self._failed:
            return self._ref
        layout = self.layout
        assert layout is not None, "inspect() comes first"
        try:
            self._ref = self._ready(layout, problems)
        except OSError as exc:
            self._unreadable(exc, problems)
        self._failed = self._ref is None
        return self._ref

    def _ready(self, layout: Layout, problems: Problems) -> FileRef | None:
        ref = FileRef(self.read_path, self.rel, self.source.encoding)
        if layout.kind == "csv":
            if not check_text(self.path, self.rel, self.source, problems):
                return None
            if needs_copy(self.source, layout):
                copy = utf8_copy(self.path, self.rel, self.source, layout, self.scratch / self.name, problems)
                if copy is None:
                    return None
                ref = FileRef(copy, self.rel, "utf-8")
            if self.readers > 1 and self.layouts:
                try:
                    ref = load_shared(self.con, f"{self.name}_rows", ref, self.layouts)
                except duckdb.Error as exc:
                    report_unparsable(self.con, f"{self.name}_rejects", ref, layout, self.source, exc, problems, 20)
                    return None
        return ref

    def close(self) -> None:
        """Drop the tables of the file's records: the tallies are made."""
        for suffix in ("_rows", "_sheet"):
            self.con.execute(f"DROP TABLE IF EXISTS {self.name}{suffix}")
