"""The downloads: a CSV per metric that a spreadsheet opens safely, and the JSON files."""

from __future__ import annotations

import csv
import io
import json

from cxreport.figures import Figure, FigureSet
from cxreport.metrics.output import figures_json
from cxreport.render.data import metric_csv, safe_cell


def fig(**over) -> Figure:
    base = {
        "metric": "m",
        "type": "nps",
        "period": "2026-03",
        "journey": "j",
        "stage": "s",
        "touchpoint": "t",
        "segment": None,
        "variant": None,
        "n": 412,
        "value": -31.8,
        "margin": 7.4,
    }
    base.update(over)
    return Figure(**base)


def test_formula_cells_get_an_apostrophe_in_text_columns_only():
    assert safe_cell("segment", '=HYPERLINK("x")', ".") == '\'=HYPERLINK("x")'
    for start in "=+-@":
        assert safe_cell("journey", start + "x", ".") == "'" + start + "x"
    assert safe_cell("segment", "\tx", ".") == "'\tx"
    assert safe_cell("value", -31.8, ".") == "-31.8"  # a negative number stays a number
    assert safe_cell("value", -31.8, ",") == "-31,8"
    assert safe_cell("margin", None, ".") == ""


def test_metric_csv_in_dutch_and_english():
    rows = [fig(segment="=cmd|' /C calc'!A0"), fig(segment="-ouders", value=12.5)]
    nl = metric_csv(rows, "nl").decode("utf-8")
    assert nl.startswith("\ufeffmetric;type;period;journey;stage;touchpoint;segment;variant;n;value;margin")
    parsed = list(csv.reader(io.StringIO(nl.lstrip("\ufeff")), delimiter=";"))
    assert parsed[1][6] == "'=cmd|' /C calc'!A0" and parsed[1][9] == "-31,8"
    assert parsed[2][6] == "'-ouders" and parsed[2][9] == "12,5"
    en = list(csv.reader(io.StringIO(metric_csv(rows, "en").decode("utf-8").lstrip("\ufeff"))))
    assert en[1][9] == "-31.8" and en[1][10] == "7.4"


def test_figures_json_has_the_format_of_the_spec():
    data = json.loads(figures_json(FigureSet(figures=(fig(),))))
    row = data["figures"][0]
    assert {"metric", "type", "period", "journey", "stage", "touchpoint", "segment", "variant", "n", "value", "margin"} <= set(
        row
    )
    assert row["value"] == -31.8
