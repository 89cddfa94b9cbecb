"""The figures as CSV files to download, one per metric (figures.json and experiments.json: cxreport.metrics.output)."""

from __future__ import annotations

import csv
import io
import re

from ..figures import Figure
from ..kinds import KINDS
from ..metrics.output import rounded

FIGURE_COLUMNS = (
    "metric",
    "type",
    "period",
    "journey",
    "stage",
    "touchpoint",
    "segment",
    "variant",
    "n",
    "value",
    "margin",
    "conversion",
    "status",
)
TEXT_COLUMNS = {"metric", "type", "period", "journey", "stage", "touchpoint", "segment", "variant", "status"}
# A spreadsheet runs a cell that starts with one of these as a formula (the full-width forms too, which some
# spreadsheets read as the ASCII ones)...
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# ... also after characters it skips or does not show: spaces of every kind, control and format characters
# (zero-width space, byte-order mark, direction marks).
_SKIPPED = re.compile(r"[\s\x00-\x1f\x7f-\xa0\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]*")


def safe_cell(column: str, value: object, decimal: str) -> str:
    """Give a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if column in TEXT_COLUMNS:
        text = str(value)
        hidden = _SKIPPED.match(text).end()  # type: ignore[union-attr]  # matches at least ''
        return "'" + text if text.startswith(FORMULA_START) or text[hidden:].startswith(FORMULA_START) else text
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value) if isinstance(value, float) else str(value)
    return text.replace(".", decimal) if decimal != "." else text


def metric_csv(figures: list[Figure], language: str) -> bytes:
    """Give one metric's figures as CSV for a spreadsheet: UTF-8 with BOM; ';' and decimal comma in Dutch.

    The numbers are those of figures.json (rounded: not 60.00000000000001).
    """
    delimiter, decimal = (";", ",") if language == "nl" else (",", ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(FIGURE_COLUMNS)
    texts: dict = {}  # ids and periods repeat across hundreds of thousands of figures: judge each once

    def text(v: str | None) -> str:
        cell = texts.get(v)
        if cell is None:
            cell = texts[v] = safe_cell("metric", v, decimal)
        return cell

    def number(v) -> str:
        if v is None:
            return ""
        out = repr(v) if type(v) is float else str(v)
        return out.replace(".", decimal) if decimal != "." else out

    write = writer.writerow  # row by row: half a million rows held as cells at once would cost more than the file
    for f in figures:
        value, margin, conversion = rounded(f)
        if not KINDS[f.type].staged:
            conversion = f.conversion
        write(
            (
                text(f.metric),
                text(f.type),
                text(f.period),
                text(f.journey),
                text(f.stage),
                text(f.touchpoint),
                text(f.segment),
                text(f.variant),
                number(f.n),
                number(value),
                number(margin),
                number(conversion),
                text(f.status),
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
