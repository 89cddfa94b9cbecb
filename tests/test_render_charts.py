"""Charts as Plotly draws them: every text from data or labels is plain text, and one chart draws a bounded number
of traces, saying what it left out."""

from __future__ import annotations

import datetime as dt
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


STAGES = ("attention", "interest", "desire", "action", "satisfaction")


def many_groups_files(segments: int) -> dict[str, str]:
    """Give a project with many segments and variants: segment gNN has NN + 1 answers per month (so the ones with
    the most answers are the last), three journeys of five stages in a funnel, and an experiment of three variants
    over every segment and 30 weeks."""
    journey = "title: J{i}\npersona: parent\nstages:\n" + "".join(
        f"  - stage: {s}\n    touchpoints:\n      - {{id: t{k}, name: T{k}, feeling: 1}}\n" for k, s in enumerate(STAGES)
    )
    files = {
        "site.yml": """\
title: Many
language: en
metrics:
  - {id: nps, file: metrics/nps.csv, type: nps, label: NPS}
  - {id: funnel, file: metrics/funnel.csv, type: funnel, label: Funnel}
  - {id: conv, file: metrics/conv.csv, type: value, label: Conv, period: week,
     columns: {date: date, variant: variant, segment: segment, value: value}}
""",
        "content/personas/parent.yml": "name: Parent\nsegment: g00\n",
        "content/playbooks/test.md": "---\ntype: experiment\ntitle: Test\nhypothesis: it helps\nstatus: done\n"
        "metric: conv\ncontrol: control\n---\nText.\n",
        "content/metrics/nps.csv": "date,journey,touchpoint,segment,score\n"
        + "".join(
            f"2026-0{m}-{d % 28 + 1:02d},j0,t0,g{s:02d},{(s + d) % 11}\n"
            for s in range(segments)
            for m in (1, 2)
            for d in range(s + 1)
        ),
        "content/metrics/funnel.csv": "date,journey,stage,count\n"
        + "".join(f"2026-01-01,j{j},{st},{1000 - 100 * k}\n" for j in range(3) for k, st in enumerate(STAGES)),
        "content/metrics/conv.csv": "date,variant,segment,value\n"
        + "".join(
            f"{dt.date(2026, 1, 5) + dt.timedelta(weeks=d)},{v},g{s:02d},{(d * (i + 1) + s) % 2}\n"
            for s in range(segments)
            for d in range(30)
            for i, v in enumerate(("control", "a", "b"))
            for _ in range(1 + s % 3)
        ),
    }
    files.update({f"content/journeys/j{i}.yml": journey.replace("{i}", str(i)) for i in range(3)})
    return files


def test_one_chart_draws_a_bounded_number_of_traces_and_says_what_it_left_out(tmp_path):
    root = tmp_path / "project"
    for rel, text in many_groups_files(40).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root, tmp_path / "site")
    assert result.written, [p.format() for p in result.problems]
    site = tmp_path / "site"
    specs = chart_specs(site)
    # NPS: all customers and the 7 segments with the most answers (g33..g39), in name order: 8 lines of 41
    (nps,) = specs["metrics/nps.html"]
    assert [t["name"] for t in nps["data"]] == ["All customers"] + [f"g{s}" for s in range(33, 40)]
    page = (site / "metrics/nps.html").read_text("utf-8")
    assert (
        '<p class="note chart-note">The chart draws all customers and the 7 segments with the most answers; '
        "33 more are in the table below and in the CSV.</p>"
    ) in page
    # the funnel: the first 12 of its 15 journey stages, in the maps' order
    (funnel,) = specs["metrics/funnel.html"]
    assert [t["name"] for t in funnel["data"]] == [f"J{j} · {s.title()}" for j in range(3) for s in STAGES][:12]
    assert "The chart draws the first 12 journey stages; 3 more are in the table below and in the CSV." in (
        site / "metrics/funnel.html"
    ).read_text("utf-8")
    # the experiment: 20 segment tables (the most visited: 1 + s % 3 rows a day, ties by name), 25 interval rows
    # (all visitors and 20 segments, two variants each, is 42), and the latest 20 of its 30 weeks
    exp = (site / "playbooks/test.html").read_text("utf-8")
    most_visited = sorted(sorted(range(40), key=lambda s: (-(1 + s % 3), f"g{s:02d}"))[:20])
    assert re.findall(r"<caption>Segment: (g\d\d)</caption>", exp) == [f"g{s:02d}" for s in most_visited]
    assert '<p class="note">20 more segments are in data/experiments.json.</p>' in exp
    (chart,) = specs["playbooks/test.html"]
    assert len(chart["data"][0]["y"]) == 25
    assert chart["data"][0]["y"][:3] == ["All visitors: a", "All visitors: b", f"g{most_visited[0]:02d}: a"]
    assert (
        "The chart draws all visitors and the segments with the most visitors, 25 rows; 17 more are in the tables below." in exp
    )
    assert '<p class="note">10 more periods are in data/experiments.json.</p>' in exp
    assert len(re.findall(r'<table class="data results">', exp)) == 1 + 20 + 20
    assert max(p.stat().st_size for p in site.rglob("*.html")) < 80_000
