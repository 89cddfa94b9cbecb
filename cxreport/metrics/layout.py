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
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from ..loader import Origin, Project
from ..model import MetricSource
from ..problems import Problems, did_you_mean
from .exports import HEAD_RECORDS, NotThisFormat, header_name, read_header
from .sql import decimal_mark, lit

HEAD_BYTES = 1 << 20
KEY_COLUMNS = ("journey", "stage", "touchpoint", "segment", "variant")
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "cp1252": "cp1252", "latin-1": "latin-1"}
_SEP_LINE = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Layout:
    """Where the columns of one metric file are and how to read them."""

    kind: str  # 'csv' | 'parquet' | 'sheet' (an .xlsx sheet, loaded into a table)
    headers: tuple[str, ...]  # the file's column names, in order (white space collapsed)
    columns: dict[str, int]  # our column name -> 0-based index in headers
    delimiter: str = ","
    skip: int = 0  # records before the header: 1 with Excel's sep= line
    header_lines: int = 1  # physical lines of the header records
    parquet_types: dict[str, str] = field(default_factory=dict)  # header -> DuckDB type (parquet only)
    header_records: int = 1  # records the header takes: 3 for Qualtrics, 2 for SurveyMonkey
    status: int | None = None  # Qualtrics' Status column: preview, test and spam rows are skipped
    fixed: dict[str, str] = field(default_factory=dict)  # `at:` keys -> the id every row has
    newline_fix: bool = False  # the first line break lies in a quoted header cell and differs from the line ends
    header_bytes: int = 0  # bytes up to the first data record (csv), to tell an empty file from an unread one
    sheet: str | None = None  # the sheet's name (kind 'sheet')
    dated: frozenset[int] = frozenset()  # sheet columns holding cells Excel typed as dates

    @property
    def first_data_line(self) -> int:
        return self.skip + self.header_lines + 1

    @property
    def dateless(self) -> bool:
        """Tell whether the metric has no date column: its figures are for period 'all' only."""
        return "date" not in self.columns

    def header(self, name: str) -> str:
        """Give the file's header of one of our columns."""
        return self.headers[self.columns[name]]

    def col(self, name: str) -> int:
        """Give the 1-based column number of one of our columns (0 for a fixed key)."""
        return self.columns[name] + 1 if name in self.columns else 0

    def has(self, name: str) -> bool:
        """Tell whether the rows have a key: a column of the file or a fixed place (`at:`)."""
        return name in self.columns or name in self.fixed

    def located(self, columns: dict[str, int], fixed: dict[str, str]) -> Layout:
        """Give this layout with our columns located."""
        return replace(self, columns=columns, fixed=fixed)


def wanted_columns(source: MetricSource) -> tuple[str, ...]:
    """Give the columns a metric type reads, the required ones first."""
    return ("date", source.kind.number) + KEY_COLUMNS + ("respondent", "comment")


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
    body = text
    if sep_match:
        skip = 1
        delimiter = delimiter or sep_match.group(1)
        body = text.split("\n", 1)[1] if "\n" in text else ""
    if not body.strip():
        problems.error(
            rel,
            skip + 1,
            0,
            "the file has no header row",
            "export the data again with a header row naming the columns",
            code="csv-no-header",
        )
        return None
    delimiter = delimiter or _detect_delimiter(body.split("\n", 1)[0])
    found = _head_records(body, delimiter, 1 if source.format == "csv" else HEAD_RECORDS)
    if found is None:
        problems.error(
            rel, skip + 1, 0, "the header row cannot be read", "check the quotes in the first row", code="csv-unreadable"
        )
        return None
    records, ends = found
    try:
        header = read_header(source.format, records)
    except NotThisFormat as exc:
        problems.error(rel, skip + 1, 0, exc.message, exc.hint, code="export-format")
        return None
    header_lines = ends[header.records - 1]
    lines = text.split("\n")
    head_text = "".join(line + "\n" for line in lines[: skip + header_lines])
    bom = 3 if data.startswith(codecs.BOM_UTF8) and source.encoding == "utf-8" else 0
    header_bytes = bom + len(head_text.encode(source.encoding if source.encoding != "utf-8" else "utf-8", errors="replace"))
    return Layout(
        "csv",
        header.names,
        {},
        delimiter,
        skip,
        header_lines,
        header_records=header.records,
        status=header.status,
        newline_fix=skip == 0 and ends[0] > 1 and _first_break(text) != _line_end(lines, ends[0] - 1),
        header_bytes=header_bytes,
    )


def _head_records(body: str, delimiter: str, wanted: int) -> tuple[list[list[str]], list[int]] | None:
    """Give the first records of a file's text (up to wanted) and the physical line each ends on, None when unreadable.

    A record after the first that cannot be read is left to the reader of the rows, which says where.
    """
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    records: list[list[str]] = []
    ends: list[int] = []
    try:
        for record in reader:
            if not record:
                continue  # a blank line is no record (DuckDB skips it too)
            records.append(record)
            ends.append(reader.line_num)
            if len(records) == wanted:
                break
    except csv.Error:
        pass
    return (records, ends) if records else None


def _first_break(text: str) -> str:
    """Give the first line break of a text as DuckDB's reader takes it for the file's line ends."""
    at = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
    if at < 0:
        return ""
    return "\r\n" if text.startswith("\r\n", at) else text[at]


def _line_end(lines: list[str], index: int) -> str:
    """Give how physical line `index` (0-based) ends: CRLF or LF."""
    if index + 1 >= len(lines):
        return ""
    return "\r\n" if lines[index].endswith("\r") else "\n"


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
    if layout.kind not in ("parquet", "warehouse"):
        _warn_unnamed(layout, rel, problems)
    fixed = source.at.keys() if source.at is not None else {}
    columns: dict[str, int] = {}
    claimed: set[str] = set()
    ok = True
    for name in wanted_columns(source):
        mapped = getattr(source.columns, name)
        if name in fixed:
            if mapped is not None:
                line, col = project.site_origin.key_at("metrics", index, "at", name)
                problems.error(
                    project.site_origin.path,
                    line,
                    col,
                    f"metric '{source.id}' has 'at: {{{name}: {fixed[name]}}}' and also maps a {name} column",
                    f"keep one: 'at:' puts every row at {name} '{fixed[name]}'; a column gives each row its own",
                    code="metric-at-and-column",
                )
                ok = False
            continue
        header = header_name(mapped) if mapped is not None else name
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
    if layout.kind not in ("parquet", "warehouse"):
        _warn_repeated(layout, rel, positions, claimed, problems)
    if ok:
        ok = _check_stage_column(source, index, rel, project.site_origin, columns, fixed, problems)
    ok = _check_marks(layout, source, index, project.site_origin, problems) and ok
    if ok and "date" not in columns:
        line, col = project.site_origin.at("metrics", index)
        problems.warning(
            project.site_origin.path,
            line,
            col,
            f"metric '{source.id}': {rel} has no date column, so its figures are for the whole time only (period 'all')",
            "map the column that holds each answer's date under 'columns:', e.g. 'date: RecordedDate', "
            "to see the figures per period",
            code="metric-without-date",
        )
    if not ok:
        return None
    return layout.located(columns, fixed)


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
    if name == source.kind.number:  # the required column
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
    source: MetricSource,
    index: int,
    rel: str,
    origin: Origin,
    columns: dict[str, int],
    fixed: dict[str, str],
    problems: Problems,
) -> bool:
    """Report a kind counted per stage (a funnel) whose file has no stage or touchpoint column; give whether it has one."""
    if source.kind.staged and not ({"stage", "touchpoint"} & (set(columns) | set(fixed))):
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
