"""Experiments: lift, interval and p-value by hand and against scipy; rows per period and segment; verdicts."""

from __future__ import annotations

import json

import pytest
from helpers import located
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency, norm

from cxreport.figures import FigureSet, VariantResult
from cxreport.metrics.experiments import verdict_of
from cxreport.metrics.output import experiments_json
from cxreport.stats import compare, verdict


def test_comparison_by_hand():
    # control 100 of 1000 (.10), variant 130 of 1000 (.13): lift .3; difference .03
    # interval: .03 ± 1.96 * sqrt(.1 * .9 / 1000 + .13 * .87 / 1000) = .03 ± 1.96 * .0142513 = .03 ± .0279326
    c = compare(100, 1000, 130, 1000)
    assert c.rate == pytest.approx(0.13)
    assert c.lift == pytest.approx(0.3)
    assert c.ci_low == pytest.approx(0.0020674, abs=1e-7)
    assert c.ci_high == pytest.approx(0.0579326, abs=1e-7)
    # pooled: p = .115, se = sqrt(.115 * .885 * 2 / 1000) = .0142671, z = 2.10274, p = 2 (1 - Phi(z))
    assert c.p_value == pytest.approx(2 * norm.sf(0.03 / 0.0142671), rel=1e-5)
    assert c.p_value == pytest.approx(0.03549, abs=1e-5)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5000), st.integers(1, 5000), st.data())
def test_p_value_against_scipy(n_c, n_v, data):
    conv_c = data.draw(st.integers(0, n_c))
    conv_v = data.draw(st.integers(0, n_v))
    c = compare(conv_c, n_c, conv_v, n_v)
    pooled = (conv_c + conv_v) / (n_c + n_v)
    if 0 < pooled < 1:
        # the pooled two-proportion z-test is the chi-square test of the 2x2 table without continuity correction
        table = [[conv_c, n_c - conv_c], [conv_v, n_v - conv_v]]
        expected = chi2_contingency(table, correction=False).pvalue
        assert c.p_value == pytest.approx(expected, rel=1e-6, abs=1e-12)
    else:
        assert c.p_value == 1.0  # both groups all-or-nothing alike: no difference to test
    assert 0.0 <= c.p_value <= 1.0
    assert c.ci_low <= c.rate - conv_c / n_c <= c.ci_high
    assert (c.lift is None) == (conv_c == 0)


def test_no_rate_without_visitors():
    c = compare(0, 0, 3, 10)
    assert (c.rate, c.lift, c.ci_low, c.ci_high, c.p_value) == (0.3, None, None, None, None)


@pytest.mark.parametrize(
    "low, high, word",
    [
        (0.001, 0.05, "better"),
        (-0.05, -0.001, "worse"),
        (-0.01, 0.02, "inconclusive"),
        (0.0, 0.02, "inconclusive"),
        (None, None, "no_data"),
    ],
)
def test_verdict_never_claims_a_winner_when_the_interval_touches_zero(low, high, word):
    assert verdict(low, high) == word


def test_verdict_is_that_of_the_best_variant():
    def row(variant, rate, low, high):
        return VariantResult("e", variant, "c", "all", None, 100, int(rate * 100), rate, None, low, high, None)

    rows = [row("c", 0.10, None, None), row("a", 0.12, -0.01, 0.05), row("b", 0.16, 0.01, 0.11)]
    assert verdict_of(rows, "c") == "better"
    assert verdict_of(rows[:2], "c") == "inconclusive"
    assert verdict_of(rows[:1], "c") == "no_data"


# --- experiments in a project ---------------------------------------------------------------

SITE = """\
title: Test
language: en
metrics:
  - id: conv
    file: metrics/conv.csv
    type: value
    columns: {variant: Variant, segment: Segment}
"""


def playbook(**fields) -> str:
    lines = {"type": "experiment", "title": "Test", "hypothesis": "It helps", **fields}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in lines.items()) + "---\nBody\n"


@pytest.fixture
def project(make_project):
    def make(files: dict[str, str], site: str = SITE):
        return make_project({"site.yml": site, **files})

    return make


def rows_of(fs, experiment):
    return [(r.period, r.segment, r.variant, r.n, r.conversions) for r in fs.experiments if r.experiment == experiment]


def test_inline_results(project, run_metrics):
    results = "{controle: {n: 1000, conversions: 100}, maathulp: {n: 1000, conversions: 130}}"
    _, problems, fs, _ = run_metrics(project({"content/playbooks/size.md": playbook(results=results)}, site="title: Test\n"))
    assert located(problems) == []
    control, variant = fs.experiments
    assert (control.variant, control.control, control.rate, control.lift, control.p_value) == (
        "controle",
        "controle",
        0.1,
        None,
        None,
    )
    assert (variant.variant, variant.period, variant.segment) == ("maathulp", "all", None)
    assert variant.ci_low == pytest.approx(0.0020674, abs=1e-7)
    assert fs.verdicts == {"size": "better"}


def test_inline_results_with_a_named_control(project, run_metrics):
    results = "{b: {n: 200, conversions: 20}, a: {n: 200, conversions: 21}}"
    _, _, fs, _ = run_metrics(project({"content/playbooks/t.md": playbook(results=results, control="a")}, site="title: Test\n"))
    assert [(r.variant, r.control, r.lift is None) for r in fs.experiments] == [("a", "a", True), ("b", "a", False)]
    assert fs.verdicts == {"t": "inconclusive"}


CONV = """\
date,Variant,Segment,value
2026-04-06,control,parents,0
2026-04-06,control,parents,1
2026-04-07,free,parents,1
2026-04-07,free,students,1
2026-05-04,control,students,0
2026-05-04,free,students,0
2026-05-05,free,parents,1
"""


def test_metric_results_per_period_and_per_segment(project, run_metrics):
    _, problems, fs, _ = run_metrics(
        project({"content/metrics/conv.csv": CONV, "content/playbooks/t.md": playbook(metric="conv", control="control")})
    )
    assert located(problems) == []
    assert rows_of(fs, "t") == [
        ("all", None, "control", 3, 1),
        ("all", None, "free", 4, 3),
        ("all", "parents", "control", 2, 1),
        ("all", "parents", "free", 2, 2),
        ("all", "students", "control", 1, 0),
        ("all", "students", "free", 2, 1),
        ("2026-04", None, "control", 2, 1),
        ("2026-04", None, "free", 2, 2),
        ("2026-05", None, "control", 1, 0),
        ("2026-05", None, "free", 2, 1),
    ]
    free = fs.experiments[1]
    expected = compare(1, 3, 3, 4)
    assert (free.rate, free.lift, free.ci_low, free.ci_high, free.p_value) == (
        expected.rate,
        expected.lift,
        expected.ci_low,
        expected.ci_high,
        expected.p_value,
    )
    assert fs.verdicts == {"t": "inconclusive"}
    students = next(r for r in fs.experiments if r.segment == "students" and r.variant == "free")
    assert students.lift is None  # control converted nobody: no lift, never an infinity


def test_metric_rows_keep_other_columns_apart(project, run_metrics):
    site = SITE.replace("segment: Segment", "journey: journey")
    files = {
        "content/metrics/conv.csv": (
            "date,Variant,journey,value\n2026-04-06,control,first-order,1\n2026-04-06,free,first-order,0\n"
        ),
        "content/playbooks/t.md": playbook(metric="conv", control="control"),
    }
    _, problems, fs, _ = run_metrics(project(files, site=site))
    assert located(problems) == []
    assert rows_of(fs, "t") == [
        ("all", None, "control", 1, 1),
        ("all", None, "free", 1, 0),
        ("2026-04", None, "control", 1, 1),
        ("2026-04", None, "free", 1, 0),
    ]


def test_experiments_without_data(project, run_metrics):
    files = {
        "content/metrics/conv.csv": "date,Variant,Segment,value\n2026-04-06,control,parents,0\n",
        "content/playbooks/t.md": playbook(metric="conv", control="control"),
        "content/playbooks/u.md": playbook(results="{a: {n: 0, conversions: 0}, b: {n: 10, conversions: 1}}"),
    }
    _, problems, fs, _ = run_metrics(project(files))
    assert located(problems) == []
    assert fs.verdicts == {"t": "no_data", "u": "no_data"}
    assert [(r.experiment, r.variant, r.rate) for r in fs.experiments] == [
        ("t", "control", 0.0),
        ("t", "control", 0.0),
        ("t", "control", 0.0),
        ("u", "a", None),
        ("u", "b", 0.1),
    ]


def test_a_metric_with_problems_gives_no_results(project, run_metrics):
    files = {
        "content/metrics/conv.csv": "date,Variant,Segment,value\n2026-04-06,control,parents,2\n",
        "content/playbooks/t.md": playbook(metric="conv", control="control"),
    }
    _, problems, fs, _ = run_metrics(project(files))
    assert [p[1:3] for p in located(problems)] == [(2, 4)]
    assert fs.experiments == () and fs.verdicts == {"t": "no_data"}


def test_experiments_json_text(project, run_metrics):
    results = "{controle: {n: 2410, conversions: 289}, maathulp: {n: 2380, conversions: 335}}"
    _, _, fs, _ = run_metrics(project({"content/playbooks/size.md": playbook(results=results)}, site="title: Test\n"))
    text = experiments_json(fs)
    c = compare(289, 2410, 335, 2380)
    control_row = (
        '{"experiment": "size", "variant": "controle", "control": "controle", "period": "all", "segment": null, '
        '"n": 2410, "conversions": 289, "rate": 0.1199, "lift": null, "ci_low": null, "ci_high": null, "p_value": null, '
        '"p_holm": null}'
    )
    variant_row = (
        '{"experiment": "size", "variant": "maathulp", "control": "controle", "period": "all", "segment": null, '
        f'"n": 2380, "conversions": 335, "rate": 0.1408, "lift": {round(c.lift, 4)}, "ci_low": {round(c.ci_low, 4)}, '
        f'"ci_high": {round(c.ci_high, 4)}, "p_value": {float(f"{c.p_value:.4g}")}, '
        f'"p_holm": {float(f"{c.p_value:.4g}")}}}'  # a family of one: Holm leaves it as it is
    )
    assert text == f'{{"experiments": [\n  {control_row},\n  {variant_row}\n],\n"plans": []}}\n'
    # by hand: p_c = .119917, p_v = .140756, lift = .020839 / .119917 = .1738;
    # interval .020839 ± 1.96 * sqrt(.119917 * .880083 / 2410 + .140756 * .859244 / 2380) = .020839 ± .019064;
    # pooled .130271, se .0097272, z 2.1424, p .03216 (4 significant digits)
    row = json.loads(text)["experiments"][1]
    assert (row["lift"], row["ci_low"], row["ci_high"], row["p_value"]) == (0.1738, 0.0018, 0.0399, 0.03216)


def test_experiments_json_empty():
    assert experiments_json(FigureSet()) == '{"experiments": [],\n"plans": []}\n'


def test_each_experiment_on_a_metric_has_its_control_checked(project, run_metrics):
    files = {
        "content/metrics/conv.csv": CONV,
        "content/playbooks/a.md": playbook(metric="conv", control="control"),
        "content/playbooks/b.md": playbook(metric="conv", control="contrl"),
    }
    _, problems, fs, _ = run_metrics(project(files))
    assert located(problems) == [
        ("content/playbooks/b.md", 6, 10, "control 'contrl' does not occur in column 'Variant' of metric 'conv'")
    ]
    assert fs.verdicts["a"] == "inconclusive" and fs.verdicts["b"] == "no_data"
