"""The figures as CSV files to download, one per metric (figures.json and experiments.json: cxreport.metrics.output)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import BinaryIO

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
SLICE = 65_536  # figures whose lines are held as text at once (write_data)


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


def _csv_cell(text: str, delimiter: str) -> str:
    """Give a text cell as csv.writer writes it (QUOTE_MINIMAL), the formula guard applied first."""
    if any(c in text for c in (delimiter, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


def data_texts(
    figures: Sequence[Figure], metrics: Sequence[str], language: str, slice_size: int = SLICE
) -> tuple[bytes, dict[str, bytes]]:
    """Give figures.json's bytes and each metric's CSV (metric_csv): write_data into memory."""
    json_file = io.BytesIO()
    csv_files = {m: io.BytesIO() for m in metrics}
    write_data(figures, metrics, language, json_file, csv_files, slice_size)
    return json_file.getvalue(), {m: f.getvalue() for m, f in csv_files.items()}


def write_data(
    figures: Sequence[Figure],
    metrics: Sequence[str],
    language: str,
    json_file: BinaryIO,
    csv_files: Mapping[str, BinaryIO],
    slice_size: int = SLICE,
) -> None:
    """Write figures.json and each metric's CSV (metric_csv) in one pass over the figures: the same bytes as
    figures_json and metric_csv give (tests hold them equal), made in a third of their time.

    A large handbook has half a million figures, and a figure's place (journey, stage, touchpoint, segment,
    variant) recurs in every period: each place is written once per file, then joined to each figure's numbers.
    The text is written a slice of figures at a time: the 100 MB of figures.json at L is never held at once.
    """
    delimiter, decimal = (";", ",") if language == "nl" else (",", ".")
    header = ("\ufeff" + delimiter.join(_csv_cell(c, delimiter) for c in FIGURE_COLUMNS) + "\r\n").encode("utf-8")
    for m in metrics:
        csv_files[m].write(header)
    if not figures:
        json_file.write(b'{"figures": []}\n')
        return
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    json_texts: dict = {None: "null"}
    csv_texts: dict = {None: ""}

    def jtext(v: str | None) -> str:
        out = json_texts.get(v)
        if out is None:
            out = json_texts[v] = encode(v)
        return out

    def ctext(v: str | None) -> str:
        out = csv_texts.get(v)
        if out is None:
            out = csv_texts[v] = _csv_cell(safe_cell("metric", v, decimal), delimiter)
        return out

    def cnum(v) -> str:
        if v is None:
            return ""
        out = repr(v) if type(v) is float else str(v)
        return out.replace(".", decimal) if decimal != "." else out

    lines: list[str] = []
    rows: list[str] = []
    places: dict[tuple, tuple[str, str]] = {}  # a metric's places, written once for all its slices
    start = 0
    json_file.write(b'{"figures": [\n')
    while start < len(figures):  # one metric at a time (its kind, its file), slice_size figures at most
        metric = figures[start].metric
        end = start
        while end < len(figures) and end - start < slice_size and figures[end].metric == metric:
            end += 1
        if start and figures[start - 1].metric != metric:
            places.clear()
        _metric_texts(figures[start:end], lines, rows, places, jtext, ctext, cnum, delimiter, decimal)
        json_file.write((",\n" if start else "").encode("utf-8") + ",\n".join(lines).encode("utf-8"))
        if metric in csv_files:  # figures of a metric site.yml no longer declares have no file
            csv_files[metric].write("".join(rows).encode("utf-8"))
        lines.clear()
        rows.clear()
        start = end
    json_file.write(b"\n]}\n")


def _metric_texts(figures, lines: list[str], rows: list[str], places: dict, jtext, ctext, cnum, d: str, decimal: str) -> None:
    """Add figures of one metric to figures.json's lines and its CSV rows (the rounding of output.rounded);
    places: the texts of the places met before in this metric."""
    kind = KINDS[figures[0].type]
    decimals, staged = kind.decimals, kind.staged
    head_j = f'  {{"metric": {jtext(figures[0].metric)}, "type": {jtext(figures[0].type)}, "period": '
    head_c = f"{ctext(figures[0].metric)}{d}{ctext(figures[0].type)}{d}"
    by_period: dict[str, tuple[str, str]] = {}
    # a rounded number's texts (figures.json, CSV): an NPS has at most 2,001 values at one decimal (floats only:
    # after rounding every value and margin but a count's value is a float, and -0.0 has become 0.0)
    numbers: dict[float | None, tuple[str, str]] = {None: ("null", "")}
    number_of = numbers.get
    isfinite = math.isfinite
    add_line, add_row = lines.append, rows.append
    for _, _, period, j, s, t, g, v, n, value, margin, conversion, status, missing in figures:
        texts = places.get((j, s, t, g, v))
        if texts is None:
            texts = places[(j, s, t, g, v)] = (
                f'"journey": {jtext(j)}, "stage": {jtext(s)}, "touchpoint": {jtext(t)}, "segment": {jtext(g)}, '
                f'"variant": {jtext(v)}, "n": ',
                d.join((ctext(j), ctext(s), ctext(t), ctext(g), ctext(v))) + d,
            )
        jv: tuple[str, str] | None
        if decimals is None:  # a whole count: its own text (5 and 5.0 are one key of a dict)
            value = int(value)
            jv = (str(value), str(value))
            margin = None if margin is None or not isfinite(margin) else round(margin, 4) + 0.0
        else:
            value = None if value is None or not isfinite(value) else round(value, decimals) + 0.0
            margin = None if margin is None or not isfinite(margin) else round(margin, decimals) + 0.0
            jv = number_of(value)
            if jv is None:
                text = repr(value)
                jv = numbers[value] = (text, text.replace(".", decimal))
        heads = by_period.get(period)
        if heads is None:
            heads = by_period[period] = (f"{head_j}{jtext(period)}, ", f"{head_c}{ctext(period)}{d}")
        jm = number_of(margin)
        if jm is None:
            text = repr(margin)
            jm = numbers[margin] = (text, text.replace(".", decimal))
        if staged:
            conversion = None if conversion is None or not isfinite(conversion) else round(conversion, 4) + 0.0
            jc = number_of(conversion)
            if jc is None:
                text = repr(conversion)
                jc = numbers[conversion] = (text, text.replace(".", decimal))
            line = f'{heads[0]}{texts[0]}{n}, "value": {jv[0]}, "margin": {jm[0]}, "conversion": {jc[0]}'
            cc = jc[1]
        else:
            line = f'{heads[0]}{texts[0]}{n}, "value": {jv[0]}, "margin": {jm[0]}'
            cc = cnum(conversion)
        add_line(line + (f', "answered": {n}, "missing": {missing}}}' if missing is not None else "}"))
        add_row(f"{heads[1]}{texts[1]}{n}{d}{jv[1]}{d}{jm[1]}{d}{cc}{d}{ctext(status)}\r\n")
