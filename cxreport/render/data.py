"""The figures as files to download: figures.json, experiments.json and a CSV per metric."""
from __future__ import annotations

import csv
import importlib
import importlib.util
import io
import json
from dataclasses import asdict

from ..figures import Figure, FigureSet
from ..metrics.output import figure_row

FIGURE_COLUMNS = ("metric", "type", "period", "journey", "stage", "touchpoint", "segment", "variant",
                  "n", "value", "margin", "conversion", "status")
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


def _rounded(f: Figure) -> dict:
    """Give a figure's numbers rounded as in figures.json (value, margin, conversion)."""
    row = figure_row(f)
    return {k: row[k] for k in ("value", "margin", "conversion") if k in row}


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
    """Give one metric's figures as CSV for a spreadsheet: UTF-8 with BOM; ';' and decimal comma in Dutch."""
    delimiter, decimal = (";", ",") if language == "nl" else (",", ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(FIGURE_COLUMNS)
    text: dict = {}  # ids and periods repeat across hundreds of thousands of figures: judge each once
    getters = [(c in TEXT_COLUMNS, c) for c in FIGURE_COLUMNS]
    for f in figures:
        row = []
        rounded = _rounded(f)  # the same numbers as figures.json, not 60.00000000000001
        for is_text, c in getters:
            value = rounded[c] if c in rounded else getattr(f, c)
            if is_text:
                cell = text.get(value)
                if cell is None:
                    cell = text[value] = safe_cell(c, value, decimal)
            else:
                cell = safe_cell(c, value, decimal)
            row.append(cell)
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
