"""The layout of a metric file: its dialect, its header and where our columns sit in it.

Only the head of a CSV file is read here (in Python); the rows are DuckDB's. A CSV file's
dialect is never sniffed from its rows: the delimiter is declared, named by Excel's `sep=`
first line, or taken from the header line; the quote is always `"`, doubled to escape.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..loader import Origin, Project
from ..model import MetricSource
from ..problems import Problems, did_you_mean
from .sql import decimal_mark, lit

HEAD_BYTES = 1 << 20
KEY_COLUMNS = ("journey", "stage", "touchpoint", "segment", "variant")
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "cp1252": "cp1252", "latin-1": "latin-1"}
_SEP_LINE = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Layout:
    """Where the columns of one metric file are and how to read them."""

    kind: str  # 'csv' | 'parquet'
    headers: tuple[str, ...]  # the file's column names, in order
    columns: dict[str, int]  # our column name -> 0-based index in headers
    delimiter: str = ","
    skip: int = 0  # lines before the header: 1 with Excel's sep= line
    header_lines: int = 1  # physical lines of the header record
    parquet_types: dict[str, str] = field(default_factory=dict)  # header -> DuckDB type (parquet only)

    @property
    def first_data_line(self) -> int:
        return self.skip + self.header_lines + 1

    def header(self, name: str) -> str:
        """Give the file's header of one of our columns."""
        return self.headers[self.columns[name]]

    def col(self, name: str) -> int:
        """Give the 1-based column number of one of our columns."""
        return self.columns[name] + 1


def wanted_columns(source: MetricSource) -> tuple[str, ...]:
    """Give the columns a metric type reads, the required ones first."""
    return ("date", source.kind.number) + KEY_COLUMNS


def declared_delimiter(source: MetricSource) -> str | None:
    return "\t" if source.delimiter == "tab" else source.delimiter


def decode_error_line(data: bytes, offset: int) -> int:
    """Give the line (1-based) on which a byte offset lies."""
    return data.count(b"\n", 0, offset) + 1


def encoding_problem(problems: Problems, rel: str, line: int, source: MetricSource) -> None:
    other = "cp1252" if source.encoding == "utf-8" else "utf-8"
    problems.error(
        rel,
        line,
        0,
        f"line {line} is not valid {source.encoding} text (the file is read as {source.encoding})",
        f"declare 'encoding: {other}' for metric '{source.id}' in site.yml, "
        f"or save the file as {'UTF-8' if other == 'cp1252' else other} (in Excel: 'CSV UTF-8')",
        code="csv-encoding",
    )


def _detect_delimiter(line: str) -> str:
    """Give the delimiter of a header line: the most frequent of ; , and tab outside quotes (',' on a tie)."""
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts.values())
    if best == 0:
        return ","
    return next(d for d in (",", ";", "\t") if counts[d] == best)


def inspect_csv(path: Path, rel: str, source: MetricSource, problems: Problems) -> Layout | None:
    """Give a CSV file's layout read from its head, or None with a problem when the head is unusable."""
    with path.open("rb") as f:
        data = f.read(HEAD_BYTES)
    decoder = codecs.getincrementaldecoder(CSV_ENCODINGS[source.encoding])()
    try:
        text = decoder.decode(data, final=len(data) < HEAD_BYTES)
    except UnicodeDecodeError as exc:
        good = data[: exc.start]
        text = good.decode(CSV_ENCODINGS[source.encoding], errors="ignore")
        if "\n" not in text:  # the header itself is unreadable; a later bad line is reported by the row pass
            encoding_problem(problems, rel, decode_error_line(data, exc.start), source)
            return None
    if not text.strip():
        problems.error(
            rel,
            1,
            0,
            "the file is empty: it has no header row",
            "export the data again with a header row naming the columns",
            code="csv-no-header",
        )
        return None
    first_line = text.split("\n", 1)[0].rstrip("\r")
    skip = 0
    sep_match = _SEP_LINE.match(first_line)
    delimiter = declared_delimiter(source)
    if sep_match:
        skip = 1
        delimiter = delimiter or sep_match.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    if not text.strip():
        problems.error(
            rel,
            skip + 1,
            0,
            "the file has no header row",
            "export the data again with a header row naming the columns",
            code="csv-no-header",
        )
        return None
    delimiter = delimiter or _detect_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    try:
        raw_headers = next(reader)
    except (StopIteration, csv.Error):
        problems.error(
            rel, skip + 1, 0, "the header row cannot be read", "check the quotes in the first row", code="csv-unreadable"
        )
        return None
    header_lines = reader.line_num
    headers = tuple(h.strip() for h in raw_headers)
    return Layout("csv", headers, {}, delimiter, skip, header_lines)


def inspect_parquet(con: duckdb.DuckDBPyConnection, path: Path, rel: str, problems: Problems) -> Layout | None:
    """Give a Parquet file's layout from its schema, or None with a problem when it is not Parquet."""
    try:
        schema = con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(str(path))})").fetchall()
    except duckdb.Error as exc:
        problems.error(
            rel,
            0,
            0,
            f"the file cannot be read as Parquet: {str(exc).splitlines()[0]}",
            "export it again as Parquet, or as CSV with a .csv name",
            code="parquet-unreadable",
        )
        return None
    headers = tuple(row[0] for row in schema)
    return Layout("parquet", headers, {}, parquet_types={row[0]: row[1] for row in schema})


def map_columns(
    layout: Layout, source: MetricSource, index: int, rel: str, project: Project, problems: Problems
) -> Layout | None:
    """Give the layout with our columns located in the file, or None with problems.

    A column is used when it is mapped under `columns:` or, unmapped, when the file has a
    header with our name. A mapped header missing from the file is an error at its line in
    site.yml; a header we use that appears twice is an error in the file.
    """
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(layout.headers):
        positions.setdefault(h, []).append(i)
    if layout.kind == "csv":
        _warn_unnamed(layout, rel, problems)
    columns: dict[str, int] = {}
    claimed: set[str] = set()
    ok = True
    for name in wanted_columns(source):
        mapped = getattr(source.columns, name)
        header = mapped if mapped is not None else name
        claimed.add(header)
        if header not in positions:
            ok = _report_absent(layout, source, index, rel, project.site_origin, name, problems) and ok
            continue
        where = positions[header]
        if len(where) > 1:
            _report_twice(layout, rel, header, name, where, problems)
            ok = False
            continue
        columns[name] = where[0]
    if layout.kind == "csv":
        _warn_repeated(layout, rel, positions, claimed, problems)
    if ok:
        ok = _check_stage_column(source, index, rel, project.site_origin, columns, problems)
    ok = _check_marks(layout, source, index, project.site_origin, problems) and ok
    if not ok:
        return None
    return Layout(layout.kind, layout.headers, columns, layout.delimiter, layout.skip, layout.header_lines, layout.parquet_types)


def _warn_unnamed(layout: Layout, rel: str, problems: Problems) -> None:
    """Warn of each CSV column without a header: it is ignored."""
    header_line = layout.skip + 1
    for i, h in enumerate(layout.headers):
        if not h:
            problems.warning(
                rel,
                header_line,
                i + 1,
                f"column {i + 1} has no header; it is ignored",
                "name the column in the header row, or remove it",
                code="csv-unnamed-column",
            )


def _report_absent(
    layout: Layout, source: MetricSource, index: int, rel: str, origin: Origin, name: str, problems: Problems
) -> bool:
    """Report one of our columns the file lacks: an error when it is mapped or required; give whether all is well."""
    mapped = getattr(source.columns, name)
    if mapped is not None:
        line, col = origin.at("metrics", index, "columns", name)
        problems.error(
            origin.path,
            line,
            col,
            f"metric '{source.id}': column '{mapped}' ({name}) is not in {rel}",
            did_you_mean(mapped, [h for h in layout.headers if h], "headers"),
            code="missing-column",
        )
        return False
    if name in ("date", source.kind.number):  # the required columns
        line, col = (
            origin.at("metrics", index, "columns")
            if ("metrics", index, "columns") in origin.locator.values
            else origin.at("metrics", index)
        )
        shown = ", ".join(f"'{h}'" for h in layout.headers if h)
        problems.error(
            origin.path,
            line,
            col,
            f"metric '{source.id}': {rel} has no column '{name}'",
            f"map it under 'columns:', e.g. '{name}: <header>'; the file's headers are {shown}",
            code="missing-column",
        )
        return False
    return True


def _report_twice(layout: Layout, rel: str, header: str, name: str, where: list[int], problems: Problems) -> None:
    """Report a header we use that names more than one column."""
    header_line = layout.skip + 1
    problems.error(
        rel,
        header_line,
        where[1] + 1,
        f"header '{header}' appears in columns {' and '.join(str(w + 1) for w in where)}; "
        f"cxreport cannot tell which one is the {name}",
        "give each column its own header",
        code="csv-duplicate-header",
    )


def _warn_repeated(layout: Layout, rel: str, positions: dict[str, list[int]], claimed: set[str], problems: Problems) -> None:
    """Warn of each repeated CSV header we do not use: those columns are ignored."""
    header_line = layout.skip + 1
    for h, where in positions.items():
        if h and len(where) > 1 and h not in claimed:
            problems.warning(
                rel,
                header_line,
                where[1] + 1,
                f"header '{h}' appears more than once; these columns are ignored",
                "give each column its own header",
                code="csv-duplicate-header",
            )


def _check_stage_column(
    source: MetricSource, index: int, rel: str, origin: Origin, columns: dict[str, int], problems: Problems
) -> bool:
    """Report a kind counted per stage (a funnel) whose file has no stage or touchpoint column; give whether it has one."""
    if source.kind.staged and "stage" not in columns and "touchpoint" not in columns:
        line, col = origin.at("metrics", index)
        problems.error(
            origin.path,
            line,
            col,
            f"metric '{source.id}': a funnel needs a stage column, and {rel} has none",
            "map it under 'columns:', e.g. 'stage: Stage'",
            code="missing-column",
        )
        return False
    return True


def _check_marks(layout: Layout, source: MetricSource, index: int, origin: Origin, problems: Problems) -> bool:
    """Report a thousands separator that is also the decimal mark; give whether they differ."""
    decimal = decimal_mark(source, layout.delimiter) if layout.kind == "csv" else (source.decimal or ".")
    if source.thousands and source.thousands == decimal:
        line, col = origin.at("metrics", index, "thousands")
        problems.error(
            origin.path,
            line,
            col,
            f"metric '{source.id}': thousands separator and decimal mark are both '{source.thousands}'",
            "they must differ, e.g. 'decimal: \",\"' with 'thousands: \".\"'",
            code="number-separators",
        )
        return False
    return True
