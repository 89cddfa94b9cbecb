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


def check_utf8(path: Path, rel: str, source: MetricSource, problems: Problems) -> bool:
    """Tell whether a whole file is valid UTF-8, with a problem at the line of the first bad byte when it is not."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as f:
        while True:
            block = f.read(BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                _report_at(path, rel, offset + exc.start, source, problems)
                return False
            if not block:
                return True
            offset += len(block)


def _report_at(path: Path, rel: str, offset: int, source: MetricSource, problems: Problems) -> None:
    """Report an encoding error at the line holding byte `offset`, counting line breaks a block at a time."""
    lines = 0
    with path.open("rb") as f:
        done = 0
        while done < offset:
            block = f.read(min(BLOCK, offset - done))
            if not block:
                break
            lines += block.count(b"\n")
            done += len(block)
    encoding_problem(problems, rel, lines + 1, source)


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
