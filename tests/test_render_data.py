"""The downloads: a CSV per metric that a spreadsheet opens safely, and the JSON files."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport.figures import Figure, FigureSet
from cxreport.metrics.output import figures_json
from cxreport.render.data import data_texts, metric_csv, safe_cell


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


_TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list('ab;,"\r\n\t =+-@\u200b\uff1d é')), max_size=6),
)
_NUMBER = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(-(10**6), 10**6).map(float),
)


@st.composite
def _figures(draw) -> list[Figure]:
    out = []
    for metric in draw(st.lists(st.sampled_from(["m", "f", "c", "v"]), min_size=0, max_size=4)):
        kind = {"m": "nps", "f": "funnel", "c": "csat", "v": "value"}[metric]
        for _ in range(draw(st.integers(0, 5))):
            value = draw(st.integers(0, 10**6).map(float) if kind == "funnel" else _NUMBER)
            out.append(
                Figure(
                    metric,
                    kind,
                    draw(st.sampled_from(["all", "2026-03", "2026-Q1"])),
                    draw(_TEXT),
                    draw(_TEXT),
                    draw(_TEXT),
                    draw(_TEXT),
                    draw(_TEXT),
                    draw(st.integers(0, 10**9)),
                    value,
                    draw(_NUMBER),
                    draw(_NUMBER),
                    draw(st.sampled_from([None, "good", "=bad"])),
                    draw(st.one_of(st.none(), st.integers(0, 99))),
                )
            )
    return out


@settings(max_examples=300, deadline=None)
@given(figures=_figures(), language=st.sampled_from(["nl", "en"]))
def test_data_texts_gives_the_bytes_of_figures_json_and_metric_csv(figures, language):
    # data_texts is the one pass the build uses; figures_json and metric_csv, one figure at a time, are its oracle
    metrics = ["m", "f", "c", "v", "none"]
    text, csvs = data_texts(figures, metrics, language, slice_size=3)  # one metric in several slices, too
    assert text == figures_json(FigureSet(figures=tuple(figures))).encode("utf-8")
    for metric in metrics:
        assert csvs[metric] == metric_csv([f for f in figures if f.metric == metric], language), metric


def test_a_count_is_written_whole_after_a_margin_of_the_same_number():
    # write_data keeps the text of each rounded number; 3 and 3.0 are one key of a dict, and a count is whole
    figures = [
        fig(metric="f", type="funnel", touchpoint="a", value=7.0, margin=3.0, conversion=None),
        fig(metric="f", type="funnel", touchpoint="b", value=3.0, margin=None, conversion=0.5),
    ]
    text, csvs = data_texts(figures, ["f"], "en")
    assert b'"touchpoint": "a", "segment": null, "variant": null, "n": 412, "value": 7, "margin": 3.0' in text
    assert b'"touchpoint": "b", "segment": null, "variant": null, "n": 412, "value": 3, "margin": null' in text
    assert text == figures_json(FigureSet(figures=tuple(figures))).encode("utf-8")
    assert csvs["f"] == metric_csv(figures, "en")
