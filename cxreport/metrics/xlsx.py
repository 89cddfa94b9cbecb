"""Excel workbooks (.xlsx): one sheet loaded into a DuckDB table. (The reader lands in its own change.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


class SheetRefused(Exception):
    """The workbook or sheet cannot be read: code, message, hint, and whether the `sheet:` value is the cause."""

    def __init__(self, code: str, message: str, hint: str, on_sheet: bool = False) -> None:
        super().__init__(message)
        self.code, self.message, self.hint, self.on_sheet = code, message, hint, on_sheet


@dataclass(frozen=True)
class SheetTable:
    sheet: str
    width: int
    rows: int


def load_sheet(con: duckdb.DuckDBPyConnection, table: str, path: Path, sheet: str | int | None) -> SheetTable:
    raise SheetRefused("xlsx-refused", "this version of cxreport cannot read .xlsx yet", "save the sheet as CSV")


def cell_name(row: int, col: int) -> str:
    """Give a cell's name as Excel shows it: (14, 2) -> B14."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"
