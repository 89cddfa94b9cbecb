"""Charts as Plotly draws them: every text from data or labels is plain text, and one chart draws a bounded number
of traces, saying what it left out."""

from __future__ import annotations

import json
import re
from pathlib import Path

from markup_project import BIG, BOLD, LINK, write_markup_project

from cxreport.pipeline import build
from cxreport.render import charts
from cxreport.render.charts import ChartStyle, plain_text


def chart_specs(site: Path) -> dict[str, list[dict]]:
    """Give each page's chart figures, parsed from their <script type="application/json"> elements."""
    found = {}
    for page in sorted(site.rglob("*.html")):
        specs = re.findall(r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', page.read_text("utf-8"))
        if specs:
            found[page.relative_to(site).as_posix()] = [json.loads(s) for s in specs]
    return found


def strings(value, key: str = ""):
    """Give (key, string) for every string in a figure dict, with the key it sits under."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, key)


def test_plain_text_escapes_what_plotly_would_read_as_markup():
    assert plain_text({"name": f"{BOLD} & co\nnext", "x": [LINK, 3, None], "hovertemplate": "%{text}<extra></extra>"}) == {
        "name": "&lt;b&gt;bold&lt;/b&gt; &amp; co next",
        "x": ['&lt;a href="https://evil.invalid/"&gt;here&lt;/a&gt;', 3, None],
        "hovertemplate": "%{text}<extra></extra>",  # our own template keeps its markup
    }
    # Plotly turns entities back into characters once: a name written with an entity reads as written
    assert plain_text({"name": "Pluk &amp; Pien"}) == {"name": "Pluk &amp;amp; Pien"}


def test_every_chart_builder_gives_plain_text():
    style = ChartStyle()
    figures = [
        charts.emotion_curve([LINK, BOLD], [1, -1], [BIG, BOLD], style),
        charts.emotion_compare([{"name": BOLD, "x": [0.5], "y": [1], "text": [LINK]}], [BIG], style),
        charts.sparkline([1, 2], style),
        charts.time_series([{"name": BIG, "x": [LINK], "y": [1], "margin": None, "text": [BOLD]}], style, y_title=BOLD),
        charts.intervals([{"label": LINK, "diff": 1, "low": 0, "high": 2, "text": BIG}], style, x_title=BOLD),
    ]
    for fig in figures:
        marked = [(k, s) for k, s in strings(fig) if k != "hovertemplate" and re.search(r"[<>]", s)]
        assert marked == [], marked


def test_markup_from_data_and_labels_reaches_no_chart_as_markup(tmp_path):
    root = write_markup_project(tmp_path / "project")
    result = build(root, tmp_path / "site")
    assert result.written, [p.format() for p in result.problems]
    specs = chart_specs(tmp_path / "site")
    # the metric pages (series per segment, their label as axis title), the journey (emotion curve, NPS per
    # period), the persona (its segment) and the experiment (variants and segments) all draw charts
    assert {"metrics/nps.html", "metrics/conv.html", "journeys/first-order.html", "personas/parent.html"} <= set(specs)
    assert "playbooks/test.html" in specs
    texts = {s for page in specs.values() for fig in page for k, s in strings(fig) if k != "hovertemplate"}
    assert [s for s in texts if re.search(r"[<>]", s)] == []
    for escaped in ("&lt;b&gt;bold&lt;/b&gt;", "&lt;a href=", "&lt;span style="):
        assert any(escaped in s for s in texts), escaped
