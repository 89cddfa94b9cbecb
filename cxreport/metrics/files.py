"""The file DuckDB reads for a metric: checked as text, made UTF-8, and read once however many metrics use it.

DuckDB reads UTF-8 only as cxreport needs it: its latin-1 reader refuses the bytes 0x80-0x9F and
it checks the encoding only of the columns a query reads. So a file is checked here as a whole
(an encoding error anywhere is reported at its line, in a column cxreport uses or not), and a
cp1252 or latin-1 file is read through a UTF-8 copy. DuckDB also takes the file's line ends
from its first line break: when that break lies inside a quoted header cell and differs from
the line ends (a Google Forms export: CRLF rows, an LF inside a question), it reads no rows at
all, so such a file is read through a copy whose header breaks match its line ends.
"""

from __future__ import annotations

import codecs
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..model import MetricSource
from ..problems import Problems
from .layout import Layout, decode_error_line, encoding_problem

BLOCK = 1 << 22
PYTHON_CODECS = {"utf-8": "utf-8-sig", "cp1252": "cp1252", "latin-1": "latin-1"}


@dataclass(frozen=True)
class FileRef:
    """What DuckDB reads for a metric and the path problems name.

    path: a UTF-8 file (the original, or a copy); table: when set, the records are in this DuckDB table instead
    (a file several metrics read, loaded once, or an .xlsx sheet), with a column rid and the columns c0, c1 ...
    """

    path: Path
    rel: str
    encoding: str
    table: str | None = None
    skipped: bool = False  # the table has a column skipped: a survey preview, test or spam (Qualtrics' Status)
    dates: tuple[tuple[tuple[int, str | None], str], ...] = ()  # ((column, date_format), column of its parsed dates)

    def parsed_date(self, column: int, date_format: str | None) -> str | None:
        """Give the table's column of a date column already parsed with a date_format, if the load made one."""
        return dict(self.dates).get((column, date_format))


MAX_LINE = 2 << 20  # DuckDB's longest line; a longer last line would be dropped without a word
NUL_RUN = b"\0" * 64  # binary data, or a file padded with zeros: DuckDB drops the records around it silently


def check_text(path: Path, rel: str, source: MetricSource, problems: Problems) -> bool:
    """Tell whether a whole file is text cxreport reads in full, with a problem at the line where it is not.

    Over the whole file, in blocks: no run of NUL bytes (binary data, or a file padded with zeros, of which
    DuckDB would drop the records silently), valid UTF-8 when it is read as UTF-8, and a last line DuckDB reads
    (a longer one it drops without a word; a longer line elsewhere it reports itself).
    """
    decoder = codecs.getincrementaldecoder("utf-8")() if source.encoding == "utf-8" else None
    offset = 0
    since_break = 0  # bytes after the last line break so far
    tail = b""  # the end of the block before, so a run of NULs across two blocks is seen
    with path.open("rb") as f:
        while True:
            block = f.read(BLOCK)
            nul = (tail + block).find(NUL_RUN)  # one NUL in a cell is a row problem (a control character)
            if nul >= 0:
                _report_nul(path, rel, offset - len(tail) + nul, problems)
                return False
            tail = block[-len(NUL_RUN) :]
            # ASCII is valid UTF-8 and checks at memory speed; only other bytes (and a character cut by the
            # block before) go through the decoder
            if decoder is not None and (not block.isascii() or decoder.getstate()[0] or not block):
                try:
                    decoder.decode(block, final=not block)
                except UnicodeDecodeError as exc:
                    _report_at(path, rel, offset + exc.start, source, problems)
                    return False
            if not block:
                break
            last = block.rfind(b"\n")
            since_break = len(block) - last - 1 if last >= 0 else since_break + len(block)
            offset += len(block)
    if since_break > MAX_LINE:
        problems.error(
            rel,
            _line_of(path, offset - since_break),
            0,
            f"the last line is too long to be a row ({since_break / 1048576:.0f} MB; a row is at most 2 MB)",
            "check for a quote that is never closed, or data pasted at the end of the file; export the file again",
            code="csv-unreadable",
        )
        return False
    return True


def _line_of(path: Path, offset: int) -> int:
    """Give the line (1-based) holding byte `offset`, counting line breaks a block at a time."""
    lines = 0
    with path.open("rb") as f:
        done = 0
        while done < offset:
            block = f.read(min(BLOCK, offset - done))
            if not block:
                break
            lines += block.count(b"\n")
            done += len(block)
    return lines + 1


def _report_nul(path: Path, rel: str, offset: int, problems: Problems) -> None:
    problems.error(
        rel,
        _line_of(path, offset),
        0,
        "the file holds NUL bytes (binary data) from this line on, so it is not a CSV file cxreport can read in full",
        "export the data again as CSV; a file padded with zeros or a spreadsheet saved with a .csv name gives this",
        code="csv-unreadable",
    )


def _report_at(path: Path, rel: str, offset: int, source: MetricSource, problems: Problems) -> None:
    """Report an encoding error at the line holding byte `offset`."""
    encoding_problem(problems, rel, _line_of(path, offset), source)


GLOB_CHARACTERS = set("*?[]{}")


def duckdb_path(path: Path, folder: Path) -> Path:
    """Give the path DuckDB opens for a file: exactly that file, never a pattern.

    DuckDB expands glob characters in a path it reads (metrics/csat*.csv reads every match), so the real
    file is named through a link with a plain name when its path holds one; the link names the resolved
    file, which the path check approved.
    """
    real = path.resolve()
    if not GLOB_CHARACTERS & set(str(real)):
        return real
    folder.mkdir(parents=True, exist_ok=True)
    suffix = real.suffix if not GLOB_CHARACTERS & set(real.suffix) else ""
    link = folder / ("file" + suffix)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(real)
    return link


def utf8_copy(path: Path, rel: str, source: MetricSource, layout: Layout, folder: Path, problems: Problems) -> Path | None:
    """Give a UTF-8 copy of a file in another encoding, or with its header's line breaks made like its line ends.

    None with a problem when the file's bytes are not valid in its declared encoding.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (path.name + ".utf8")
    codec = PYTHON_CODECS[source.encoding]
    bad = None
    with path.open("rb") as src, target.open("wb") as dst:
        head = src.read(layout.header_bytes) if layout.newline_fix else b""
        if head:
            dst.write(_header_breaks(head.decode(codec, errors="replace"), layout).encode("utf-8"))
        if source.encoding == "utf-8":
            shutil.copyfileobj(src, dst, BLOCK)
        else:
            decoder = codecs.getincrementaldecoder(codec)()
            offset = len(head)
            while True:
                block = src.read(BLOCK)
                try:
                    dst.write(decoder.decode(block, final=not block).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    bad = offset + exc.start
                    break
                if not block:
                    break
                offset += len(block)
    if bad is not None:
        with path.open("rb") as f:
            line = decode_error_line(f.read(bad + 1), bad)
        encoding_problem(problems, rel, line, source)
        return None
    return target


def _header_breaks(head: str, layout: Layout) -> str:
    """Give the header records with every line break inside them written as the file's line ends (same line count)."""
    crlf = head.endswith("\r\n")  # the header's own last line end is the file's
    unified = head.replace("\r\n", "\n")
    return unified.replace("\n", "\r\n") if crlf else unified


def needs_copy(source: MetricSource, layout: Layout) -> bool:
    """Tell whether DuckDB must read a copy of a CSV file: another encoding, or line breaks it would misread."""
    return source.encoding != "utf-8" or layout.newline_fix
