"""figures.json and the metric CSVs, written line by line, give exactly what writing a dict per figure gives."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxreport.figures import Figure, FigureSet
from cxreport.metrics.output import figure_row, figures_json
from cxreport.render.data import FIGURE_COLUMNS, TEXT_COLUMNS, metric_csv, safe_cell


def reference_json(fs: FigureSet) -> str:
    rows = [figure_row(f) for f in fs.figures]
    if not rows:
        return '{"figures": []}\n'
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    return '{"figures": [\n' + ",\n".join("  " + encode(r) for r in rows) + "\n]}\n"


def reference_csv(figures: list[Figure], language: str) -> bytes:
    delimiter, decimal = (";", ",") if language == "nl" else (",", ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(FIGURE_COLUMNS)
    for f in figures:
        row = figure_row(f)
        rounded = {k: row[k] for k in ("value", "margin", "conversion") if k in row}
        writer.writerow([safe_cell(c, rounded[c] if c in rounded else getattr(f, c), decimal) for c in FIGURE_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


texts = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "nps",
            "2026-03",
            "all",
            "journey-1",
            "=SUM(A1)",
            "-5",
            "+x",
            "@x",
            "\tx",
            'met "quotes"',
            "komma, en; puntkomma",
            "regel\nbreuk",
            "é ü ß 😀",
            "\x00\x1f",
            "\u2028",
        ]
    ),
)
floats = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([-0.0, 0.05, 27.25, 1e-9, 1e17]))


@st.composite
def figures(draw):
    kind = draw(st.sampled_from(["nps", "csat", "ces", "funnel", "value"]))
    value = float(draw(st.integers(0, 10**9))) if kind == "funnel" else draw(st.floats(allow_nan=False, allow_infinity=False))
    return Figure(
        draw(st.sampled_from(["nps", "=x", "é"])),
        kind,
        draw(texts),
        draw(texts),
        draw(texts),
        draw(texts),
        draw(texts),
        draw(texts),
        draw(st.integers(0, 10**12)),
        value,
        draw(floats),
        draw(floats) if kind == "funnel" else None,
        draw(st.one_of(st.none(), st.sampled_from(["good", "bad"]))),
    )


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(figures(), max_size=12))
def test_figures_json_is_what_json_writes(rows):
    fs = FigureSet(tuple(rows))
    text = figures_json(fs)
    assert text == reference_json(fs)
    assert len(json.loads(text)["figures"]) == len(rows)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(figures(), max_size=12), st.sampled_from(["nl", "en"]))
def test_metric_csv_is_what_a_dict_per_figure_gives(rows, language):
    assert metric_csv(rows, language) == reference_csv(rows, language)


def test_text_columns_are_the_figure_texts():
    assert {"metric", "type", "period", "journey", "stage", "touchpoint", "segment", "variant", "status"} == TEXT_COLUMNS
