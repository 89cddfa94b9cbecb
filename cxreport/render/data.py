"""The figures as files to download: figures.json, experiments.json and a CSV per metric."""

from __future__ import annotations

import csv
import importlib
import importlib.util
import io
import json
from dataclasses import asdict

from ..figures import Figure, FigureSet
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
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def metrics_module():
    """Give cxreport.metrics when it is there with its entry points, else None."""
    if importlib.util.find_spec("cxreport.metrics") is None:
        return None
    module = importlib.import_module("cxreport.metrics")
    # A folder being written has no entry points yet: treat it as absent.
    return module if hasattr(module, "join_metrics") and hasattr(module, "compute_figures") else None


def _figure_row(f: Figure) -> dict:
    row = {k: getattr(f, k) for k in FIGURE_COLUMNS[:11]}
    if f.type == "funnel":
        row["conversion"] = f.conversion
    return row


def figures_json(figures: FigureSet) -> str:
    """Give figures.json as FORMAT.md describes it (used when cxreport.metrics does not provide it)."""
    metrics = metrics_module()
    if metrics is not None and hasattr(metrics, "figures_json"):
        return metrics.figures_json(figures)
    rows = [_figure_row(f) for f in figures.figures]
    return json.dumps({"figures": rows}, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def experiments_json(figures: FigureSet) -> str:
    """Give experiments.json as FORMAT.md describes it (used when cxreport.metrics does not provide it)."""
    metrics = metrics_module()
    if metrics is not None and hasattr(metrics, "experiments_json"):
        return metrics.experiments_json(figures)
    return json.dumps({"experiments": [asdict(r) for r in figures.experiments]}, ensure_ascii=False, indent=1) + "\n"


def safe_cell(column: str, value: object, decimal: str) -> str:
    """Give a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if column in TEXT_COLUMNS:
        text = str(value)
        return "'" + text if text.startswith(FORMULA_START) else text
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
        if f.type != "funnel":
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
