"""Charts as plain Plotly figure dicts (no plotly.graph_objects, no template), embedded safely in a page."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"
GRID = "#e3e8ee"
MUTED = "#8a96a3"
STATUS_COLORS = {"good": "#2e7d32", "neutral": "#b7791f", "bad": "#c62828", None: "#52606d"}
FEELING_WORDS = {-2: "very negative", -1: "negative", 0: "neutral", 1: "positive", 2: "very positive"}

# Characters that could end a <script> element, open an HTML comment or end a JavaScript line.
_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
# Plotly draws a subset of HTML in every text it shows (names, ticks, hover labels, titles): <a href>, <b>,
# <span style>, entities, and a line break for a newline. Only these keys hold our own templates (constants that
# use <extra>); every other string in a figure is data or a label and is drawn as plain text.
_TEMPLATE_KEYS = frozenset({"hovertemplate", "texttemplate"})
_MARKUP = re.compile(r"[&<>]|\r\n?|\n")
_AS_TEXT = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def script_json(data: Any) -> Markup:
    """Give data as JSON that is safe inside <script>: <, >, &, U+2028 and U+2029 written as \\uXXXX."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for char, escaped in _UNSAFE.items():
        text = text.replace(char, escaped)
    return Markup(text)


# What one chart draws at most, whatever the data holds (5,000 segments would be 5,001 traces, a 1.4 MB page):
# lines over time (one colour each), the bars of a funnel per period, the rows of an experiment's intervals.
# A chart that leaves some out says so in its note; the tables and the downloads keep everything.
MAX_LINES = 8
MAX_BARS = 12
MAX_INTERVALS = 25


@dataclass(frozen=True)
class Chart:
    """One chart on a page: its element id, the figure dict, a short text alternative and a note on what it left out."""

    id: str
    figure: dict
    label: str
    height: int = 260
    css_class: str = "chart"
    note: str = ""

    @property
    def json(self) -> Markup:
        return script_json(self.figure)


@dataclass
class ChartStyle:
    """What a chart needs from the site: the brand colour and the number separators of the language."""

    primary: str = "#2f6f6a"
    compare: str = "#9aa5b1"
    separators: str = ".,"
    labels: dict = field(default_factory=dict)


def _layout(style: ChartStyle, **extra: Any) -> dict:
    layout: dict[str, Any] = {
        "font": {"family": FONT, "size": 13, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 48, "r": 16, "t": 12, "b": 40},
        "separators": style.separators,
        "showlegend": False,
        "hovermode": "closest",
        "xaxis": {"gridcolor": GRID, "zeroline": False, "fixedrange": True, "automargin": True},
        "yaxis": {"gridcolor": GRID, "zeroline": False, "fixedrange": True, "automargin": True},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def plain_text(value: Any, key: str = "") -> Any:
    """Give a figure's value with every string made plain text for Plotly: &, < and > as entities (Plotly turns
    them back into the characters, so a name reads as written), a line break as a space; templates kept."""
    if isinstance(value, str):
        if key in _TEMPLATE_KEYS or not _MARKUP.search(value):
            return value
        return _MARKUP.sub(lambda m: _AS_TEXT.get(m.group(), " "), value)
    if isinstance(value, dict):
        return {k: plain_text(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_text(v, key) for v in value]
    return value


def figure(data: list[dict], layout: dict) -> dict:
    """Give a Plotly figure dict with the site's fixed config: no mode bar, no logo, responsive.

    Every text in it is plain text (plain_text): a segment, variant, touchpoint or journey name or a label
    holding <a href=…>, <b> or <span style=…> is drawn as those characters, never as a link or a style.
    """
    return {
        "data": plain_text(data),
        "layout": plain_text(layout),
        "config": {"displayModeBar": False, "responsive": True, "displaylogo": False, "staticPlot": False},
    }


def emotion_curve(
    names: Sequence[str], scores: Sequence[float | None], hover: Sequence[str], style: ChartStyle, *, fill_columns: bool = False
) -> dict:
    """Give the emotion curve across touchpoints: score -2..2 per touchpoint, gaps where none is known.

    With fill_columns the x range is [-0.5, n-0.5] and margins are zero, so each point sits in the middle
    of its touchpoint's column when the chart spans the map's columns.
    """
    n = len(names)
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": list(range(n)),
        "y": list(scores),
        "text": list(hover),
        "hovertemplate": "%{text}<extra></extra>",
        "connectgaps": True,
        "line": {"color": style.primary, "width": 3, "shape": "spline", "smoothing": 0.35},
        "marker": {"size": 11, "color": [_score_color(s) for s in scores], "line": {"color": "#ffffff", "width": 2}},
    }
    xaxis = {
        "tickmode": "array",
        "tickvals": list(range(n)),
        "ticktext": list(names),
        "showgrid": False,
        "range": [-0.5, n - 0.5],
    }
    yaxis = {
        "range": [-2.5, 2.5],
        "tickvals": [-2, -1, 0, 1, 2],
        "ticktext": ["−2", "−1", "0", "+1", "+2"],
        "zeroline": True,
        "zerolinecolor": MUTED,
    }
    if fill_columns:
        xaxis.update({"visible": False})
        yaxis.update({"visible": False})
        layout = _layout(style, xaxis=xaxis, yaxis=yaxis, margin={"l": 0, "r": 0, "t": 10, "b": 10})
    else:
        layout = _layout(style, xaxis=xaxis, yaxis=yaxis)
    return figure([trace], layout)


def emotion_compare(series: Sequence[dict], stage_names: Sequence[str], style: ChartStyle) -> dict:
    """Give two or more emotion curves aligned by stage: each series is {name, x, y, text}, x in stage units."""
    colors = [style.primary, style.compare, "#b7791f", "#6b46c1"]
    data = []
    for i, s in enumerate(series):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": s["name"],
                "x": s["x"],
                "y": s["y"],
                "text": s["text"],
                "hovertemplate": "%{text}<extra>%{fullData.name}</extra>",
                "connectgaps": True,
                "line": {
                    "color": colors[i % len(colors)],
                    "width": 3 if i == 0 else 2,
                    "dash": "solid" if i == 0 else "dot",
                    "shape": "spline",
                    "smoothing": 0.35,
                },
                "marker": {"size": 9 if i == 0 else 7, "color": colors[i % len(colors)]},
            }
        )
    n = len(stage_names)
    layout = _layout(
        style,
        showlegend=True,
        legend={"orientation": "h", "y": -0.2},
        xaxis={
            "tickmode": "array",
            "tickvals": [i + 0.5 for i in range(n)],
            "ticktext": list(stage_names),
            "range": [0, max(n, 1)],
            "showgrid": False,
        },
        yaxis={
            "range": [-2.5, 2.5],
            "tickvals": [-2, -1, 0, 1, 2],
            "ticktext": ["−2", "−1", "0", "+1", "+2"],
            "zeroline": True,
            "zerolinecolor": MUTED,
        },
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": i,
                "x1": i,
                "y0": 0,
                "y1": 1,
                "line": {"color": GRID, "width": 1},
            }
            for i in range(1, n)
        ],
        margin={"l": 48, "r": 16, "t": 12, "b": 64},
    )
    return figure(data, layout)


def sparkline(scores: Sequence[float | None], style: ChartStyle) -> dict:
    """Give a small emotion curve without axes, for the home page."""
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": list(range(len(scores))),
        "y": list(scores),
        "hoverinfo": "skip",
        "connectgaps": True,
        "line": {"color": style.primary, "width": 2, "shape": "spline", "smoothing": 0.35},
        "marker": {"size": 5, "color": [_score_color(s) for s in scores]},
    }
    layout = _layout(
        style, margin={"l": 4, "r": 4, "t": 4, "b": 4}, xaxis={"visible": False}, yaxis={"visible": False, "range": [-2.4, 2.4]}
    )
    return figure([trace], layout)


def time_series(
    series: Sequence[dict],
    style: ChartStyle,
    *,
    y_title: str = "",
    y_suffix: str = "",
    bars: bool = False,
    scale: tuple[float, float] | None = None,
) -> dict:
    """Give figures over time: each series is {name, x (period labels), y, margin (or None), text}.

    scale: the range a figure can take (NPS -100..100); an error bar stops at its edge, and so does the axis.
    """
    colors = [style.primary, "#b7791f", "#6b46c1", "#2b6cb0", "#c05621", "#2f855a", "#97266d", MUTED]
    data = []
    extent: list[float] = []
    clipped = False
    for i, s in enumerate(series):
        color = colors[i % len(colors)]
        trace: dict[str, Any] = {
            "type": "bar" if bars else "scatter",
            "name": s["name"],
            "x": s["x"],
            "y": s["y"],
            "text": s["text"],
            "hovertemplate": "%{text}<extra>%{fullData.name}</extra>",
        }
        if bars:
            trace.update({"marker": {"color": color}, "textposition": "none"})
        else:
            trace.update(
                {
                    "mode": "lines+markers",
                    "line": {"color": color, "width": 3 if i == 0 else 2},
                    "marker": {"size": 7, "color": color},
                }
            )
        margins = s.get("margin")
        if margins is not None and any(m is not None for m in margins):
            up = [m if m is not None else 0 for m in margins]
            trace["error_y"] = {"type": "data", "array": up, "visible": True, "color": color, "thickness": 1.2, "width": 4}
            ys = s["y"]
            if scale is not None and any(
                y is not None and (y + m > scale[1] or y - m < scale[0]) for y, m in zip(ys, up, strict=True)
            ):
                # a margin never runs past the scale: a small sample's bar stops at the edge, and so does the axis
                down = [min(m, y - scale[0]) if y is not None else m for m, y in zip(up, ys, strict=True)]
                up = [min(m, scale[1] - y) if y is not None else m for m, y in zip(up, ys, strict=True)]
                trace["error_y"].update({"symmetric": False, "array": up, "arrayminus": down})
                clipped = True
            extent.extend(y + u for y, u in zip(ys, up, strict=True) if y is not None)
            extent.extend(y - d for y, d in zip(ys, trace["error_y"].get("arrayminus", up), strict=True) if y is not None)
        data.append(trace)
    yaxis: dict[str, Any] = {"title": {"text": y_title}, "ticksuffix": y_suffix}
    if scale is not None and clipped:  # the axis fits the bars, never wider than the scale
        pad = (max(extent) - min(extent)) * 0.05 or 1
        yaxis["range"] = [max(scale[0], min(extent) - pad), min(scale[1], max(extent) + pad)]
    layout = _layout(
        style,
        showlegend=len(series) > 1,
        legend={"orientation": "h", "y": -0.25},
        xaxis={"type": "category", "showgrid": False},
        yaxis=yaxis,
        margin={"l": 56, "r": 16, "t": 12, "b": 56 if len(series) > 1 else 40},
        barmode="group",
    )
    return figure(data, layout)


def intervals(rows: Sequence[dict], style: ChartStyle, *, x_title: str = "") -> dict:
    """Give each variant's difference to control with its 95% interval: rows are {label, diff, low, high, text}."""
    labels = [r["label"] for r in rows]
    diffs = [r["diff"] for r in rows]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "orientation": "h",
        "x": diffs,
        "y": labels,
        "text": [r["text"] for r in rows],
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {"size": 11, "color": style.primary},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [(r["high"] - r["diff"]) if r["high"] is not None and r["diff"] is not None else 0 for r in rows],
            "arrayminus": [(r["diff"] - r["low"]) if r["low"] is not None and r["diff"] is not None else 0 for r in rows],
            "color": style.primary,
            "thickness": 2,
            "width": 6,
        },
    }
    layout = _layout(
        style,
        xaxis={"title": {"text": x_title}, "ticksuffix": " pp", "zeroline": True, "zerolinecolor": INK, "zerolinewidth": 1.5},
        yaxis={"type": "category", "autorange": "reversed", "showgrid": False},
        margin={"l": 16, "r": 24, "t": 12, "b": 48},
    )
    return figure([trace], layout)


def _score_color(score: float | None) -> str:
    if score is None:
        return MUTED
    if score >= 1:
        return STATUS_COLORS["good"]
    if score <= -1:
        return STATUS_COLORS["bad"]
    return STATUS_COLORS["neutral"]


def importance_performance(points: Sequence[dict], style: ChartStyle, *, x_title: str = "", y_title: str = "") -> dict:
    """Give a driver analysis's importance–performance map: points are {name, x (performance, 0–100 of its scale,
    100 the best), y (share of the explained variance, percent), first (improve first), text}.

    Dotted lines at an equal share (100 / drivers) and at the drivers' mean performance cut it into quadrants:
    top left (a large share, a low performance) is where to act first.
    """
    n = max(len(points), 1)
    equal = 100 / n
    mean_x = sum(p["x"] for p in points) / n if points else 50
    trace = {
        "type": "scatter",
        "mode": "markers+text",
        "x": [p["x"] for p in points],
        "y": [p["y"] for p in points],
        "text": [p["name"] for p in points],
        "customdata": [p["text"] for p in points],
        "hovertemplate": "%{customdata}<extra></extra>",
        "textposition": "top center",
        "cliponaxis": False,
        "marker": {
            "size": 14,
            "color": [STATUS_COLORS["bad"] if p["first"] else style.primary for p in points],
            "line": {"color": "#ffffff", "width": 2},
        },
    }

    def line(x0: float, x1: float, y0: float, y1: float) -> dict:
        return {
            "type": "line",
            "xref": "x",
            "yref": "y",
            "x0": round(x0, 4),
            "x1": round(x1, 4),
            "y0": round(y0, 4),
            "y1": round(y1, 4),
            "line": {"color": MUTED, "width": 1, "dash": "dot"},
        }

    layout = _layout(
        style,
        xaxis={"title": {"text": x_title}, "range": [0, 100], "ticksuffix": ""},
        yaxis={"title": {"text": y_title}, "range": [0, 100], "ticksuffix": "%"},
        shapes=[line(0, 100, equal, equal), line(mean_x, mean_x, 0, 100)],
        margin={"l": 56, "r": 24, "t": 24, "b": 48},
    )
    return figure([trace], layout)
