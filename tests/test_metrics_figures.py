"""Figures: each formula by hand, which rows exist, periods, funnels, targets, and figures.json."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest
from helpers import REPO, located
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxreport.figures import Figure, FigureSet
from cxreport.metrics.output import figures_json
from cxreport.stats import ces, csat, nps

JOURNEYS = {
    "content/personas/parent.yml": "name: Parent\nsegment: parents\n",
    "content/journeys/first-order.yml": """\
        title: First order
        persona: parent
        stages:
          - stage: attention
            touchpoints:
              - {id: ad, name: Advert, feeling: 1}
          - stage: action
            touchpoints:
              - {id: checkout, name: Checkout, feeling: -1}
              - {id: pay, name: Payment, feeling: 0}
        """,
    "content/journeys/returns.yml": """\
        title: Returns
        persona: parent
        stage_model: funnel
        stages:
          - stage: purchase
            touchpoints:
              - {id: order, name: Order, feeling: 0}
          - stage: unboxing
            touchpoints:
              - {id: parcel, name: Parcel, feeling: 2}
          - stage: returns
            touchpoints:
              - {id: refund, name: Refund, feeling: -1}
        """,
}
STAGE_OF = {
    "ad": ("first-order", "attention"),
    "checkout": ("first-order", "action"),
    "pay": ("first-order", "action"),
    "order": ("returns", "purchase"),
    "parcel": ("returns", "unboxing"),
    "refund": ("returns", "returns"),
}


@pytest.fixture
def project(make_project):
    def make(metrics: str, files: dict[str, str], extra: str = ""):
        site = "title: Test\nlanguage: en\n" + extra + "metrics:\n" + textwrap.indent(textwrap.dedent(metrics), "  ")
        return make_project({"site.yml": site, **JOURNEYS, **files}, minimal=False)

    return make


def clean(run_metrics, root):
    _, problems, fs, _ = run_metrics(root)
    assert located(problems) == [], [p.format() for p in problems]
    return fs


# --- the formulas, by hand ---------------------------------------------------------------


def test_nps_by_hand():
    # 10 responses: 5 promoters (P = .5), 2 detractors (D = .2): NPS = 30;
    # margin = 100 * 1.96 * sqrt((.5 + .2 - .3**2) / 10) = 196 * sqrt(.061) = 48.4084
    value, margin = nps(5, 2, 10)
    assert value == pytest.approx(30.0)
    assert margin == pytest.approx(48.4084, abs=1e-4)
    assert nps(4, 0, 4) == (100.0, 0.0)
    assert nps(0, 0, 0) is None


def test_csat_by_hand():
    # 8 of 10 satisfied: 80; margin = 100 * 1.96 * sqrt(.8 * .2 / 10) = 196 * .126491 = 24.7923
    value, margin = csat(8, 10)
    assert value == pytest.approx(80.0)
    assert margin == pytest.approx(24.7923, abs=1e-4)


def test_ces_by_hand():
    # scores 2, 4, 4, 6: mean 4; s^2 = (4 + 0 + 0 + 4) / 3 = 8/3; margin = 1.96 * sqrt(8/3) / 2 = 1.6003
    mean, margin = ces(2 + 4 + 4 + 6, 4 + 16 + 16 + 36, 4)
    assert mean == 4.0
    assert margin == pytest.approx(1.6003, abs=1e-4)
    assert ces(5, 25, 1) == (5.0, None)  # no sample deviation from one response


# --- which rows exist, against a plain-Python count -----------------------------------------


def expected_figures(rows: list[tuple], kind: str) -> dict[tuple, tuple]:
    """Give (period, journey, stage, touchpoint, segment) -> (n, value, margin), computed row by row in plain Python."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for day, touchpoint, segment, score in rows:
        journey, stage = STAGE_OF[touchpoint]
        places = [(None, None, None), (journey, None, None), (journey, stage, None), (journey, stage, touchpoint)]
        for period in ("all", day.strftime("%Y-%m")):
            for place in places:
                for seg in (None, segment):
                    groups[(period, *place, seg)].append(score)
    out = {}
    for key, scores in groups.items():
        n = len(scores)
        if kind == "nps":
            p, d = sum(s >= 9 for s in scores) / n, sum(s <= 6 for s in scores) / n
            out[key] = (n, 100 * (p - d), 100 * 1.96 * math.sqrt((p + d - (p - d) ** 2) / n))
        elif kind == "csat":
            s = sum(x >= 4 for x in scores) / n
            out[key] = (n, 100 * s, 100 * 1.96 * math.sqrt(s * (1 - s) / n))
        else:
            mean = sum(scores) / n
            sd = math.sqrt(sum((x - mean) ** 2 for x in scores) / (n - 1)) if n > 1 else None
            out[key] = (n, mean, None if sd is None else 1.96 * sd / math.sqrt(n))
    return out


SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(SCALES)), data=st.data())
def test_every_row_and_value_matches_a_plain_python_count(project, run_metrics, tmp_path_factory, kind, data):
    lo, hi = SCALES[kind]
    rows = data.draw(
        st.lists(
            st.tuples(
                st.dates(dt.date(2025, 11, 1), dt.date(2026, 2, 28)),
                st.sampled_from(sorted(STAGE_OF)),
                st.sampled_from(["parents", "students", "caf\u00e9"]),
                st.integers(lo, hi),
            ),
            min_size=1,
            max_size=40,
        )
    )
    # scores written plainly take the fast count; written otherwise (" 9", "9.0", "+9") each text is judged after counting
    style = data.draw(st.sampled_from(["{}", " {}", "{}.0", "+{}"]))
    text = "date,touchpoint,segment,score\n" + "".join(f"{d.isoformat()},{t},{s},{style.format(x)}\n" for d, t, s, x in rows)
    root = project(f"- {{id: m, file: metrics/m.csv, type: {kind}}}\n", {"content/metrics/m.csv": text})
    fs = clean(run_metrics, root)
    expected = expected_figures(rows, kind)
    got = {(f.period, f.journey, f.stage, f.touchpoint, f.segment): f for f in fs.select("m")}
    assert sorted(got, key=str) == sorted(expected, key=str)
    for key, (n, value, margin) in expected.items():
        f = got[key]
        assert (f.n, f.variant, f.type) == (n, None, kind)
        assert f.value == pytest.approx(value, abs=1e-9)
        assert (f.margin is None) == (margin is None) and (margin is None or f.margin == pytest.approx(margin, abs=1e-9))


def test_rows_without_keys_only_have_the_whole_and_periods(project, run_metrics):
    root = project(
        "- {id: m, file: metrics/m.csv, type: nps}\n", {"content/metrics/m.csv": "date,score\n2026-01-05,9\n2026-02-01,0\n"}
    )
    fs = clean(run_metrics, root)
    assert [(f.period, f.n, f.value) for f in fs.figures] == [("all", 2, 0.0), ("2026-01", 1, 100.0), ("2026-02", 1, -100.0)]
    assert all(f.small_sample for f in fs.figures)


def test_journey_only_rows_have_no_stage_level(project, run_metrics):
    root = project(
        "- {id: m, file: metrics/m.csv, type: csat}\n", {"content/metrics/m.csv": "date,journey,score\n2026-01-05,returns,5\n"}
    )
    fs = clean(run_metrics, root)
    assert [(f.period, f.journey, f.stage) for f in fs.figures] == [
        ("all", None, None),
        ("all", "returns", None),
        ("2026-01", None, None),
        ("2026-01", "returns", None),
    ]


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, day, label",
    [
        ("week", "2025-12-29", "2026-W01"),  # Monday of ISO week 1 of 2026
        ("week", "2026-01-04", "2026-W01"),  # its Sunday
        ("week", "2027-01-01", "2026-W53"),  # a Friday that belongs to the last week of 2026
        ("week", "2026-02-16", "2026-W08"),
        ("month", "2026-12-31", "2026-12"),
        ("quarter", "2026-03-31", "2026-Q1"),
        ("quarter", "2026-04-01", "2026-Q2"),
    ],
)
def test_period_labels(project, run_metrics, period, day, label):
    root = project(
        f"- {{id: m, file: metrics/m.csv, type: value, period: {period}}}\n", {"content/metrics/m.csv": f"date,value\n{day},1\n"}
    )
    fs = clean(run_metrics, root)
    assert [f.period for f in fs.figures] == ["all", label]


def test_week_labels_with_a_day_first_date_format(project, run_metrics):
    root = project(
        "- {id: m, file: metrics/m.csv, type: value, period: week, date_format: '%d-%m-%Y'}\n",
        {"content/metrics/m.csv": "date,value\n29-12-2025,1\n28-12-2025,3\n"},
    )
    fs = clean(run_metrics, root)
    assert [(f.period, f.value) for f in fs.figures] == [("all", 2.0), ("2025-W52", 3.0), ("2026-W01", 1.0)]


# --- funnels -----------------------------------------------------------------------------

FUNNEL = """\
date,journey,stage,count
2026-01-01,returns,purchase,100
2026-01-01,returns,unboxing,80
2026-01-15,returns,unboxing,10
2026-01-01,returns,returns,30
2026-02-01,returns,purchase,50
2026-02-01,returns,unboxing,0
2026-02-01,returns,returns,0
"""


def test_funnel_counts_and_conversion(project, run_metrics):
    fs = clean(run_metrics, project("- {id: f, file: metrics/f.csv, type: funnel}\n", {"content/metrics/f.csv": FUNNEL}))
    rows = [(f.period, f.stage, f.n, f.value, f.margin, f.conversion) for f in fs.select("f")]
    assert rows == [
        ("all", "purchase", 150, 150, None, None),
        ("all", "unboxing", 90, 90, None, pytest.approx(90 / 150)),
        ("all", "returns", 30, 30, None, pytest.approx(30 / 90)),
        ("2026-01", "purchase", 100, 100, None, None),
        ("2026-01", "unboxing", 90, 90, None, pytest.approx(0.9)),
        ("2026-01", "returns", 30, 30, None, pytest.approx(30 / 90)),
        ("2026-02", "purchase", 50, 50, None, None),
        ("2026-02", "unboxing", 0, 0, None, 0.0),
        ("2026-02", "returns", 0, 0, None, None),  # no share of nobody: null, never NaN
    ]
    assert all(f.journey == "returns" and f.stage is not None for f in fs.figures)


def test_funnel_conversion_skips_a_stage_without_rows_and_stays_per_segment(project, run_metrics):
    text = (
        "date,journey,stage,segment,count\n2026-01-01,returns,purchase,a,100\n2026-01-01,returns,returns,a,10\n"
        "2026-01-01,returns,purchase,b,50\n2026-01-01,returns,unboxing,b,25\n"
    )
    fs = clean(run_metrics, project("- {id: f, file: metrics/f.csv, type: funnel}\n", {"content/metrics/f.csv": text}))
    got = {(f.segment, f.stage): f.conversion for f in fs.select("f", period="all")}
    assert got == {
        (None, "purchase"): None,
        (None, "unboxing"): pytest.approx(25 / 150),
        (None, "returns"): pytest.approx(10 / 25),
        ("a", "purchase"): None,
        ("a", "returns"): pytest.approx(0.1),
        ("b", "purchase"): None,
        ("b", "unboxing"): pytest.approx(0.5),
    }


def test_funnel_by_touchpoint_counts_for_its_stage(project, run_metrics):
    text = "date,touchpoint,count\n2026-01-01,order,40\n2026-01-01,parcel,30\n"
    fs = clean(run_metrics, project("- {id: f, file: metrics/f.csv, type: funnel}\n", {"content/metrics/f.csv": text}))
    assert [(f.stage, f.touchpoint, f.value, f.conversion) for f in fs.select("f", period="all")] == [
        ("purchase", None, 40, None),
        ("purchase", "order", 40, None),
        ("unboxing", None, 30, pytest.approx(0.75)),
        ("unboxing", "parcel", 30, None),
    ]


# --- status from targets ---------------------------------------------------------------------


def test_status_from_targets_by_type_and_by_id(project, run_metrics):
    metrics = """\
    - {id: nps-a, file: metrics/a.csv, type: nps}
    - {id: nps-b, file: metrics/b.csv, type: nps}
    - {id: effort, file: metrics/c.csv, type: ces}
    - {id: plain, file: metrics/d.csv, type: value}
    """
    targets = "targets:\n  nps: {good: 30, bad: 0}\n  nps-b: {good: 90, bad: 50}\n  ces: {good: 3, bad: 5}\n"
    # a: January 100 (good), February 10, 10, 7, 0 -> 25 (neutral), March -100 (bad), all 3 of 6 minus 2 of 6 -> 16.7
    files = {
        "content/metrics/a.csv": "date,score\n2026-01-05,10\n2026-02-05,10\n2026-02-05,10\n2026-02-05,7\n2026-02-05,0\n"
        "2026-03-05,0\n",
        "content/metrics/b.csv": "date,score\n2026-01-05,10\n2026-01-06,9\n2026-01-07,8\n",
        "content/metrics/c.csv": "date,score\n2026-01-05,2\n2026-02-05,4\n2026-03-05,6\n",
        "content/metrics/d.csv": "date,value\n2026-01-05,2\n",
    }
    fs = clean(run_metrics, project(metrics, files, extra=targets))
    status = {(f.metric, f.period): f.status for f in fs.figures}
    assert status[("nps-a", "2026-01")] == "good" and status[("nps-a", "2026-02")] == "neutral"
    assert status[("nps-a", "2026-03")] == "bad" and status[("nps-a", "all")] == "neutral"
    assert status[("nps-b", "all")] == "neutral"  # 66.7: the id's target (90/50) wins over the type's
    assert status[("effort", "2026-01")] == "good"  # lower is better: 2 <= 3
    assert status[("effort", "2026-02")] == "neutral" and status[("effort", "2026-03")] == "bad"
    assert status[("plain", "all")] is None


def test_funnel_status_is_judged_on_conversion_in_percent(project, run_metrics):
    fs = clean(
        run_metrics,
        project(
            "- {id: f, file: metrics/f.csv, type: funnel}\n",
            {"content/metrics/f.csv": FUNNEL},
            extra="targets:\n  funnel: {good: 50, bad: 20}\n",
        ),
    )
    assert [(f.period, f.stage, f.status) for f in fs.select("f", period="2026-01")] == [
        ("2026-01", "purchase", None),
        ("2026-01", "unboxing", "good"),
        ("2026-01", "returns", "neutral"),
    ]


# --- order and figures.json ---------------------------------------------------------------


def test_figures_are_sorted_by_declaration_period_and_map_order(project, run_metrics):
    metrics = "- {id: z-first, file: metrics/b.csv, type: csat}\n- {id: a-second, file: metrics/a.csv, type: nps}\n"
    files = {
        "content/metrics/a.csv": "date,touchpoint,score\n2026-02-05,pay,9\n2026-01-05,ad,9\n2026-01-05,checkout,9\n",
        "content/metrics/b.csv": "date,score\n2026-01-05,5\n",
    }
    fs = clean(run_metrics, project(metrics, files))
    assert [f.metric for f in fs.figures][:2] == ["z-first", "z-first"]
    keys = [(f.period, f.journey, f.stage, f.touchpoint) for f in fs.select("a-second", segment=None)]
    assert keys == [
        ("all", None, None, None),
        ("all", "first-order", None, None),
        ("all", "first-order", "attention", None),
        ("all", "first-order", "attention", "ad"),
        ("all", "first-order", "action", None),
        ("all", "first-order", "action", "checkout"),
        ("all", "first-order", "action", "pay"),
        ("2026-01", None, None, None),
        ("2026-01", "first-order", None, None),
        ("2026-01", "first-order", "attention", None),
        ("2026-01", "first-order", "attention", "ad"),
        ("2026-01", "first-order", "action", None),
        ("2026-01", "first-order", "action", "checkout"),
        ("2026-02", None, None, None),
        ("2026-02", "first-order", None, None),
        ("2026-02", "first-order", "action", None),
        ("2026-02", "first-order", "action", "pay"),
    ]


def test_figures_json_text(project, run_metrics):
    metrics = (
        "- {id: n, file: metrics/n.csv, type: nps}\n- {id: e, file: metrics/e.csv, type: ces}\n"
        "- {id: f, file: metrics/f.csv, type: funnel}\n"
    )
    files = {
        "content/metrics/n.csv": (
            "date,score,segment\n2026-01-05,9,\u00e9\u00e9n\n2026-01-06,3,\u00e9\u00e9n\n2026-01-07,10,\u00e9\u00e9n\n"
        ),
        "content/metrics/e.csv": "date,score\n2026-01-05,2\n2026-01-06,3\n",
        "content/metrics/f.csv": "date,stage,count\n2026-01-01,attention,7\n2026-01-01,interest,3\n",
    }
    text = figures_json(clean(run_metrics, project(metrics, files)))
    first = (
        '{"metric": "n", "type": "nps", "period": "all", "journey": null, "stage": null, "touchpoint": null, '
        '"segment": null, "variant": null, "n": 3, "value": 33.3, "margin": 106.7}'
    )
    assert text.startswith('{"figures": [\n  ' + first + ",\n")
    assert '"segment": "\u00e9\u00e9n"' in text  # not escaped
    assert (
        '{"metric": "e", "type": "ces", "period": "all", "journey": null, "stage": null, "touchpoint": null, '
        '"segment": null, "variant": null, "n": 2, "value": 2.5, "margin": 0.98}'
    ) in text
    assert (
        '{"metric": "f", "type": "funnel", "period": "2026-01", "journey": null, "stage": "interest", "touchpoint": null, '
        '"segment": null, "variant": null, "n": 3, "value": 3, "margin": null, "conversion": 0.4286}'
    ) in text
    assert text.endswith("}\n]}\n")
    assert json.loads(text)["figures"][0]["value"] == 33.3


def test_figures_json_is_the_same_on_every_build(project, run_metrics):
    root = project(
        "- {id: m, file: metrics/m.csv, type: value, columns: {segment: s}}\n",
        {
            "content/metrics/m.csv": "date,s,value\n"
            + "".join(f"2026-0{1 + i % 3}-0{1 + i % 7},{'abc'[i % 3]},{i / 7:.5f}\n" for i in range(200))
        },
    )
    assert figures_json(clean(run_metrics, root)) == figures_json(clean(run_metrics, root))


def test_no_nan_or_infinity_can_be_written():
    fs = FigureSet(
        figures=(
            Figure("m", "value", "all", None, None, None, None, None, 1, float("nan"), None),
            Figure("m", "nps", "all", None, None, None, None, None, 1, -0.04, float("inf")),
        )
    )
    rows = json.loads(figures_json(fs), parse_constant=lambda c: pytest.fail(f"{c} in figures.json"))["figures"]
    assert [(r["value"], r["margin"]) for r in rows] == [(None, None), (0.0, None)]
    assert "-0.0" not in figures_json(fs)


def test_empty_figure_set():
    assert figures_json(FigureSet()) == '{"figures": []}\n'


# --- the example handbook -------------------------------------------------------------------


def _example_nps_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _hand_nps(scores: list[int]) -> tuple[int, float, float]:
    n = len(scores)
    p = sum(s >= 9 for s in scores) / n
    d = sum(s <= 6 for s in scores) / n
    return n, round(100 * (p - d), 1), round(100 * 1.96 * math.sqrt((p + d - (p - d) ** 2) / n), 1)


@pytest.mark.skipif(
    not (REPO / "site.yml").is_file() or not (REPO / "content/metrics/nps.csv").is_file(),
    reason="the example handbook is not there (yet)",
)
def test_example_handbook_figures_match_a_hand_count(run_metrics):
    """The example's nps.csv (Datum;Journey;Touchpoint;Segment;Score, dd-mm-yyyy) checked in plain Python."""
    _, problems, fs, _ = run_metrics(REPO)
    assert located(problems) == []
    source = next(s for s in fs.figures if s.type == "nps").metric
    rows = _example_nps_rows(REPO / "content/metrics/nps.csv")
    by_key = {(f.period, f.journey, f.stage, f.touchpoint, f.segment): f for f in fs.select(source)}
    json_rows = {
        (r["period"], r["journey"], r["stage"], r["touchpoint"], r["segment"]): r
        for r in json.loads(figures_json(fs))["figures"]
        if r["metric"] == source
    }

    def check(key, scores):
        n, value, margin = _hand_nps(scores)
        assert (by_key[key].n, json_rows[key]["value"], json_rows[key]["margin"]) == (n, value, margin), key

    check(("all", None, None, None, None), [int(r["Score"]) for r in rows])
    month = max({r["Datum"][6:] + "-" + r["Datum"][3:5] for r in rows})
    in_month = [r for r in rows if r["Datum"][6:] + "-" + r["Datum"][3:5] == month]
    journey, touchpoint, segment = in_month[0]["Journey"], in_month[0]["Touchpoint"], in_month[0]["Segment"]
    stage = next(f.stage for f in fs.select(source, journey=journey, touchpoint=touchpoint))
    check(
        (month, journey, stage, touchpoint, None),
        [int(r["Score"]) for r in in_month if r["Journey"] == journey and r["Touchpoint"] == touchpoint],
    )
    check(
        ("all", journey, None, None, segment),
        [int(r["Score"]) for r in rows if r["Journey"] == journey and r["Segment"] == segment],
    )
    touchpoints = {(f.journey, f.touchpoint) for f in fs.select(source) if f.touchpoint}
    assert touchpoints == {(r["Journey"], r["Touchpoint"]) for r in rows}
